"""SQLite's REPLACE (``INSERT OR REPLACE``, ``REPLACE INTO``) deletes the row it collides with
without firing the delete trigger, unless recursive triggers are on for that connection. A
BEFORE INSERT trigger refuses any insert whose id is already taken, so the conflict never reaches
REPLACE, whatever the connection's settings. An upsert (``ON CONFLICT DO UPDATE``) is an UPDATE
and the existing trigger refuses it. PostgreSQL has no REPLACE; its upsert fires the UPDATE guard.
"""

from django.db import migrations

SQLITE_UP = [
    """
    CREATE TRIGGER core_auditentry_no_replace BEFORE INSERT ON core_auditentry
    WHEN new.id IS NOT NULL AND EXISTS (SELECT 1 FROM core_auditentry WHERE id = new.id)
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    """,
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS core_auditentry_no_replace;"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0007_holiday_arrangements")]

    operations = [migrations.RunPython(_run(SQLITE_UP), _run(SQLITE_DOWN))]
