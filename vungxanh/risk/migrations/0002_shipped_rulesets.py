from django.db import migrations


def load(apps, schema_editor):
    # The models of this migration's state, filled from the shipped JSON documents.
    from datetime import date

    from django.utils import timezone

    from vungxanh.risk.rules import shipped_rulesets

    Ruleset = apps.get_model("risk", "Ruleset")
    RulesetVersion = apps.get_model("risk", "RulesetVersion")
    for code, doc in shipped_rulesets().items():
        ruleset, _ = Ruleset.objects.get_or_create(code=code, defaults={"name": doc.name})
        if RulesetVersion.objects.filter(ruleset=ruleset).exists():
            continue
        RulesetVersion.objects.create(
            ruleset=ruleset, version=1, status="published",
            params=doc.params.model_dump(mode="json"), decision=doc.decision,
            decision_date=date.fromisoformat(doc.decision_date),
            effective_from=date.fromisoformat(doc.effective_from),
            provenance=doc.provenance, published_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
