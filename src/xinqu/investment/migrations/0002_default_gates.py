"""The default stage gates: 考察 needs a visit record, 洽谈 a feasibility assessment, 签约 the
negotiation record, the legal review and the fair-competition review."""

from django.db import migrations

GATES = [
    ("inspect", "visit"),
    ("negotiate", "feasibility"),
    ("signed", "negotiation"),
    ("signed", "legal"),
    ("signed", "fair_competition"),
]


def add(apps, schema_editor):
    GateRule = apps.get_model("investment", "GateRule")
    for stage, document in GATES:
        GateRule.objects.get_or_create(stage=stage, document=document)


class Migration(migrations.Migration):
    dependencies = [("investment", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
