from django.db import migrations


def load(apps, schema_editor):
    from vungxanh.teams.rules import install_monitoring_rules

    install_monitoring_rules(apps.get_model("teams", "MonitoringRule"))


class Migration(migrations.Migration):
    dependencies = [("teams", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
