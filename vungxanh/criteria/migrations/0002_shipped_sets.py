from django.db import migrations


def load(apps, schema_editor):
    from vungxanh.criteria.actions import install_shipped_sets

    install_shipped_sets(
        apps.get_model("criteria", "CriteriaSet"), apps.get_model("criteria", "CriteriaSetVersion")
    )


class Migration(migrations.Migration):
    dependencies = [("criteria", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
