"""Links to one record's page from a list: the URL reversed once per view, the key filled in per row.

Django's `{% url %}` reverses on every row (about 14 µs; a third of a people list's row). The web lists of
people and enterprises show 50 rows a page and are the registry's busiest pages (docs/benchmarks.md).
"""
from __future__ import annotations

from django.urls import get_script_prefix, get_urlconf, reverse

_SENTINEL = "918273645"  # stands for the key while a view's URL is reversed once
_PATTERNS: dict[tuple, tuple[str, str] | None] = {}


def record_url(view_name: str, pk) -> str:
    """The URL of `view_name` for the record `pk` (an integer key), as `reverse(view_name, args=[pk])`."""
    return record_urls(view_name)(pk)


def record_urls(view_name: str):
    """`record_url(view_name, …)` for the rows of one page: the script prefix and URLconf read once."""
    key = (view_name, get_script_prefix(), get_urlconf())
    try:
        parts = _PATTERNS[key]
    except KeyError:
        head, found, tail = reverse(view_name, args=[int(_SENTINEL)]).partition(_SENTINEL)
        parts = _PATTERNS[key] = (head, tail) if found and _SENTINEL not in tail else None
    if parts is None:  # the key is not simply placed in the path: reverse as usual
        return lambda pk: reverse(view_name, args=[pk])
    head, tail = parts
    return lambda pk: f"{head}{pk}{tail}" if type(pk) is int and pk >= 0 else reverse(view_name, args=[pk])
