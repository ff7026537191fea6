"""The database itself keeps the audit log append-only: it refuses every UPDATE, and every
DELETE of an entry younger than 184 days (the legal floor), whatever the application does."""

from django.db import migrations

SQLITE_UP = [
    """
    CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    """,
    """
    CREATE TRIGGER core_auditentry_no_early_delete BEFORE DELETE ON core_auditentry
    WHEN old.at >= strftime('%Y-%m-%d %H:%M:%f', 'now', '-184 days')
    BEGIN SELECT RAISE(ABORT, 'audit entries are kept at least 184 days'); END;
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_early_delete;",
]

POSTGRES_UP = [
    """
    CREATE FUNCTION core_auditentry_guard() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'TRUNCATE') THEN
            RAISE EXCEPTION 'audit log is append-only';
        END IF;
        IF OLD.at >= now() - interval '184 days' THEN
            RAISE EXCEPTION 'audit entries are kept at least 184 days';
        END IF;
        RETURN OLD;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER core_auditentry_guard BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_guard();
    """,
    # TRUNCATE bypasses row triggers; refuse it too.
    """
    CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_guard();
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;",
    "DROP TRIGGER IF EXISTS core_auditentry_guard ON core_auditentry;",
    "DROP FUNCTION IF EXISTS core_auditentry_guard();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
