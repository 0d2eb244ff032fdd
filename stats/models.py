"""Statistics records: pre-computed figures, annual-review templates, reports submitted up the tree."""
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedManager
from orgs.models import Organization

PERIOD_RE = re.compile(r"^(\d{4})(?:Q([1-4]))?$")


def validate_period(value: str) -> None:
    """A reporting period: a year (2025) or a quarter (2025Q1)."""
    if not PERIOD_RE.match(value or ""):
        raise ValidationError(_("报送期应写作 2025 或 2025Q1。"))


class Snapshot(models.Model):
    """An indicator's value for an organization's whole subtree and a period, computed ahead by a job.

    Valid for every user who may view the organization: grants cover whole subtrees, so such a
    user's view of the subtree is the subtree.
    """

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("组织"))
    key = models.CharField(_("指标"), max_length=100)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"))
    value = models.JSONField(_("数值"))
    previous = models.JSONField(_("上年同期"), null=True)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    scope_path = "org__path"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("指标快照")
        verbose_name_plural = _("指标快照")
        constraints = [models.UniqueConstraint(fields=["org", "key", "start", "end"], name="snapshot_unique")]

    def __str__(self):
        return f"{self.org} {self.key} {self.start}–{self.end}"


class ReviewTemplate(models.Model):
    """An organization's annual-review template: sections (`# 标题`) and sentences with {indicator} figures."""

    org = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="review_template",
                               verbose_name=_("组织"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文模板"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("更新人"))

    scope_path = "org__path"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("年度回眸模板")
        verbose_name_plural = _("年度回眸模板")

    def __str__(self):
        return self.title


class Submission(models.Model):
    """A lower organization's figures for a period, submitted to its parent."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="submissions",
                            verbose_name=_("报送单位"))
    parent = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="received_submissions",
                               verbose_name=_("上级单位"))
    period = models.CharField(_("报送期"), max_length=6, validators=[validate_period])
    figures = models.JSONField(_("数据"), default=dict)
    note = models.TextField(_("说明"), blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("报送人"))
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("退回人"))
    return_reason = models.TextField(_("退回原因"), blank=True)

    scope_path = "org__path"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("统计报送")
        verbose_name_plural = _("统计报送")
        ordering = ["-period", "org__path"]
        constraints = [models.UniqueConstraint(fields=["org", "period"], name="submission_org_period_unique")]

    def __str__(self):
        return f"{self.org} {self.period}"

    @property
    def returned(self) -> bool:
        """Sent back by the parent and not submitted again since."""
        return self.returned_at is not None
