"""A KPI that reads an indicator takes that indicator's annual target: the copy a KPI kept of it
(which could differ, 7.0 against 7.5) is dropped, so the target has one home."""

from django.db import migrations


def drop_copies(apps, schema_editor):
    Node = apps.get_model("plans", "Node")
    Node.objects.filter(kind="kpi", source__startswith="indicator.").update(target_value=None)


class Migration(migrations.Migration):
    dependencies = [("plans", "0004_kpi_measure")]

    operations = [migrations.RunPython(drop_copies, migrations.RunPython.noop)]
