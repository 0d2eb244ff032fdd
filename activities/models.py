"""Activities (活动): trips, trainings, events and their registrations, sessions, attendance and outcomes;
investment projects brought home (招商引资); volunteer teams, volunteers and their services."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from core.validators import validate_region
from orgs.models import Organization
from registry.models import Enterprise, Industry, Person

Scoped = models.Manager.from_queryset(ScopedQuerySet)


class Kind(models.TextChoices):
    """Kinds of activity (see the glossary)."""

    STUDY_TRIP = "study_trip", _("考察")
    TRAINING = "training", _("培训")
    PUBLIC_WELFARE = "public_welfare", _("公益活动")
    FORUM = "forum", _("座谈会/论坛")
    INVESTMENT_PROMOTION = "investment_promotion", _("招商推介")
    MEETING = "meeting", _("代表大会/理事会")
    OTHER = "other", _("其他")


class Audience(models.TextChoices):
    """Who may register."""

    MEMBERS = "members", _("会员")
    COUNCIL = "council", _("仅理事会")
    PUBLIC = "public", _("公开")


class Activity(models.Model):
    """An activity with its dates, place, capacity and the running totals of its attendance.

    `participants`, `person_times` and `hours` are kept by the services from the attendance
    (or taken from the sheet for activities imported from past years), so that a year's
    figures are sums over one table.
    """

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="activities",
                            verbose_name=_("主办组织"))
    co_organizers = models.ManyToManyField(Organization, blank=True, related_name="co_organized_activities",
                                           verbose_name=_("协办组织"))
    number = models.CharField(_("编号"), max_length=40, blank=True, help_text=_("导入时按它更新。"))
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)
    city = models.CharField(_("城市"), max_length=60, blank=True)
    country = models.CharField(_("国家或地区"), max_length=2, blank=True, help_text=_("ISO 两位代码，如 CN、IT"))
    destinations = models.CharField(_("考察目的地"), max_length=200, blank=True,
                                    help_text=_("国家或地区代码，以逗号分隔，如 KE,TZ"))
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True, help_text=_("留空为不限"))
    audience = models.CharField(_("对象"), max_length=10, choices=Audience.choices, default=Audience.MEMBERS)
    description = models.TextField(_("简介"), blank=True)
    agenda = models.TextField(_("议程"), blank=True)
    registration_open = models.BooleanField(_("开放报名"), default=True)
    participants = models.PositiveIntegerField(_("参加人数"), default=0)
    person_times = models.PositiveIntegerField(_("参加人次"), default=0)
    hours = models.DecimalField(_("培训学时（人·小时）"), max_digits=12, decimal_places=1, default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-start", "-pk"]
        indexes = [models.Index(fields=["start"], name="activities_activity_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                                   name="activities_activity_end_after_start"),
            models.UniqueConstraint(fields=["org", "number"], condition=~Q(number=""),
                                    name="activities_activity_number_unique"),
        ]

    def __str__(self):
        return self.title

    def destination_list(self) -> list[str]:
        """The destination codes of a study trip."""
        return [c for c in (x.strip().upper() for x in self.destinations.split(",")) if c]


class Session(models.Model):
    """One session (课次) of an activity: a training of twelve evenings has twelve."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("活动"))
    number = models.PositiveIntegerField(_("场次"))
    date = models.DateField(_("日期"))
    title = models.CharField(_("主题"), max_length=200, blank=True)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1, default=0)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("场次")
        verbose_name_plural = _("场次")
        ordering = ["activity", "number"]
        constraints = [models.UniqueConstraint(fields=["activity", "number"], name="activities_session_unique")]

    def __str__(self):
        return f"{self.activity} · {self.number}"


class RegStatus(models.TextChoices):
    """Where a registration stands."""

    REGISTERED = "registered", _("已报名")
    WAITLISTED = "waitlisted", _("候补")
    CANCELLED = "cancelled", _("已取消")


class Channel(models.TextChoices):
    """How a registration came in."""

    STAFF = "staff", _("工作人员登记")
    PORTAL = "portal", _("会员报名")
    PUBLIC = "public", _("公开链接")
    IMPORT = "import", _("导入")


class Registration(models.Model):
    """A participant of an activity: a registry person or a name given on the public link."""

    personal_fields = ("phone",)

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="registrations",
                                 verbose_name=_("活动"))
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("登记人员"))
    name = models.CharField(_("姓名"), max_length=100)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    company = models.CharField(_("单位"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=RegStatus.choices, default=RegStatus.REGISTERED)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, default=Channel.STAFF)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["activity", "created_at", "pk"]
        indexes = [models.Index(fields=["activity", "status"], name="activities_reg_status")]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], condition=Q(person__isnull=False)
                                    & ~Q(status="cancelled"), name="activities_registration_person_unique"),
        ]

    def __str__(self):
        return self.name


class Method(models.TextChoices):
    """How a participant was checked in."""

    QR = "qr", _("扫码")
    LIST = "list", _("名单勾选")
    IMPORT = "import", _("导入")


class Attendance(models.Model):
    """A participant present at one session: one row is one person-time (人次)."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="attendances",
                                     verbose_name=_("报名"))
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances",
                                verbose_name=_("场次"))
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices, default=Method.LIST)
    checked_in_at = models.DateTimeField(_("签到时间"), auto_now_add=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("签到人"))

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        constraints = [models.UniqueConstraint(fields=["registration", "session"],
                                               name="activities_attendance_unique")]

    def __str__(self):
        return f"{self.registration} @ {self.session}"


class OutcomeKind(models.TextChoices):
    """What came out of an activity."""

    SIGNED = "signed", _("签约项目")
    INTENTION = "intention", _("意向")
    FOLLOW_UP = "follow_up", _("后续跟进")


class Outcome(models.Model):
    """A signed project, an intention or a follow-up of an activity, with its amount."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("活动"))
    kind = models.CharField(_("类型"), max_length=12, choices=OutcomeKind.choices)
    title = models.CharField(_("内容"), max_length=200)
    amount = models.DecimalField(_("金额（万元）"), max_digits=14, decimal_places=2, default=0)
    project = models.OneToOneField("Project", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="outcome", verbose_name=_("招商项目"))
    date = models.DateField(_("日期"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("活动成果")
        verbose_name_plural = _("活动成果")
        ordering = ["activity", "pk"]

    def __str__(self):
        return self.title


class Stage(models.TextChoices):
    """The pipeline of an investment project."""

    LEAD = "lead", _("线索")
    INTENTION = "intention", _("意向")
    SIGNED = "signed", _("签约")
    LANDED = "landed", _("落地")
    DROPPED = "dropped", _("终止")


class Project(models.Model):
    """An investment project brought home (招商引资、回乡投资), from lead to landing; `org` brought it."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="projects",
                            verbose_name=_("引进组织"))
    name = models.CharField(_("项目名称"), max_length=200)
    investor_person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name=_("投资人"))
    investor_enterprise = models.ForeignKey(Enterprise, on_delete=models.SET_NULL, null=True, blank=True,
                                            related_name="+", verbose_name=_("投资企业"))
    investor_name = models.CharField(_("投资方"), max_length=200, blank=True)
    region = models.CharField(_("落地地区"), max_length=6, blank=True, validators=[validate_region])
    sector = models.CharField(_("行业门类"), max_length=1, choices=Industry.choices, blank=True)
    amount = models.DecimalField(_("投资额（万元）"), max_digits=14, decimal_places=2, default=0)
    landed_amount = models.DecimalField(_("到位资金（万元）"), max_digits=14, decimal_places=2, default=0)
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices, default=Stage.LEAD)
    activity = models.ForeignKey(Activity, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="projects", verbose_name=_("签约活动"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("责任人"))
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    landed_on = models.DateField(_("落地日期"), null=True, blank=True)
    drop_reason = models.TextField(_("终止原因"), blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("招商项目")
        verbose_name_plural = _("招商项目")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(stage="dropped") | ~Q(drop_reason=""),
                                   name="activities_project_dropped_has_reason"),
        ]

    def __str__(self):
        return self.name


class ProjectFollowUp(models.Model):
    """A contact with the investor, and the stage it moved the project to."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="follow_ups",
                                verbose_name=_("招商项目"))
    date = models.DateField(_("日期"))
    notes = models.TextField(_("情况"))
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+", verbose_name=_("记录人"))

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("项目跟进")
        verbose_name_plural = _("项目跟进")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.project} {self.date}"


class VolunteerTeam(models.Model):
    """A volunteer corps or rescue team of an organization."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="volunteer_teams",
                            verbose_name=_("组织"))
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("简介"), blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Volunteer(models.Model):
    """A registry person in a team; `hours` is the running total of their services."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    team = models.ForeignKey(VolunteerTeam, on_delete=models.CASCADE, related_name="volunteers",
                             verbose_name=_("服务队"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("人员"))
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)
    active = models.BooleanField(_("在队"), default=True)
    hours = models.DecimalField(_("累计服务时长"), max_digits=10, decimal_places=1, default=0)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["team", "-hours"]
        constraints = [models.UniqueConstraint(fields=["team", "person"], name="activities_volunteer_unique")]

    def __str__(self):
        return str(self.person)


class Service(models.Model):
    """A volunteer's service with its hours (服务时长)."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="services",
                                  verbose_name=_("志愿者"))
    date = models.DateField(_("日期"))
    hours = models.DecimalField(_("时长（小时）"), max_digits=6, decimal_places=1)
    description = models.CharField(_("服务内容"), max_length=300)
    activity = models.ForeignKey(Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("活动"))

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("志愿服务")
        verbose_name_plural = _("志愿服务")
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="activities_service_hours_positive")]

    def __str__(self):
        return self.description


def activity_file_path(instance, filename):
    """Files go under the activity, served only by a checked view."""
    return f"activities/{instance.activity_id}/{filename}"


class ActivityFile(models.Model):
    """A photo or a document of an activity (agenda, sign-in sheet, report)."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="files", verbose_name=_("活动"))
    file = models.FileField(_("文件"), upload_to=activity_file_path)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("活动照片和文件")
        verbose_name_plural = _("活动照片和文件")
        ordering = ["activity", "pk"]

    def __str__(self):
        return self.name

    @property
    def is_photo(self) -> bool:
        """An image shown as a thumbnail."""
        return self.content_type.startswith("image/")
