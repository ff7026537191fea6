from django.db import migrations

# Overdue by 1 working day: level 1; by 3: level 2; by 5: level 3 — for every kind until changed.
DEFAULTS = [("service_request", 1, 1), ("service_request", 3, 2), ("service_request", 5, 3)]


def create(apps, schema_editor):
    Rule = apps.get_model("workflow", "EscalationRule")
    for kind, days, level in DEFAULTS:
        Rule.objects.get_or_create(kind=kind, level=level, defaults={"overdue_days": days})


class Migration(migrations.Migration):
    dependencies = [("workflow", "0002_escalation_rules")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
