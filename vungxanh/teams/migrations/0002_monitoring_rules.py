import json
from datetime import date
from pathlib import Path

from django.db import migrations

RULES = Path(__file__).resolve().parent.parent / "data" / "monitoring_rules.json"


def load(apps, schema_editor):
    MonitoringRule = apps.get_model("teams", "MonitoringRule")
    for rule in json.loads(RULES.read_text("utf-8")):
        rule = {**rule, "effective_from": date.fromisoformat(rule["effective_from"])}
        MonitoringRule.objects.get_or_create(code=rule["code"], defaults=rule)


class Migration(migrations.Migration):
    dependencies = [("teams", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
