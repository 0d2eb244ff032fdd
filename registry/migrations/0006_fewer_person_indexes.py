"""Indexes of registry_person that no query needs, dropped: each one is kept up on every insert.

An import of a million people spent more CPU in PostgreSQL than in Python (105 µs a row, 21 indexes on
the table). Dropped:
- on PostgreSQL, the varchar_pattern_ops copies Django adds beside each indexed text column: they serve
  LIKE 'x%', which only the 祖籍地 filter asks (its copy stays);
- single-column indexes whose column leads a composite index: name (person_name_birth), org
  (person_org_category), and on PostgreSQL category and country ((category, id) and (country, id),
  migration 0003). On SQLite the single category and country indexes stay: they end with the rowid,
  which is what keeps a filtered list in id order (0003).

The fields keep `db_index=True` in Django's state (which index stays differs by database, and a plain
index without its LIKE copy cannot be asked of a field); the indexes are found by their columns, so a
database made by another path (restored, or older) loses the same ones. A later migration that alters
one of these fields, or remakes the table on SQLite, makes Django create its index again: such a
migration should end by running `drop` again.
"""
from django.db import migrations

TABLE = "registry_person"
LIKE_DROPPED = {"name", "category", "country", "phone", "id_number_hash", "passport_number_hash"}
SINGLE_DROPPED = {"postgresql": {"name", "org_id", "category", "country"}, "sqlite": {"name", "org_id"}}


def _dropped(schema_editor) -> list[tuple[str, str, bool]]:
    """(index name, column, is a LIKE copy) of the indexes to drop on this database."""
    connection = schema_editor.connection
    singles = SINGLE_DROPPED.get(connection.vendor, set())
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    found = []
    for name, info in constraints.items():
        columns = info.get("columns") or []
        if not info.get("index") or info.get("unique") or info.get("primary_key") or len(columns) != 1:
            continue
        like = name.endswith("_like")
        if (like and columns[0] in LIKE_DROPPED) or (not like and columns[0] in singles):
            found.append((name, columns[0], like))
    return found


def drop(apps, schema_editor):
    """DROP INDEX for each index no query needs on this database."""
    for name, _column, _like in _dropped(schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def restore(apps, schema_editor):
    """Put back the indexes Django made for the fields (named as Django names them)."""
    connection = schema_editor.connection
    ops = "varchar_pattern_ops"
    for column in sorted(SINGLE_DROPPED.get(connection.vendor, set())):
        name = schema_editor._create_index_name(TABLE, [column])
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} ({column})")
    if connection.vendor == "postgresql":
        for column in sorted(LIKE_DROPPED):
            name = schema_editor._create_index_name(TABLE, [column], suffix="_like")
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} ({column} {ops})")


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0005_base_manager_keeps_hashes"),
    ]

    operations = [migrations.RunPython(drop, restore)]
