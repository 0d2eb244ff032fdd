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
    parts = _parts(view_name)
    if parts is None or type(pk) is not int or pk < 0:
        return reverse(view_name, args=[pk])
    return f"{parts[0]}{pk}{parts[1]}"


def record_urls(view_name: str):
    """`record_url(view_name, …)` for the rows of one page: the script prefix and URLconf read once."""
    parts = _parts(view_name)
    if parts is None:
        return lambda pk: reverse(view_name, args=[pk])
    head, tail = parts
    return lambda pk: f"{head}{pk}{tail}" if type(pk) is int and pk >= 0 else reverse(view_name, args=[pk])


def _parts(view_name: str) -> tuple[str, str] | None:
    """The view's URL before and after its key, or None when the key is not simply placed in the path."""
    key = (view_name, get_script_prefix(), get_urlconf())
    try:
        return _PATTERNS[key]
    except KeyError:
        head, found, tail = reverse(view_name, args=[int(_SENTINEL)]).partition(_SENTINEL)
        parts = _PATTERNS[key] = (head, tail) if found and _SENTINEL not in tail else None
        return parts
