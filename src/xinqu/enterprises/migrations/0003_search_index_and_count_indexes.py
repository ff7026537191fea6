"""A substring index for the enterprise search, and indexes the statistics count from.

SQLite: an FTS5 table with the trigram tokenizer, kept in step by triggers. PostgreSQL: a pg_trgm
GIN index on the searched expression. Both serve LIKE '%…%' for Chinese text."""

from django.db import migrations, models

# Credit codes are searched through their own unique index; indexing them as trigrams too would
# cost the imports a third more time for little gain.
EXPRESSION = "name || ' ' || former_names"

SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS enterprises_search USING fts5(body, tokenize='trigram')",
    f"INSERT INTO enterprises_search(rowid, body) SELECT id, {EXPRESSION} FROM enterprises_enterprise",
    f"""CREATE TRIGGER enterprises_search_insert AFTER INSERT ON enterprises_enterprise BEGIN
        INSERT INTO enterprises_search(rowid, body) VALUES (new.id, new.{EXPRESSION.replace(" || ' ' || ", " || ' ' || new.")});
    END""",
    f"""CREATE TRIGGER enterprises_search_update AFTER UPDATE OF name, former_names ON enterprises_enterprise BEGIN
        UPDATE enterprises_search SET body = new.{EXPRESSION.replace(" || ' ' || ", " || ' ' || new.")} WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER enterprises_search_delete AFTER DELETE ON enterprises_enterprise BEGIN
        DELETE FROM enterprises_search WHERE rowid = old.id;
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS enterprises_search_insert",
    "DROP TRIGGER IF EXISTS enterprises_search_update",
    "DROP TRIGGER IF EXISTS enterprises_search_delete",
    "DROP TABLE IF EXISTS enterprises_search",
]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS enterprises_search_trgm ON enterprises_enterprise USING gin (({EXPRESSION}) gin_trgm_ops)",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS enterprises_search_trgm"]


def _fts5_available(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
        return bool(cursor.fetchone()[0])


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite" and not _fts5_available(schema_editor):
            return  # search falls back to scanning; slower at scale, still correct
        for statement in statements_by_vendor.get(vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0002_default_kinds_and_tiers")]

    operations = [
        migrations.RemoveIndex(model_name="enterprise", name="enterprises_park_id_2619b5_idx"),
        migrations.RemoveIndex(model_name="enterprise", name="enterprises_area_id_6b04ef_idx"),
        migrations.RemoveIndex(model_name="enterprise", name="enterprises_tier_id_09a7a5_idx"),
        migrations.AddIndex(
            model_name="enterprise", index=models.Index(fields=["area", "above_scale"], name="enterprise_area_scale")
        ),
        migrations.AddIndex(
            model_name="enterprise", index=models.Index(fields=["park", "above_scale"], name="enterprise_park_scale")
        ),
        migrations.AddIndex(
            model_name="enterprise", index=models.Index(fields=["tier", "above_scale"], name="enterprise_tier_scale")
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
