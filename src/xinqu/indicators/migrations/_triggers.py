"""Shared by the migrations that change the catalog table: on SQLite such a change rebuilds the
table, which drops its data-version triggers (migration 0002). They are put back here, or cached
overviews would outlive catalog edits. (Django's loader skips modules whose names start with _.)"""


def catalog_triggers_again(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for op in ("INSERT", "UPDATE", "DELETE"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS indicators_indicator_version_{op.lower()};")
        schema_editor.execute(
            f"""
            CREATE TRIGGER indicators_indicator_version_{op.lower()} AFTER {op} ON indicators_indicator
            BEGIN UPDATE indicators_dataversion SET token = lower(hex(randomblob(16))) WHERE id = 1; END;
            """
        )
