"""The monitoring rules shipped with the product (data/monitoring_rules.json, with provenance)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

RULES = Path(__file__).resolve().parent / "data" / "monitoring_rules.json"


def install_monitoring_rules(rule_model: Any) -> None:
    """Each shipped rule that is missing, by code. Takes the model class so that the data
    migration can pass its historical model."""
    for rule in json.loads(RULES.read_text("utf-8")):
        values = {**rule, "effective_from": date.fromisoformat(rule["effective_from"])}
        rule_model.objects.get_or_create(code=rule["code"], defaults=values)
