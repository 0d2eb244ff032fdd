"""Cases (诉求) and what handling them needs: departments, experts, mediation rooms and their rota,
dispatches to departments (吹哨/报到), mediation sessions, referrals, attachments, the timeline
and the configurable deadlines. Every record belongs to the organization that handles the case.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedCharField, EncryptedFieldsMixin, EncryptedQuerySetMixin, LookupHashField
from core.scoping import VIEW, ScopedQuerySet
from core.validators import validate_id_number, validate_phone
from orgs.models import Organization


class Kind(models.TextChoices):
    """Kinds of case (see the glossary)."""

    POLICY_CONSULTATION = "policy_consultation", _("政策咨询")
    LEGAL_CONSULTATION = "legal_consultation", _("法律咨询")
    RIGHTS_PROTECTION = "rights_protection", _("侨益保护")
    LABOUR_DISPUTE = "labour_dispute", _("劳资纠纷")
    CONSUMER_DISPUTE = "consumer_dispute", _("消费纠纷")
    BUSINESS_DISPUTE = "business_dispute", _("经营纠纷")
    IP_DISPUTE = "ip_dispute", _("知识产权纠纷")
    OTHER = "other", _("其他诉求")


class Channel(models.TextChoices):
    """How the case reached the association."""

    PUBLIC_WEB = "public_web", _("网上受理")
    MEMBER_PORTAL = "member_portal", _("会员服务")
    HOTLINE = "hotline", _("热线电话")
    WALK_IN = "walk_in", _("来访")
    MEDIATION_ROOM = "mediation_room", _("调解室")
    REFERRAL = "referral", _("转交")


class Status(models.TextChoices):
    """Where the case stands in the workflow."""

    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    DECLINED = "declined", _("不予受理")
    ASSIGNED = "assigned", _("已分派")
    DISPATCHED = "dispatched", _("已吹哨")
    MEDIATING = "mediating", _("调解中")
    RESOLVED = "resolved", _("已化解")
    NOT_RESOLVED = "not_resolved", _("未化解")
    CLOSED = "closed", _("已办结")


OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.DISPATCHED, Status.MEDIATING)
# A case is "handled" (resolved or not) once it leaves the open statuses other than by declining.
OUTCOME_STATUSES = (Status.RESOLVED, Status.NOT_RESOLVED, Status.CLOSED)


class Outcome(models.TextChoices):
    """What came of a handled case; kept when it is closed, cleared when it is reopened."""

    RESOLVED = "resolved", _("已化解")
    NOT_RESOLVED = "not_resolved", _("未化解")


class Priority(models.TextChoices):
    """How urgent the case is."""

    LOW = "low", _("低")
    NORMAL = "normal", _("普通")
    HIGH = "high", _("高")
    URGENT = "urgent", _("紧急")


class Step(models.TextChoices):
    """Steps that have a deadline, counted in working days."""

    ACCEPT = "accept", _("受理")
    ACKNOWLEDGE = "acknowledge", _("部门报到")
    ANSWER = "answer", _("部门答复")
    RESOLVE = "resolve", _("办结")


class ReferralKind(models.TextChoices):
    """Where a case is referred or handed over."""

    EXPERT = "expert", _("专家")
    COURT_MEDIATION = "court_mediation", _("诉调对接")
    ARBITRATION = "arbitration", _("仲裁")
    COURT = "court", _("法院")
    OTHER_BODY = "other_body", _("其他机构")


class DepartmentKind(models.TextChoices):
    """Kinds of department a case is dispatched to."""

    MARKET_SUPERVISION = "market_supervision", _("市场监管")
    TAX = "tax", _("税务")
    JUSTICE = "justice", _("司法")
    HUMAN_RESOURCES = "human_resources", _("人力社保")
    PUBLIC_SECURITY = "public_security", _("公安")
    MARKET_OPERATOR = "market_operator", _("市场运营方")
    OTHER = "other", _("其他")


class ExpertKind(models.TextChoices):
    """The expert pool's professions."""

    LAWYER = "lawyer", _("律师")
    MEDIATOR = "mediator", _("调解员")
    ADVISOR = "advisor", _("顾问")
    DOCTOR = "doctor", _("医生")


def _scoped_manager():
    return models.Manager.from_queryset(ScopedQuerySet)()


class Department(models.Model):
    """A department cases are dispatched to (承办部门); its liaison users see only what is dispatched to it."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="case_departments",
                            verbose_name=_("所属组织"))
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=30, choices=DepartmentKind.choices, default=DepartmentKind.OTHER)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    liaisons = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="case_departments",
                                      verbose_name=_("联络员"))
    active = models.BooleanField(_("启用"), default=True)

    scope_path = "org__path"
    objects = _scoped_manager()

    class Meta:
        verbose_name = _("承办部门")
        verbose_name_plural = _("承办部门")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Expert(models.Model):
    """An expert the association can call on: lawyer, mediator, advisor, doctor (专家库)."""

    personal_fields = ("phone", "email")

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="case_experts",
                            verbose_name=_("所属组织"))
    name = models.CharField(_("姓名"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=ExpertKind.choices)
    fields = models.CharField(_("专业领域"), max_length=200, blank=True, help_text=_("以逗号分隔，如 劳动,合同"))
    languages = models.CharField(_("语言"), max_length=200, blank=True, help_text=_("以逗号分隔，如 中文,英语"))
    available = models.BooleanField(_("可接案"), default=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(_("电子邮箱"), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="expert_profiles", verbose_name=_("系统用户"))
    notes = models.TextField(_("备注"), blank=True)

    scope_path = "org__path"
    objects = _scoped_manager()

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家")
        ordering = ["kind", "name"]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"


class MediationRoom(models.Model):
    """A mediation room (调解室) staffed by mediator pairs on a rota."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="mediation_rooms",
                            verbose_name=_("所属组织"))
    name = models.CharField(_("名称"), max_length=100)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    scope_path = "org__path"
    objects = _scoped_manager()

    class Meta:
        verbose_name = _("调解室")
        verbose_name_plural = _("调解室")

    def __str__(self):
        return self.name

    def on_duty(self, day: dt.date):
        """The mediators on duty in this room on `day` (the shift of that date)."""
        shift = self.shifts.filter(date=day).prefetch_related("mediators").first()
        return list(shift.mediators.all()) if shift else []


class DutyShift(models.Model):
    """One day of a room's rota: the pair of mediators on duty."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属组织"))
    room = models.ForeignKey(MediationRoom, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("调解室"))
    date = models.DateField(_("日期"))
    mediators = models.ManyToManyField(Expert, related_name="shifts", verbose_name=_("值班调解员"))

    scope_path = "org__path"
    objects = _scoped_manager()

    class Meta:
        verbose_name = _("值班")
        verbose_name_plural = _("值班表")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["room", "date"], name="dutyshift_room_date_unique")]

    def __str__(self):
        return f"{self.room} {self.date}"


class DeadlineRule(models.Model):
    """A deadline in working days for one step, for one kind of case (or all kinds), in a subtree."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="case_deadlines",
                            verbose_name=_("所属组织"))
    kind = models.CharField(_("诉求类型"), max_length=30, choices=Kind.choices, blank=True,
                            help_text=_("留空适用于所有类型"))
    step = models.CharField(_("环节"), max_length=20, choices=Step.choices)
    working_days = models.PositiveSmallIntegerField(_("时限（工作日）"))

    scope_path = "org__path"
    objects = _scoped_manager()

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        constraints = [models.UniqueConstraint(fields=["org", "kind", "step"], name="deadline_org_kind_step_unique")]

    def __str__(self):
        return f"{self.get_step_display()} {self.working_days}"


class CaseQuerySet(EncryptedQuerySetMixin, ScopedQuerySet):
    """Cases: the org scope, plus, for a department's liaison, the cases dispatched to it."""

    def visible_to(self, user, action: str = VIEW):
        """Records in the user's subtrees; liaisons also see (only see) what was dispatched to them."""
        from accounts.access import scope_q

        q = scope_q(user, self.model.scope_path, action)
        if q is None:
            return self
        if action == VIEW and getattr(user, "is_authenticated", False):
            # Only for a liaison: the OR of a subquery keeps PostgreSQL from using the scope's index
            # (a dashboard's case counts over 1,000,000 cases: 1–3.5 s each instead of milliseconds).
            departments = list(Department.objects.filter(liaisons=user).values_list("pk", flat=True))
            if departments:
                q |= Q(pk__in=Dispatch.objects.filter(department__in=departments).values("case_id"))
        return self.filter(q)

    def open(self):
        """Cases still being handled."""
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: dt.date | None = None):
        """Open cases past their deadline."""
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def queue(self):
        """What a case officer's queue shows: spam is never mixed in."""
        return self.filter(is_spam=False)


class Case(EncryptedFieldsMixin, models.Model):
    """A request, consultation, rights-protection request or dispute (诉求)."""

    personal_fields = ("id_number", "phone", "email")

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cases", verbose_name=_("受理组织"))
    number = models.CharField(_("编号"), max_length=20, unique=True, null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices, db_index=True)
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices, default=Channel.WALK_IN)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    applicant_person = models.ForeignKey("registry.Person", on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="cases", verbose_name=_("申请人（登记人员）"))
    applicant_enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.SET_NULL, null=True,
                                             blank=True, related_name="cases", verbose_name=_("申请企业"))
    applicant_name = models.CharField(_("申请人"), max_length=100)
    id_number = EncryptedCharField(_("身份证号"), max_length=18, blank=True, validators=[validate_id_number],
                                   hash_field="id_number_hash")
    id_number_hash = LookupHashField(source="id_number", db_index=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(_("电子邮箱"), blank=True)
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")
    other_party = models.CharField(_("对方当事人"), max_length=200, blank=True)
    subject = models.CharField(_("事由"), max_length=200)
    description = models.TextField(_("详细情况"), max_length=5000, blank=True)
    amount_involved = models.DecimalField(_("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    amount_recovered = models.DecimalField(_("挽回经济损失（元）"), max_digits=14, decimal_places=2, null=True,
                                           blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="assigned_cases", verbose_name=_("承办人"))
    room = models.ForeignKey(MediationRoom, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="cases", verbose_name=_("调解室"))
    mediators = models.ManyToManyField(Expert, blank=True, related_name="cases", verbose_name=_("调解员"))
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("化解结果时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    accept_due = models.DateField(_("受理期限"), null=True, blank=True)
    due_on = models.DateField(_("办结期限"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("超期督办时间"), null=True, blank=True)
    outcome = models.CharField(_("办理结果"), max_length=20, choices=Outcome.choices, blank=True, db_index=True)
    decline_reason = models.TextField(_("不予受理原因"), blank=True)
    agreement = models.TextField(_("调解协议 / 处理结果"), blank=True)
    not_resolved_reason = models.TextField(_("未化解原因"), blank=True)
    referred_to = models.CharField(_("转交去向"), max_length=20, choices=ReferralKind.choices, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度（1-5）"), null=True, blank=True)
    satisfaction_comment = models.TextField(_("回访意见"), blank=True)
    is_spam = models.BooleanField(_("疑似垃圾信息"), default=False, db_index=True)
    tracking_secret_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("登记人"))

    scope_path = "org__path"
    objects = models.Manager.from_queryset(CaseQuerySet)()

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        base_manager_name = "objects"  # its update() keeps the lookup hash in step (core.fields)
        indexes = [
            models.Index(fields=["org", "submitted_at"], name="case_org_submitted"),
            # Overdue cases (the home page of every officer, the "overdue" queue): submitted ones past their
            # acceptance deadline, handled ones past their resolution deadline. Without them each home page
            # read every case of the scope to find the few overdue (2.3 ms at 4,300 cases, and growing).
            models.Index(fields=["status", "accept_due"], name="case_status_accept_due"),
            models.Index(fields=["status", "due_on"], name="case_status_due_on"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(satisfaction__isnull=True) | Q(satisfaction__range=(1, 5)),
                                   name="case_satisfaction_1_5"),
        ]

    def __str__(self):
        return f"{self.number or ''} {self.subject}".strip()

    @property
    def is_open(self) -> bool:
        """Whether the case is still being handled."""
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        """Open and past its deadline (acceptance while submitted, resolution afterwards)."""
        today = timezone.localdate()
        if self.status == Status.SUBMITTED:
            return bool(self.accept_due and self.accept_due < today)
        return self.is_open and bool(self.due_on and self.due_on < today)

    @property
    def on_time(self) -> bool | None:
        """Whether an outcome came by the deadline (None while there is none)."""
        if not self.decided_at or not self.due_on:
            return None
        return timezone.localdate(self.decided_at) <= self.due_on


class DispatchQuerySet(ScopedQuerySet):
    """Dispatches: the org scope, plus a liaison's own department's."""

    def visible_to(self, user, action: str = VIEW):
        """Records in the user's subtrees, and for liaisons their department's dispatches."""
        from accounts.access import scope_q

        q = scope_q(user, self.model.scope_path, action)
        if q is None:
            return self
        if getattr(user, "is_authenticated", False):
            q |= Q(department__liaisons=user)
        return self.filter(q).distinct()


class Dispatch(models.Model):
    """A case dispatched to a department (吹哨), which acknowledges (报到) and answers by its deadlines."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理组织"))
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="dispatches", verbose_name=_("诉求"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="dispatches",
                                   verbose_name=_("承办部门"))
    note = models.TextField(_("吹哨说明"), blank=True)
    dispatched_at = models.DateTimeField(_("吹哨时间"), default=timezone.now)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("吹哨人"))
    acknowledge_due = models.DateField(_("报到期限"))
    answer_due = models.DateField(_("答复期限"))
    acknowledged_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+", verbose_name=_("报到人"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("答复人"))
    answer = models.TextField(_("答复"), blank=True)
    answer_public = models.BooleanField(_("答复对申请人公开"), default=False)
    escalated_at = models.DateTimeField(_("超期督办时间"), null=True, blank=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(DispatchQuerySet)()

    class Meta:
        verbose_name = _("吹哨")
        verbose_name_plural = _("吹哨")
        ordering = ["dispatched_at", "pk"]

    def __str__(self):
        return f"{self.case} → {self.department}"

    @property
    def state(self) -> str:
        """dispatched, acknowledged or answered."""
        return "answered" if self.answered_at else "acknowledged" if self.acknowledged_at else "dispatched"

    @property
    def is_overdue(self) -> bool:
        """Not acknowledged or not answered by its deadline."""
        today = timezone.localdate()
        if not self.acknowledged_at and self.acknowledge_due < today:
            return True
        return not self.answered_at and self.answer_due < today


class MediationSession(models.Model):
    """One mediation session of a case: when, where, who mediated, who came, what came of it."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理组织"))
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("诉求"))
    held_on = models.DateField(_("调解日期"))
    room = models.ForeignKey(MediationRoom, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions",
                             verbose_name=_("调解室"))
    mediators = models.ManyToManyField(Expert, blank=True, related_name="sessions", verbose_name=_("调解员"))
    parties_present = models.CharField(_("到场当事人"), max_length=300, blank=True)
    result = models.TextField(_("调解情况"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("记录人"))

    scope_path = "org__path"
    objects = _scoped_manager()

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")
        ordering = ["held_on", "pk"]

    def __str__(self):
        return f"{self.case} {self.held_on}"


class Referral(models.Model):
    """A case referred to an expert or handed over to a court's or another body's mediation, and the result."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理组织"))
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("诉求"))
    kind = models.CharField(_("去向"), max_length=20, choices=ReferralKind.choices)
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals",
                               verbose_name=_("专家"))
    body = models.CharField(_("接收机构"), max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True)
    referred_at = models.DateTimeField(_("转交时间"), default=timezone.now)
    result = models.TextField(_("结果"), blank=True)
    result_at = models.DateTimeField(_("结果时间"), null=True, blank=True)

    scope_path = "org__path"
    objects = _scoped_manager()

    class Meta:
        verbose_name = _("转交")
        verbose_name_plural = _("转交")
        ordering = ["referred_at", "pk"]

    def __str__(self):
        return f"{self.case} → {self.expert or self.body}"


def attachment_path(instance, filename):
    """Files go under the case, never under a guessable public URL (served by a checked view)."""
    return f"cases/{instance.case_id}/{filename}"


class Attachment(models.Model):
    """A file attached to a case; type and size are checked by the service before it is stored."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理组织"))
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("诉求"))
    file = models.FileField(_("文件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = _scoped_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self):
        return self.name


class CaseEvent(models.Model):
    """One entry of a case's append-only timeline; `public` entries are what the applicant sees."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理组织"))
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("诉求"))
    action = models.CharField(_("动作"), max_length=60)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+", verbose_name=_("操作人"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    public = models.BooleanField(_("对申请人公开"), default=False)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    scope_path = "org__path"
    objects = _scoped_manager()

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.case} {self.action}"

    def save(self, *args, **kwargs):
        """Append only: a timeline entry, once written, is never changed."""
        if self.pk is not None and not self._state.adding:
            raise ValueError("case timeline entries are append-only")
        super().save(*args, **kwargs)
