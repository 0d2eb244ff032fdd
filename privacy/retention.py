"""Retention: how long each kind of record keeps its personal data, applied by `manage.py retention apply`.

PRIVACY_RETENTION_DAYS (settings) gives the days per kind; a record past its period is anonymised
through `privacy.erasure.anonymise_record` (the row stays for the figures, its personal fields go)
or, where the row is nothing but personal data (an invitation link), deleted. The audit and security
logs are not here: `manage.py audit prune` keeps them for their own period (≥ 180 days).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import log_action
from privacy.erasure import anonymise_record
from privacy.models import Erasure

DEFAULT_DAYS = {
    "cases.closed": 5 * 365,
    "activities.registration": 3 * 365,
    "directory.inquiry": 2 * 365,
    "portal.invitation": 90,
}
BATCH = 500


@dataclass(frozen=True)
class Rule:
    """One kind of record: which rows are past `days`, and what happens to them."""

    key: str
    title: str
    model: str
    due: Callable[[dt.datetime], Q]
    fields: tuple[str, ...] = ()
    delete: bool = False

    @property
    def days(self) -> int:
        """The retention period in days (settings.PRIVACY_RETENTION_DAYS, else the default)."""
        return int(getattr(settings, "PRIVACY_RETENTION_DAYS", {}).get(self.key, DEFAULT_DAYS[self.key]))

    def queryset(self, now: dt.datetime):
        """Rows past their period and not anonymised yet."""
        model = apps.get_model(self.model)
        qs = model._base_manager.filter(self.due(now - dt.timedelta(days=self.days)))
        if not self.delete:
            qs = qs.exclude(pk__in=Erasure.objects.filter(model=model._meta.label_lower).values("object_id"))
        return qs.order_by("pk")


RULES = [
    Rule("cases.closed", _("办结的诉求：申请人身份信息"), "cases.Case",
         lambda cutoff: Q(closed_at__lt=cutoff),
         fields=("applicant_name", "id_number", "phone", "email", "description", "satisfaction_comment")),
    Rule("activities.registration", _("活动报名：姓名和电话"), "activities.Registration",
         lambda cutoff: Q(activity__end__lt=cutoff.date()) | Q(activity__end__isnull=True,
                                                                activity__start__lt=cutoff.date()),
         fields=("name", "phone")),
    Rule("directory.inquiry", _("询盘：采购方姓名和邮箱"), "directory.Inquiry",
         lambda cutoff: Q(created_at__lt=cutoff), fields=("buyer_name", "buyer_email")),
    Rule("portal.invitation", _("会员邀请链接"), "portal.Invitation",
         lambda cutoff: Q(expires_at__lt=cutoff), delete=True),
]


def rules() -> list[Rule]:
    """The rules of the apps installed."""
    installed = {a.label for a in apps.get_app_configs()}
    return [r for r in RULES if r.model.split(".")[0] in installed]


def apply(*, by, dry_run: bool = False, now: dt.datetime | None = None) -> dict:
    """Anonymise or delete every record past its period; with dry_run, only count them."""
    now = now or timezone.now()
    report = {"dry_run": dry_run, "at": now.isoformat(), "kinds": []}
    for rule in rules():
        qs = rule.queryset(now)
        due = qs.count()
        done = 0
        if not dry_run:
            done = _apply_rule(rule, qs, by)
        report["kinds"].append({"kind": rule.key, "title": str(rule.title), "days": rule.days,
                                "cutoff": (now - dt.timedelta(days=rule.days)).date().isoformat(),
                                "due": due, "applied": done,
                                "action": "delete" if rule.delete else "anonymise"})
    return report


def _apply_rule(rule: Rule, qs, by) -> int:
    done = 0
    while True:
        batch = list(qs[:BATCH])
        if not batch:
            return done
        with transaction.atomic():
            for obj in batch:
                if rule.delete:
                    log_action(obj, "privacy.record.deleted", by, {"reason": f"retention:{rule.key}"})
                    obj.delete()
                else:
                    anonymise_record(obj, by=by, reason=f"retention:{rule.key}", fields=rule.fields)
        done += len(batch)
