"""Figures for dashboards and reviews: pre-computed snapshots when fresh, live otherwise; trends; rankings.

A snapshot holds an indicator for an organization's whole subtree, computed by a superuser-like
reader. It is served only to users who may view that organization (whose view of the subtree is
the whole subtree), so it never shows more than `visible_to` would.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import Substr
from django.utils import timezone

from accounts.access import can
from orgs.models import Organization
from stats.indicators import REGISTRY, Result, Scope, change, evaluate, get, records_url

FRESH_FOR = dt.timedelta(hours=24)
TREND_YEARS = 5
TREND_KEYS = ("registry.people.registered", "registry.people.count")
RANKED = ("registry.people.count", "registry.enterprises.count", "registry.members.current",
          "orgs.organizations.count")


def year_period(year: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """1 January to 31 December, or to today for the current year."""
    today = today or dt.date.today()
    end = dt.date(year, 12, 31)
    return dt.date(year, 1, 1), min(end, today) if year == today.year else end


def figure(key: str, *, user, org, start: dt.date, end: dt.date, stale_ok: bool = False) -> Result:
    """The indicator for the user's view of the subtree, from a fresh snapshot where one applies
    (with `stale_ok`, from the latest snapshot however old: the page says when it was computed)."""
    snap = _snapshot(org, key, start, end, user, stale_ok)
    if snap is not None:
        indicator = get(key)
        return Result(key, str(indicator.title), str(indicator.unit), snap.value, snap.previous,
                      change(snap.value, snap.previous), start, end, str(indicator.description),
                      records_url(indicator, Scope(user, org, start, end)), snap.computed_at)
    result = evaluate(key, user=user, org=org, start=start, end=end)
    result.computed_at = timezone.now()
    return result


def _snapshot(org, key: str, start: dt.date, end: dt.date, user, stale_ok: bool = False):
    """A fresh snapshot row the user may be served (any age with `stale_ok`), or None."""
    from stats.models import Snapshot

    if org is None or not can(user, "view", org):
        return None
    rows = Snapshot.objects.filter(org=org, key=key, start=start, end=end)
    if not stale_ok:
        rows = rows.filter(computed_at__gte=timezone.now() - FRESH_FOR)
    return rows.order_by("-computed_at").first()


def has_fresh_snapshots(org, start: dt.date, end: dt.date) -> bool:
    """Whether the organization's snapshots of the period were computed within FRESH_FOR."""
    from stats.models import Snapshot

    return Snapshot.objects.filter(org=org, start=start, end=end,
                                   computed_at__gte=timezone.now() - FRESH_FOR).exists()


def has_snapshots(org, start: dt.date, end: dt.date) -> bool:
    """Whether the organization has snapshots of the period at all."""
    from stats.models import Snapshot

    return Snapshot.objects.filter(org=org, start=start, end=end).exists()


def series(key: str, *, user, org, years: list[int], stale_ok: bool = False) -> list[dict]:
    """The indicator year by year, from the snapshot of the last year's trend when fresh (or any, `stale_ok`)."""
    start, end = year_period(years[-1])
    snap = _snapshot(org, f"series:{key}:{years[0]}", start, end, user, stale_ok)
    if snap is not None:
        return snap.value
    return compute_series(key, user=user, org=org, years=years)


def compute_series(key: str, *, user, org, years: list[int]) -> list[dict]:
    """The indicator year by year (per-period figures per year; cumulative ones at each year's end)."""
    indicator = get(key)
    out = []
    for year in years:
        start, end = year_period(year)
        scope = Scope(user, org, start, end)
        out.append({"year": year, "value": _plain(indicator.compute(scope)),
                    "url": records_url(indicator, scope)})
    return out


def ranking(key: str, *, user, org, start: dt.date, end: dt.date, limit: int = 20,
            stale_ok: bool = False) -> list[dict]:
    """The ranking of the organizations under `org`, from a fresh snapshot when there is one."""
    snap = _snapshot(org, f"ranking:{key}", start, end, user, stale_ok)
    if snap is not None:
        return snap.value[:limit]
    return compute_ranking(key, user=user, org=org, start=start, end=end, limit=limit)


def compute_ranking(key: str, *, user, org, start: dt.date, end: dt.date, limit: int = 20) -> list[dict]:
    """The organizations directly under `org` ranked by a counted indicator over their subtrees (one query)."""
    if key not in RANKED:
        raise ValueError(f"{key} cannot be ranked")
    indicator = REGISTRY[key]
    scope = Scope(user, org, start, end)
    children = list(_children(org)) if org is not None else list(
        Organization.objects.visible_to(user).filter(depth=1))
    if not children:
        return []
    length = len(children[0].path)
    qs = indicator.records(scope)
    lookup = qs.model.scope_path
    counts = dict(qs.annotate(branch=Substr(lookup, 1, length)).values_list("branch")
                  .annotate(n=Count("pk")).values_list("branch", "n"))
    rows = []
    for child in children:
        n = counts.get(child.path, 0)
        rows.append({"code": child.code, "name": child.short_name or child.name, "value": n,
                     "url": records_url(indicator, Scope(user, child, start, end))})
    rows.sort(key=lambda r: -r["value"])
    return rows[:limit]


def _children(org):
    return Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)


def _plain(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    return value


@dataclass
class Freshness:
    """How old the figures on a page are: the oldest computed_at among them."""

    computed_at: object

    @classmethod
    def of(cls, results) -> Freshness:
        """The oldest moment among results."""
        moments = [r.computed_at for r in results if r.computed_at]
        return cls(min(moments) if moments else timezone.now())
