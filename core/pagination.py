"""Pagination without COUNT(*): fetch one row more than a page to know whether there is a next page.

Django's Paginator counts the whole result on every page; at province scale that
count costs more than the page itself.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

from django.core.cache import cache
from django.core.paginator import Paginator as DjangoPaginator
from rest_framework.pagination import PageNumberPagination

from core.search import page_rows


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
    order = search_order(queryset)
    if order is not None:
        chosen = order[offset : offset + per_page]
        rows = page_rows(queryset, chosen) if chosen else []
        return Page(rows=rows, number=number, has_next=len(order) > offset + per_page, per_page=per_page)
    rows = list(queryset[offset : offset + per_page + 1])
    return Page(rows=rows[:per_page], number=number, has_next=len(rows) > per_page, per_page=per_page)


def search_order(queryset) -> list[int] | None:
    """The ids of a search's answer in their order (`core.search.found`), or None for any other queryset."""
    return getattr(queryset, "search_order", None)


COUNT_CAP = 10_000
COUNT_CACHE_SECONDS = 600


class CappedCountPaginator(DjangoPaginator):
    """Django's paginator whose count is exact up to COUNT_CAP and cached beyond it.

    Counting a million rows on every API page costs more than the page; a bounded count
    (`SELECT COUNT(*) FROM (… LIMIT 10001)`) costs at most 10,001 index entries, and the
    rare larger count is taken once per COUNT_CACHE_SECONDS for the same query.
    """

    approximate = False

    @cached_property
    def count(self) -> int:
        """The number of rows, exact below COUNT_CAP, else the cached count (`approximate` set)."""
        order = search_order(self.object_list)
        if order is not None:
            return len(order)
        # Unordered: a count needs no ORDER BY (a search's rank would be sorted for nothing).
        bounded = self.object_list.order_by()[: COUNT_CAP + 1].count()
        if bounded <= COUNT_CAP:
            return bounded
        sql, params = self.object_list.query.sql_with_params()
        key = "api-count:" + hashlib.sha1(f"{sql}{params}".encode()).hexdigest()
        total = cache.get(key)
        if total is None:
            total = self.object_list.count()
            cache.set(key, total, COUNT_CACHE_SECONDS)
        else:
            self.approximate = True
        return total

    def page(self, number):
        """Django's page; a search's page fetches only its own rows (by id), not the whole answer sorted."""
        order = search_order(self.object_list)
        if order is None:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(page_rows(self.object_list, order[bottom:top]), number, self)


class ApiPagination(PageNumberPagination):
    """Page numbers as before (`count`, `next`, `previous`, `results`), without a full count on every page.

    Adds `count_approximate`: true when `count` was taken from the cache (up to ten minutes old).
    """

    django_paginator_class = CappedCountPaginator

    def get_paginated_response(self, data):
        """DRF's answer plus `count_approximate`."""
        response = super().get_paginated_response(data)
        response.data["count_approximate"] = self.page.paginator.approximate
        return response

    def get_paginated_response_schema(self, schema):
        """DRF's schema plus `count_approximate`."""
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_approximate"] = {"type": "boolean"}
        return schema
