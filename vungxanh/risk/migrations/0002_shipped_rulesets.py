from django.db import migrations


def load(apps, schema_editor):
    from vungxanh.risk.rules import install_shipped_rulesets

    install_shipped_rulesets(apps.get_model("risk", "Ruleset"), apps.get_model("risk",
                                                                                "RulesetVersion"))


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
