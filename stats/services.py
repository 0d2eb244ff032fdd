"""Writes of the stats app: review templates, reports submitted up the tree, snapshot refreshes."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import acting, log_action
from core.services import require
from orgs.models import Organization
from stats.indicators import REGISTRY, Scope
from stats.models import PERIOD_RE, ReviewTemplate, Snapshot, Submission, validate_period


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """2025 → 1 January to 31 December 2025; 2025Q2 → 1 April to 30 June 2025."""
    validate_period(period)
    year, quarter = PERIOD_RE.match(period).groups()
    year = int(year)
    if not quarter:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    q = int(quarter)
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
    return start, end - dt.timedelta(days=1)


def save_template(*, by, org, title: str, body: str) -> ReviewTemplate:
    """Create or replace the organization's annual-review template."""
    require(by, "change", org)
    if not title.strip() or not body.strip():
        raise ValidationError(_("标题和正文都不能为空。"))
    with transaction.atomic(), acting(by):
        template, _created = ReviewTemplate.objects.update_or_create(
            org=org, defaults={"title": title.strip(), "body": body, "updated_by": by})
    return template


def _number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def reported_keys() -> list[str]:
    """The indicators a report carries: every additive indicator (a sum over organizations makes sense)."""
    return sorted(k for k, i in REGISTRY.items() if i.additive)


def own_figures(*, by, org, period: str) -> dict:
    """Figures of the records held at `org` itself (not its children), for the period."""
    start, end = period_bounds(period)
    scope = Scope(by, org, start, end, own_only=True)
    out = {}
    for key in reported_keys():
        value = REGISTRY[key].compute(scope)
        if _number(value):
            out[key] = float(value) if isinstance(value, Decimal) else value
    return out


def rollup(*, by, org, period: str) -> dict:
    """The organization's figures: its own records plus the latest reports of its direct children."""
    figures = own_figures(by=by, org=org, period=period)
    children = Submission.objects.visible_to(by).filter(parent=org, period=period, org__depth=org.depth + 1,
                                                        returned_at__isnull=True)
    for sub in children:
        for key, value in sub.figures.items():
            if _number(value) and key in figures:
                figures[key] = figures[key] + value
    return figures


def submit(*, by, org, period: str, note: str = "") -> Submission:
    """Submit the organization's figures for a period to its parent (again replaces the earlier report)."""
    require(by, "change", org)
    validate_period(period)
    parent = Organization.objects.filter(path=org.path[:-org.steplen]).first() if org.depth > 1 else None
    if parent is None:
        raise ValidationError(_("“%(org)s”没有上级单位，无需报送。") % {"org": org})
    figures = rollup(by=by, org=org, period=period)
    with transaction.atomic(), acting(by):
        sub, created = Submission.objects.update_or_create(
            org=org, period=period,
            defaults={"parent": parent, "figures": figures, "note": note, "submitted_by": by,
                      "submitted_at": timezone.now(), "returned_at": None, "returned_by": None,
                      "return_reason": ""})
        log_action(sub, "stats.submission.submitted", by, {"period": period, "resubmitted": not created})
    return sub


def send_back(*, by, submission: Submission, reason: str) -> Submission:
    """The parent returns a report to the organization that sent it, saying why; it no longer rolls up
    until it is submitted again. The submitter is told by e-mail."""
    from core.notifications import notify

    require(by, "change", submission.parent)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明退回原因，以便下级修改后重新报送。")})
    if submission.returned:
        raise ValidationError(_("该报送已退回，等待重新报送。"))
    with transaction.atomic(), acting(by):
        submission.returned_at, submission.returned_by, submission.return_reason = timezone.now(), by, reason
        submission.save(update_fields=["returned_at", "returned_by", "return_reason"])
        log_action(submission, "stats.submission.returned", by, {"period": submission.period, "reason": reason})
    email = getattr(submission.submitted_by, "email", "")
    if email:
        transaction.on_commit(lambda: notify(
            emails=[email], subject=_("统计报送被退回：%(org)s %(p)s") % {"org": submission.org, "p": submission.period},
            body=_("%(parent)s 退回了 %(org)s %(p)s 的报送，原因：%(r)s。请修改后重新报送。") % {
                "parent": submission.parent, "org": submission.org, "p": submission.period, "r": reason}))
    return submission


def children_of(org):
    """The organizations directly under `org`, in tree order."""
    return Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)


def status(*, by, org, period: str) -> list[dict]:
    """Who under `org` has submitted for the period: each direct child with its report or None."""
    require(by, "view", org)
    subs = {s.org_id: s for s in Submission.objects.visible_to(by).filter(parent=org, period=period)}
    return [{"org": child, "submission": subs.get(child.pk)} for child in children_of(org)]


def refresh_snapshots(*, by, orgs, year: int, keys=None, progress=None) -> int:
    """Recompute the indicators of `orgs` for the year into snapshots (a background job runs this)."""
    from stats.figures import RANKED, TREND_KEYS, TREND_YEARS, compute_ranking, compute_series, year_period

    start, end = year_period(year)
    years = list(range(year - TREND_YEARS + 1, year + 1))
    keys = list(keys or REGISTRY)
    done = 0
    for org in orgs:
        require(by, "view", org)
        scope = Scope(by, org, start, end)
        before = scope.year_before()
        rows = []
        for key in keys:
            indicator = REGISTRY[key]
            rows.append(Snapshot(org=org, key=key, start=start, end=end,
                                 value=_json(indicator.compute(scope)), previous=_json(indicator.compute(before)),
                                 computed_at=timezone.now()))
        extra = {f"series:{k}:{years[0]}": compute_series(k, user=by, org=org, years=years)
                 for k in TREND_KEYS if k in keys}
        extra.update({f"ranking:{k}": compute_ranking(k, user=by, org=org, start=start, end=end, limit=100)
                      for k in RANKED if k in keys})
        rows += [Snapshot(org=org, key=k, start=start, end=end, value=v, computed_at=timezone.now())
                 for k, v in extra.items()]
        with transaction.atomic():
            Snapshot.objects.filter(org=org, start=start, end=end, key__in=[r.key for r in rows]).delete()
            Snapshot.objects.bulk_create(rows)
        done += 1
        if progress:
            progress(done)
    return done


def _json(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    return value
