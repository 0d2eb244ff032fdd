"""Data-subject requests, consents and the record of what was anonymised (PIPL arts. 44–47, 50)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from orgs.models import Organization
from registry.models import Person


class RequestKind(models.TextChoices):
    """What the person asks for (PIPL art. 44–47, 15)."""

    ACCESS = "access", _("查阅、复制")
    CORRECTION = "correction", _("更正、补充")
    DELETION = "deletion", _("删除（匿名化）")
    WITHDRAWAL = "withdrawal", _("撤回同意")


class RequestStatus(models.TextChoices):
    """Where a request stands."""

    OPEN = "open", _("处理中")
    DONE = "done", _("已办结")
    REFUSED = "refused", _("不予办理")


class RequestQuerySet(ScopedQuerySet):
    """Requests, with the open and overdue ones at hand."""

    def open(self):
        """Requests not answered yet."""
        return self.filter(status=RequestStatus.OPEN)

    def overdue(self, today=None):
        """Open requests past their due date."""
        return self.open().filter(due_on__lt=today or timezone.localdate())


class SubjectRequest(models.Model):
    """A person's request about their personal information, tracked to its deadline."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理组织"))
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="subject_requests", verbose_name=_("人员"))
    kind = models.CharField(_("类型"), max_length=20, choices=RequestKind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN,
                              db_index=True)
    details = models.TextField(_("请求内容"), blank=True, max_length=2000)
    channel = models.CharField(_("提出方式"), max_length=60, blank=True, help_text=_("如 书面、电话、会员门户"))
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    due_on = models.DateField(_("答复期限"), db_index=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("办理人"))
    handled_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    outcome = models.TextField(_("办理结果"), blank=True)
    result = models.JSONField(_("结果明细"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("登记人"))

    scope_path = "org__path"
    objects = models.Manager.from_queryset(RequestQuerySet)()

    class Meta:
        verbose_name = _("个人信息权利请求")
        verbose_name_plural = _("个人信息权利请求")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def overdue(self) -> bool:
        """Whether the request is open past its due date."""
        return self.status == RequestStatus.OPEN and self.due_on < timezone.localdate()


class Purpose(models.TextChoices):
    """What a consent is for."""

    DIRECTORY = "directory", _("在名录中公开")
    NOTICES = "notices", _("接收通知和推送")
    PHOTOS = "photos", _("使用照片和事迹宣传")
    SHARING = "sharing", _("向合作单位提供")
    CROSS_BORDER = "cross_border", _("向境外提供")


class ConsentMethod(models.TextChoices):
    """How consent was given."""

    WRITTEN = "written", _("书面签字")
    ONLINE = "online", _("线上勾选")
    VERBAL = "verbal", _("口头（已记录）")
    PORTAL = "portal", _("会员门户")


class ConsentQuerySet(ScopedQuerySet):
    """Consents, with the ones in force at hand."""

    def active(self):
        """Consents given and not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """A person's consent to one purpose, from when it was given to when it was withdrawn."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents", verbose_name=_("人员"))
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices)
    method = models.CharField(_("方式"), max_length=10, choices=ConsentMethod.choices, default=ConsentMethod.WRITTEN)
    given_at = models.DateTimeField(_("同意时间"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("记录人"))

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ConsentQuerySet)()

    class Meta:
        verbose_name = _("同意记录")
        verbose_name_plural = _("同意记录")
        ordering = ["-given_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "purpose"], condition=Q(withdrawn_at__isnull=True),
                                    name="privacy_consent_one_active"),
        ]

    def __str__(self):
        return f"{self.person} {self.get_purpose_display()}"

    @property
    def active(self) -> bool:
        """Whether the consent is in force."""
        return self.withdrawn_at is None


class Erasure(models.Model):
    """A record that was anonymised, why and when (no personal data: the label and the id only).

    Keeps `retention apply` idempotent and answers "was this person erased?" without a
    field on the registry's models.
    """

    model = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    reason = models.CharField(max_length=60)
    request = models.ForeignKey(SubjectRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    erased_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "object_id"], name="privacy_erasure_unique")]

    def __str__(self):
        return f"{self.model}:{self.object_id}"
