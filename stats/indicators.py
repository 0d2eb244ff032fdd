"""Named indicators: every figure on a dashboard or in the annual review is one of these.

An indicator is a documented query computed for an organization subtree and a period,
seen through the caller's scope (`visible_to`), with the same period a year before and
the change. Apps register theirs in `<app>/indicators.py` (autodiscovered):

    register(Indicator(key="registry.people.count", title=_("登记人员"), unit=_("人"),
                       description=…, compute=lambda s: s.qs(Person).filter(…).count(),
                       records=lambda s: s.qs(Person)…, list_url="registry:person-list"))

`compute(scope)` returns a number, or a dict {label: number} for a breakdown;
`records(scope)` returns the queryset of the rows behind the figure.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Scope:
    """Who asks, for which subtree, over which period (inclusive dates)."""

    user: object
    org: object | None
    start: dt.date
    end: dt.date
    own_only: bool = False

    def qs(self, model, path_lookup: str | None = None):
        """The model's records visible to the user and inside the subtree (or at the node only, `own_only`)."""
        qs = model.objects.visible_to(self.user)
        if self.org is not None:
            lookup = path_lookup or model.scope_path
            if self.own_only:
                qs = qs.filter(**{lookup: self.org.path})
            else:
                qs = qs.filter(**{f"{lookup}__startswith": self.org.path})
        return qs

    def start_dt(self) -> dt.datetime:
        """The start of the period as an aware datetime (for timestamp fields)."""
        from django.utils import timezone

        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    def end_dt(self) -> dt.datetime:
        """The end of the period (inclusive) as an aware datetime."""
        from django.utils import timezone

        return timezone.make_aware(dt.datetime.combine(self.end, dt.time.max))

    def year_before(self) -> Scope:
        """The same period one year earlier (29 February becomes 28 February)."""
        return Scope(self.user, self.org, _shift_year(self.start), _shift_year(self.end), self.own_only)


def _shift_year(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


@dataclass(frozen=True)
class Indicator:
    """A named, documented figure.

    `list_url` names the list page of the rows behind it; `list_filters(scope)` gives that list's
    query parameters for the period, and `breakdown_param` the parameter a breakdown's label
    becomes (clicking 意大利 in people by country opens the people list with ?country=IT).
    `additive` figures can be summed over organizations (a share cannot).
    """

    key: str
    title: object
    unit: object
    description: object
    compute: Callable[[Scope], object]
    records: Callable[[Scope], object] | None = None
    list_url: str | None = None
    cumulative: bool = False
    tags: tuple = field(default=())
    list_filters: Callable[[Scope], dict] | None = None
    breakdown_param: str | None = None
    additive: bool = True
    org_param: str = "org"


REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    """Add an indicator to the registry (keys are unique)."""
    if indicator.key in REGISTRY and REGISTRY[indicator.key] is not indicator:
        raise ValueError(f"indicator {indicator.key} is registered twice")
    REGISTRY[indicator.key] = indicator
    return indicator


@dataclass
class Result:
    """An indicator's value for a scope, the value a year before and the change."""

    key: str
    title: str
    unit: str
    value: object
    previous: object
    change: float | None
    start: dt.date
    end: dt.date
    description: str = ""
    url: str | None = None
    computed_at: object = None

    def as_dict(self) -> dict:
        """JSON-ready form (`manage.py indicator`, the API)."""
        return {
            "key": self.key, "title": self.title, "unit": self.unit,
            "value": _jsonable(self.value), "previous": _jsonable(self.previous),
            "change": self.change, "from": self.start.isoformat(), "to": self.end.isoformat(),
            "description": self.description, "url": self.url,
            "computed_at": self.computed_at.isoformat() if self.computed_at else None,
        }


def _jsonable(value):
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def change(value, previous) -> float | None:
    """Relative change in percent, rounded to two places (70.41 for +70.41%); None when undefined."""
    if isinstance(value, dict) or isinstance(previous, dict) or not previous:
        return None
    return round(float((Decimal(value) - Decimal(previous)) * 100 / Decimal(previous)), 2)


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """This calendar year up to today."""
    today = today or dt.date.today()
    return dt.date(today.year, 1, 1), today


EPOCH = dt.date(1900, 1, 1)


def get(key: str) -> Indicator:
    """The indicator named `key`; KeyError with a readable message otherwise."""
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(_("没有名为 %(k)s 的指标。") % {"k": key}) from None


def evaluate(key: str, *, user, org=None, start: dt.date | None = None, end: dt.date | None = None,
             own_only: bool = False) -> Result:
    """Compute an indicator for the user's view of `org`'s subtree over [start, end]."""
    indicator = get(key)
    default_start, default_end = default_period()
    scope = Scope(user, org, start or default_start, end or default_end, own_only)
    value = indicator.compute(scope)
    previous = indicator.compute(scope.year_before())
    return Result(key, str(indicator.title), str(indicator.unit), value, previous, change(value, previous),
                  scope.start, scope.end, str(indicator.description), records_url(indicator, scope))


def cumulative(key: str, *, user, org=None, end: dt.date | None = None) -> Result:
    """The cumulative form of a per-period indicator: everything from the beginning up to `end`."""
    return evaluate(key, user=user, org=org, start=EPOCH, end=end or dt.date.today())


def records_url(indicator: Indicator, scope: Scope, label: str | None = None) -> str | None:
    """The list page of the rows behind the figure (or behind one label of a breakdown), same scoping."""
    if not indicator.list_url:
        return None
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse

    try:
        base = reverse(indicator.list_url)
    except NoReverseMatch:  # an app's list page that is not routed (yet): the figure stays, without a link
        return None
    params = dict(indicator.list_filters(scope)) if indicator.list_filters else {}
    if scope.org is not None and indicator.org_param not in params:
        params[indicator.org_param] = scope.org.code
    if label is not None and indicator.breakdown_param:
        params[indicator.breakdown_param] = label
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return base + (f"?{query}" if query else "")
