from django.db import migrations


def load(apps, schema_editor):
    from vungxanh.awards.actions import install_award_forms

    install_award_forms(apps.get_model("awards", "AwardForm"))


class Migration(migrations.Migration):
    dependencies = [("awards", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
