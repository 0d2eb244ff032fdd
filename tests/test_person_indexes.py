"""The person table keeps the indexes its queries read, and no more: each one is kept up on every insert."""
from django.db import connection


def _indexes():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "registry_person")
    singles, likes, composites = set(), set(), set()
    for name, info in constraints.items():
        if not info["index"] or info["primary_key"] or info["unique"]:
            continue
        columns = tuple(info["columns"])
        if name.endswith("_like"):
            likes.add(columns[0])
        elif len(columns) == 1:
            singles.add(columns[0])
        else:
            composites.add(columns)
    return singles, likes, composites


def test_person_table_indexes_after_migrations(db):
    singles, likes, composites = _indexes()
    # Lists filter and sort through these: name (exact, sort) and org lead the composites.
    assert {("name", "birth_date"), ("org_id", "category")} <= composites
    if connection.vendor == "postgresql":
        # Filtered lists in id order read (country, id) and (category, id) (migration 0003); only 祖籍地 asks LIKE.
        assert {("country", "id"), ("category", "id")} <= composites
        assert singles == {"home_region", "phone", "passport_number_hash", "merged_into_id"}
        assert likes == {"home_region"}
    else:
        # SQLite's single-column indexes end with the rowid: they keep a filtered list in id order.
        assert singles == {"category", "country", "home_region", "phone", "passport_number_hash", "merged_into_id"}
        assert likes == set()
