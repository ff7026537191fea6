from django.db import migrations

# A project's problem overdue by 2 working days goes to supervision level 1, by 5 to level 2, by 10 to level 3.
DEFAULTS = [("project_problem", 2, 1), ("project_problem", 5, 2), ("project_problem", 10, 3)]


def create(apps, schema_editor):
    Rule = apps.get_model("workflow", "EscalationRule")
    for kind, days, level in DEFAULTS:
        Rule.objects.get_or_create(kind=kind, level=level, defaults={"overdue_days": days})


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial"), ("workflow", "0006_extensions")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
