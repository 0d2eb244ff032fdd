"""PostgreSQL: the GIN index over every search entry is dropped; each model's partial indexes serve its searches.

Every search names its model (core.search._matching_ids), and a partial index per model (and its sample)
is created after every migrate (core.search.ensure_model_indexes). The whole index was never chosen over
them, yet every written entry updated it, and building it took 25 s of the million-person demo.
"""
from django.db import migrations


def drop(apps, schema_editor):
    """Drop the whole index (PostgreSQL only)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS core_searchentry_tsv")


def restore(apps, schema_editor):
    """Build it again."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS core_searchentry_tsv ON core_searchentry USING GIN (tsv)")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_search_model_token")]

    operations = [migrations.RunPython(drop, restore, elidable=False)]
