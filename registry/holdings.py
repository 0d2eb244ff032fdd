"""Which panels of a person's page have anything to show, asked in one query.

A person's page gathers panels from several apps (positions, enterprises, honours, certifications,
consents, the member account …). For most people most of them are empty, yet each asked the database
with a query of its own, and compiling such a query cost more than running it. Each app registers the
rows its panel shows for a person (`register`, from its AppConfig.ready); the page asks once, in one
query compiled once per connection (core.compiled), which of them exist. A panel whose answer is no
skips its query; a yes only says that rows exist: the panel still reads what its user may see.
"""
from __future__ import annotations

from collections.abc import Callable

from django.db.models import Exists, OuterRef, QuerySet

from core.compiled import CompiledQuery

NO_PERSON = -7_301_941  # the placeholder for the person's id while the query is compiled
_RELATED: dict[str, Callable[[OuterRef], QuerySet]] = {}
_query: CompiledQuery | None = None


def register(name: str, rows: Callable[[OuterRef], QuerySet]) -> None:
    """Name the rows a panel shows for a person: `rows(person)` filters them by the person's id (an OuterRef)."""
    global _query
    _RELATED[name] = rows
    _query = None  # compiled again with the new name


def _holdings_query(pk):
    from registry.models import Person

    exists = {f"holds_{i}": Exists(rows(OuterRef("pk"))) for i, rows in enumerate(_RELATED.values())}
    return Person._base_manager.filter(pk=pk).annotate(**exists).values_list(*exists)


def holdings(person) -> dict[str, bool]:
    """For each registered name, whether the person has any such rows (read once per person object)."""
    global _query
    found = getattr(person, "_holdings", None)
    if found is None:
        if _query is None:
            _query = CompiledQuery(_holdings_query, pk=NO_PERSON)
        rows = _query.rows(pk=person.pk) if _RELATED else [()]
        found = dict(zip(_RELATED, rows[0], strict=True)) if rows else dict.fromkeys(_RELATED, False)
        person._holdings = found
    return found


def holds(person, name: str) -> bool:
    """Whether the person has any rows of the panel `name`; True for a name no app registered."""
    return holdings(person).get(name, True)
