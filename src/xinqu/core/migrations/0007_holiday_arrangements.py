"""The State Council's holiday arrangements for 2023–2026 (国务院办公厅关于部分节假日安排的通知),
so deadlines count working days correctly from the first start. Later years are added in the app."""

import csv
import datetime as dt
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "cn-holidays-2023-2026.csv"


def load(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    with DATA.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            CalendarDay.objects.update_or_create(
                date=dt.date.fromisoformat(row["date"]), defaults={"kind": row["kind"], "name": row["name"]}
            )


def unload(apps, schema_editor):
    apps.get_model("core", "CalendarDay").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0006_calendar")]

    operations = [migrations.RunPython(load, unload)]
