"""Deadlines in working days: Chinese public holidays and make-up working days (调休) count as they fall.

The calendar is `chinese-calendar`'s (the State Council's yearly notice); for a year it does not
know yet, Monday to Friday are working days.
"""
from __future__ import annotations

import datetime as dt

import chinese_calendar
from django.conf import settings

from cases.models import DeadlineRule

DEFAULT_DAYS = {"accept": 2, "acknowledge": 1, "answer": 5, "resolve": 20}


def is_working_day(day: dt.date) -> bool:
    """Whether `day` is a working day in mainland China (holidays off, make-up Saturdays and Sundays on)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (the day of `start` itself does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_for(org, kind: str, step: str) -> int:
    """The configured number of working days for `step` of a case of `kind` handled by `org`.

    The rule of the nearest organization up the tree wins, a rule for the kind before one for
    every kind; then the CASES_DEADLINES setting, then the defaults above.
    """
    ancestors = [org.path[:i] for i in range(org.steplen, len(org.path) + 1, org.steplen)]
    rules = DeadlineRule.objects.filter(org__path__in=ancestors, step=step, kind__in=[kind, ""]).values_list(
        "org__path", "kind", "working_days")
    best = sorted(rules, key=lambda r: (-len(r[0]), r[1] == ""))
    if best:
        return best[0][2]
    configured = getattr(settings, "CASES_DEADLINES", {})
    return configured.get(f"{kind}.{step}", configured.get(step, DEFAULT_DAYS[step]))


def due_date(org, kind: str, step: str, start: dt.date) -> dt.date:
    """The deadline of `step` counted from `start`."""
    return add_working_days(start, working_days_for(org, kind, step))
