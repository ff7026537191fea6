"""Every write to observations, targets or the catalog changes the data-version token, in the
database itself: cached overviews are keyed by the token, so no write path can leave one stale.

On SQLite, a later migration that alters one of these tables rebuilds it and drops its triggers:
such a migration must run this one's SQL again (tests/indicators/test_views.py fails otherwise)."""

import uuid

from django.db import migrations

TABLES = ["indicators_observation", "indicators_target", "indicators_indicator"]

SQLITE_UP = [
    f"""
    CREATE TRIGGER {table}_version_{op.lower()} AFTER {op} ON {table}
    BEGIN UPDATE indicators_dataversion SET token = lower(hex(randomblob(16))) WHERE id = 1; END;
    """
    for table in TABLES
    for op in ("INSERT", "UPDATE", "DELETE")
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {table}_version_{op.lower()};"
    for table in TABLES
    for op in ("INSERT", "UPDATE", "DELETE")
]
POSTGRES_UP = [
    """
    CREATE FUNCTION indicators_bump_version() RETURNS trigger AS $$
    BEGIN
        UPDATE indicators_dataversion SET token = md5(random()::text || clock_timestamp()::text) WHERE id = 1;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    *(
        f"""
        CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION indicators_bump_version();
        """
        for table in TABLES
    ),
]
POSTGRES_DOWN = [
    *(f"DROP TRIGGER IF EXISTS {table}_version ON {table};" for table in TABLES),
    "DROP FUNCTION IF EXISTS indicators_bump_version();",
]


def up(apps, schema_editor):
    apps.get_model("indicators", "DataVersion").objects.update_or_create(
        pk=1, defaults={"token": uuid.uuid4().hex}
    )
    for statement in {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(
        schema_editor.connection.vendor, []
    ):
        schema_editor.execute(statement)


def down(apps, schema_editor):
    for statement in {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(
        schema_editor.connection.vendor, []
    ):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(up, down)]
