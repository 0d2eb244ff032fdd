"""Indexes that let the filtered lists (ORDER BY id DESC LIMIT 51) stop after one page.

On PostgreSQL a filter on a rare value (country AR and category relative: no row) made the
planner walk the primary key backwards over all 1,000,000 people (1.1 s); an index on
(filter column, id) serves the equality filter in id order, so the scan is bounded by the
rows having that value. SQLite's single-column indexes already end with the rowid, so there
only the enterprise kind filter, which had no index, gets one.
"""
from django.db import migrations

POSTGRES = [
    ("registry_person_country_id", "registry_person (country, id)"),
    ("registry_person_category_id", "registry_person (category, id)"),
    ("registry_enterprise_country_id", "registry_enterprise (country, id)"),
    ("registry_enterprise_industry_id", "registry_enterprise (industry, id)"),
    ("registry_enterprise_kind_id", "registry_enterprise (kind, id)"),
]
SQLITE = [("registry_enterprise_kind", "registry_enterprise (kind)")]


def create(apps, schema_editor):
    """CREATE INDEX for this database's list."""
    for name, target in {"postgresql": POSTGRES, "sqlite": SQLITE}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop(apps, schema_editor):
    """Undo create()."""
    for name, _target in {"postgresql": POSTGRES, "sqlite": SQLITE}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0002_field_validators"),
    ]

    operations = [migrations.RunPython(create, drop)]
