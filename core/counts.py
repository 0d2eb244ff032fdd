"""Counts of a user's scope for the home page, cached so that no page load counts a whole table.

Counting the people of a province (a million rows, grouped by category) costs hundreds of
milliseconds; on a page opened a hundred times a day that is wasted. Counts are computed
exactly, then kept in the cache for `CACHE_SECONDS` per scope (the set of subtrees the user
sees, so users with the same grants share them). A figure served from the cache may be up to
that old: when it is large (≥ `EXACT_BELOW`) the page labels it "约" with the time it was
counted; small scopes are counted on every visit, exactly, because that is cheap.
"""
from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from accounts.access import paths_for

CACHE_SECONDS = 600
EXACT_BELOW = 10_000
LAST_SECONDS = 86_400  # the last counts, shown while they are counted again
COUNTING_SECONDS = 120  # a recount that died leaves its mark this long


def _key(user) -> str:
    paths = paths_for(user)
    scope = "*" if paths is None else ",".join(paths)
    return "home-counts:" + hashlib.sha1(scope.encode()).hexdigest()


def compute(user) -> dict:
    """The exact counts of the user's scope: organizations, people (by category, top countries), enterprises, members."""
    from orgs.models import Organization
    from registry.models import Enterprise, Membership, Person

    people = Person.objects.visible_to(user).active()
    by_category = dict(people.values_list("category").annotate(n=Count("id")).values_list("category", "n"))
    return {
        "organizations": Organization.objects.visible_to(user).count(),
        "people": sum(by_category.values()),
        "enterprises": Enterprise.objects.visible_to(user).count(),
        "members": Membership.objects.visible_to(user).filter(left_on__isnull=True).count(),
        "by_category": by_category,
        "by_country": list(
            people.exclude(country="").values_list("country").annotate(n=Count("id")).order_by("-n")[:8]
        ),
        "counted_at": timezone.now(),
    }


def scope_counts(user) -> dict:
    """Counts for the home page: from the cache for large scopes (marked `approximate`), else exact.

    When a scope's counts expire, one request counts again and the others, meanwhile, show the last counts
    (kept LAST_SECONDS, with the time they were taken): every home page opened during a province's recount
    (a second of the database's time) used to count too, and a dozen at once stalled the server.
    """
    key = _key(user)
    cached = cache.get(key)
    if cached is not None:
        return {**cached, "approximate": True}
    last = cache.get(key + ":last")
    if last is not None and not cache.add(key + ":counting", 1, COUNTING_SECONDS):
        return {**last, "approximate": True}
    try:
        counts = compute(user)
        if max(counts["people"], counts["enterprises"], counts["members"]) >= EXACT_BELOW:
            cache.set(key, counts, CACHE_SECONDS)
            cache.set(key + ":last", counts, LAST_SECONDS)
    finally:
        if last is not None:
            cache.delete(key + ":counting")
    return {**counts, "approximate": False}
