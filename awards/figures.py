"""Figures for enterprise and person nominees, counted from the records that name them.

Indicators count per organization subtree; an enterprise or a person is not a subtree, so
their figures are counted here from the rows where they appear (a donor, a side of a pair,
an investor, a participant, a volunteer). Each figure has a key, a title and a unit like an
indicator, and is computed for the campaign year and the year before.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NomineeFigure:
    """One figure of a nominee: `compute(nominee, start, end)` gives its value for the period."""

    key: str
    title: str
    unit: str
    compute: Callable


def _donations(field):
    def compute(nominee, start, end):
        from charity.models import Donation

        total = Donation.objects.filter(**{field: nominee}, received_on__range=(start, end)).aggregate(
            v=Sum("value"))["v"]
        return total or Decimal(0)
    return compute


def _pairs(field):
    def compute(nominee, start, end):
        from pairing.models import Pair

        return Pair.objects.filter(Q(**{f"helper__{field}": nominee}) | Q(**{f"beneficiary__{field}": nominee}),
                                   started_on__range=(start, end)).count()
    return compute


def _landed(nominee, start, end):
    from activities.models import Project

    total = Project.objects.filter(investor_enterprise=nominee, landed_on__range=(start, end)).aggregate(
        v=Sum("landed_amount"))["v"]
    return total or Decimal(0)


def _person_times(nominee, start, end):
    from activities.models import Attendance

    return Attendance.objects.filter(registration__person=nominee,
                                     session__date__range=(start, end)).count()


def _volunteer_hours(nominee, start, end):
    from activities.models import Service

    total = Service.objects.filter(volunteer__person=nominee, date__range=(start, end)).aggregate(
        v=Sum("hours"))["v"]
    return total or Decimal(0)


ENTERPRISE_FIGURES = (
    NomineeFigure("enterprise.donations", _("捐赠金额（含物资估值）"), _("元"), _donations("donor_enterprise")),
    NomineeFigure("enterprise.pairs", _("新结对"), _("对"), _pairs("enterprise")),
    NomineeFigure("enterprise.investment_landed", _("引进项目到位资金"), _("万元"), _landed),
)
PERSON_FIGURES = (
    NomineeFigure("person.donations", _("捐赠金额（含物资估值）"), _("元"), _donations("donor_person")),
    NomineeFigure("person.person_times", _("参加活动人次"), _("人次"), _person_times),
    NomineeFigure("person.volunteer_hours", _("志愿服务时长"), _("小时"), _volunteer_hours),
    NomineeFigure("person.pairs", _("新结对"), _("对"), _pairs("person")),
)


def figures_for(nomination) -> list[dict]:
    """The enterprise's or person's figures for the campaign year, with the year before and the change in %."""
    if nomination.nominee_enterprise_id:
        nominee, figures = nomination.nominee_enterprise, ENTERPRISE_FIGURES
    elif nomination.nominee_person_id:
        nominee, figures = nomination.nominee_person, PERSON_FIGURES
    else:
        return []
    year = nomination.campaign.year
    out = []
    for figure in figures:
        value = Decimal(str(figure.compute(nominee, dt.date(year, 1, 1), dt.date(year, 12, 31))))
        previous = Decimal(str(figure.compute(nominee, dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31))))
        change = round(float((value - previous) * 100 / previous), 2) if previous else None
        out.append({"key": figure.key, "title": str(figure.title), "unit": str(figure.unit), "value": value,
                    "previous": previous, "change": change})
    return out
