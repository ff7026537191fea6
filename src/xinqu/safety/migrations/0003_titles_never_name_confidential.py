"""Hazards reported before this migration carried the enterprise's name in their item's title,
which every list and notification shows: for a confidential enterprise the name is replaced."""

from django.db import migrations


def mask(apps, schema_editor):
    Hazard = apps.get_model("safety", "Hazard")
    Item = apps.get_model("workflow", "Item")
    for item_id, location in Hazard.objects.filter(enterprise__confidential=True).values_list(
        "item_id", "location"
    ):
        Item.objects.filter(pk=item_id).update(title=f"保密企业：{location}"[:200])


class Migration(migrations.Migration):
    dependencies = [("safety", "0002_rectification_link"), ("enterprises", "0001_initial")]

    operations = [migrations.RunPython(mask, migrations.RunPython.noop)]
