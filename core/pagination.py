"""Pagination without COUNT(*): fetch one row more than a page to know whether there is a next page.

Django's Paginator counts the whole result on every page; at province scale that
count costs more than the page itself.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Page:
    """One page of rows with what the template needs to link to its neighbours."""

    rows: list
    number: int
    has_next: bool
    per_page: int

    @property
    def has_previous(self) -> bool:
        """Whether a page comes before this one."""
        return self.number > 1

    @property
    def start_index(self) -> int:
        """The 1-based position of the first row on this page."""
        return (self.number - 1) * self.per_page + 1 if self.rows else 0


    @property
    def end_index(self) -> int:
        """The 1-based position of the last row on this page."""
        return self.start_index + len(self.rows) - 1 if self.rows else 0


def paginate(queryset, page: str | int | None, per_page: int = 50) -> Page:
    """Slice one page out of the queryset with a single query."""
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return Page(rows=rows[:per_page], number=number, has_next=len(rows) > per_page, per_page=per_page)
