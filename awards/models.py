"""Awards (评优): campaigns with a rubric, nominations with self-reports, evidence and figures taken
from the indicators, judges and their scores, the ranking, objections in the publicity period, and
certifications (四好商会, 挂牌) held by organizations, enterprises and people.

Scoped records carry `org`: a campaign and its judges belong to the organizer; a nomination and a
certification belong to the holder's organization (the chamber itself, or the organization that keeps
the enterprise or the person), so that a chamber's staff see their own nomination and the organizer,
whose subtree holds every nominee, sees them all. Criteria, entries, figures, evidence, assignments and
scores are reached only through their scoped parent.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from orgs.models import Organization
from registry.models import Enterprise, Person

Scoped = models.Manager.from_queryset(ScopedQuerySet)


class NomineeKind(models.TextChoices):
    """Who a campaign selects."""

    ORGANIZATION = "organization", _("组织")
    ENTERPRISE = "enterprise", _("企业和个体工商户")
    PERSON = "person", _("个人")


class CampaignStatus(models.TextChoices):
    """The steps of a campaign, in order."""

    DRAFT = "draft", _("筹备中")
    NOMINATING = "nominating", _("申报中")
    SCORING = "scoring", _("评审中")
    PUBLICITY = "publicity", _("公示中")
    PUBLISHED = "published", _("已发布")


class ScoringMode(models.TextChoices):
    """How criterion scores add up."""

    POINTS = "points", _("按分值累加")
    WEIGHTED = "weighted", _("按权重折算（权重合计100）")


class CertificationKind(models.TextChoices):
    """Kinds of certification and plaque."""

    FOUR_GOOD = "four_good", _("四好商会")
    PLAQUE = "plaque", _("挂牌")
    AWARD = "award", _("评优获奖")
    OTHER = "other", _("其他")


class Level(models.TextChoices):
    """The level that grants a certification, highest first."""

    NATIONAL = "national", _("全国")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


LEVEL_RANK = {Level.NATIONAL: 4, Level.PROVINCIAL: 3, Level.CITY: 2, Level.COUNTY: 1}


class Campaign(models.Model):
    """A selection run by an organization for a year: who may be nominated, timetable, places, rubric."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="campaigns",
                            verbose_name=_("主办组织"))
    code = models.SlugField(_("代码"), max_length=40, unique=True, help_text=_("如 qz-chamber-2024"))
    year = models.PositiveIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    nominee_kind = models.CharField(_("推选对象"), max_length=20, choices=NomineeKind.choices,
                                    default=NomineeKind.ORGANIZATION)
    eligible_kinds = models.JSONField(_("可参评类型"), default=list, blank=True,
                                      help_text=_("组织类型或企业类型；为空则不限"))
    required_certification = models.CharField(_("须持有的认证"), max_length=20, blank=True,
                                              choices=CertificationKind.choices)
    required_level = models.CharField(_("认证最低级别"), max_length=12, blank=True, choices=Level.choices)
    places = models.PositiveIntegerField(_("名额"), default=10)
    scoring_mode = models.CharField(_("计分方式"), max_length=10, choices=ScoringMode.choices,
                                    default=ScoringMode.POINTS)
    drop_extremes = models.BooleanField(_("去掉一个最高分和一个最低分"), default=False)
    nomination_end = models.DateField(_("申报截止"), null=True, blank=True)
    scoring_end = models.DateField(_("评审截止"), null=True, blank=True)
    publicity_end = models.DateField(_("公示截止"), null=True, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("评优活动")
        verbose_name_plural = _("评优活动")
        ordering = ["-year", "title"]

    def __str__(self):
        return self.title

    @property
    def scores_disclosed(self) -> bool:
        """Scores are blind until scoring closes; from then on the ranking and its scores can be read."""
        return self.status in (CampaignStatus.PUBLICITY, CampaignStatus.PUBLISHED)


class Criterion(models.Model):
    """One line of the rubric: its group, what earns the points, its maximum and its weight."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="criteria",
                                 verbose_name=_("评优活动"))
    group = models.CharField(_("类别"), max_length=100, help_text=_("如 经济建设、组织建设、精神文明建设"))
    title = models.CharField(_("指标"), max_length=200)
    description = models.TextField(_("评分标准"), blank=True)
    max_score = models.DecimalField(_("满分"), max_digits=7, decimal_places=2)
    weight = models.DecimalField(_("权重（%）"), max_digits=5, decimal_places=2, default=0)
    indicator_key = models.CharField(_("关联指标"), max_length=100, blank=True,
                                     help_text=_("系统数据中的指标键，如 registry.members.current"))
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评价指标")
        verbose_name_plural = _("评价指标")
        ordering = ["position", "pk"]
        constraints = [models.CheckConstraint(condition=Q(max_score__gt=0), name="awards_criterion_max_positive")]

    def __str__(self):
        return f"{self.group} · {self.title}"


class NominationStatus(models.TextChoices):
    """Where a nomination stands."""

    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已提交")
    WITHDRAWN = "withdrawn", _("已撤回")


class Nomination(models.Model):
    """A candidate in a campaign: an organization, an enterprise or a person, with its self-report."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属组织"))
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="nominations",
                                 verbose_name=_("评优活动"))
    nominee_org = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="nominations", verbose_name=_("参评组织"))
    nominee_enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="+", verbose_name=_("参评企业"))
    nominee_person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("参评个人"))
    name = models.CharField(_("参评对象"), max_length=200)
    summary = models.TextField(_("总体情况"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=NominationStatus.choices,
                              default=NominationStatus.DRAFT)
    by_organizer = models.BooleanField(_("主办方代为申报"), default=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=9, decimal_places=3, null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    selected = models.BooleanField(_("入选"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("申报")
        verbose_name_plural = _("申报")
        ordering = ["rank", "name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "nominee_org"], condition=Q(nominee_org__isnull=False),
                                    name="awards_nomination_org_once"),
            models.UniqueConstraint(fields=["campaign", "nominee_enterprise"],
                                    condition=Q(nominee_enterprise__isnull=False),
                                    name="awards_nomination_enterprise_once"),
            models.UniqueConstraint(fields=["campaign", "nominee_person"], condition=Q(nominee_person__isnull=False),
                                    name="awards_nomination_person_once"),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.name}"

    @property
    def nominee(self):
        """The organization, enterprise or person nominated."""
        return self.nominee_org or self.nominee_enterprise or self.nominee_person


class Entry(models.Model):
    """The nominee's self-report on one criterion."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="entries")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("自评说明"), blank=True)
    self_score = models.DecimalField(_("自评分"), max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("自评")
        verbose_name_plural = _("自评")
        constraints = [models.UniqueConstraint(fields=["nomination", "criterion"], name="awards_entry_once")]

    def __str__(self):
        return f"{self.nomination_id}/{self.criterion_id}"


class Figure(models.Model):
    """A figure Shanghui already holds for the nominee and year, filled in from an indicator; never typed."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="figures")
    key = models.CharField(_("指标键"), max_length=100)
    title = models.CharField(_("指标"), max_length=200)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    value = models.DecimalField(_("本年"), max_digits=18, decimal_places=2)
    previous = models.DecimalField(_("上年"), max_digits=18, decimal_places=2, null=True, blank=True)
    change = models.FloatField(_("同比（%）"), null=True, blank=True)
    computed_at = models.DateTimeField(_("取数时间"), auto_now=True)

    class Meta:
        verbose_name = _("系统数据")
        verbose_name_plural = _("系统数据")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["nomination", "key"], name="awards_figure_once")]

    def __str__(self):
        return f"{self.title}: {self.value}"


def evidence_path(instance, filename):
    """Evidence files under the campaign's folder."""
    return f"awards/{instance.nomination.campaign_id}/{instance.nomination_id}/{filename}"


class Evidence(models.Model):
    """A supporting file (photos, documents) for a nomination, optionally for one criterion."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.ForeignKey(Criterion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("评价指标"))
    title = models.CharField(_("说明"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to=evidence_path)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self):
        return self.title or self.file.name


class Judge(models.Model):
    """A member of a campaign's panel: a user account, optionally the registry person it is (for conflicts)."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("主办组织"))
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="judges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="award_judgeships",
                             verbose_name=_("账号"))
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("登记人员"))
    name = models.CharField(_("姓名"), max_length=100)
    declared_conflicts = models.ManyToManyField(Organization, blank=True, related_name="+",
                                                verbose_name=_("申明回避的组织"))
    reminded_at = models.DateTimeField(_("最近催评"), null=True, blank=True)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("评委")
        verbose_name_plural = _("评委")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="awards_judge_once")]

    def __str__(self):
        return self.name


class Assignment(models.Model):
    """A judge asked to score one nomination."""

    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="assignments")
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="assignments")
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评审分配")
        verbose_name_plural = _("评审分配")
        constraints = [models.UniqueConstraint(fields=["judge", "nomination"], name="awards_assignment_once")]

    def __str__(self):
        return f"{self.judge} → {self.nomination.name}"


class Score(models.Model):
    """A judge's score on one criterion of one nomination, within the criterion's maximum."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.DecimalField(_("得分"), max_digits=7, decimal_places=2)
    comment = models.TextField(_("评语"), blank=True)
    updated_at = models.DateTimeField(_("评分时间"), auto_now=True)

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="awards_score_once"),
            models.CheckConstraint(condition=Q(value__gte=0), name="awards_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.value}"


class Objection(models.Model):
    """An objection to a nomination raised during the publicity period, and how it was handled."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="objections")
    name = models.CharField(_("署名"), max_length=100, blank=True)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    text = models.TextField(_("异议内容"))
    response = models.TextField(_("处理意见"), blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-created_at"]

    def __str__(self):
        return self.text[:30]


class Certification(models.Model):
    """A certification or plaque (四好商会, 中国浙菜海外体验店) held by an organization, enterprise or person."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属组织"))
    kind = models.CharField(_("类型"), max_length=20, choices=CertificationKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    level = models.CharField(_("级别"), max_length=12, choices=Level.choices)
    issuer = models.CharField(_("授予单位"), max_length=200, blank=True)
    year = models.PositiveIntegerField(_("年度"))
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    holder_org = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="certifications", verbose_name=_("持有组织"))
    holder_enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, null=True, blank=True,
                                          related_name="+", verbose_name=_("持有企业"))
    holder_person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                      verbose_name=_("持有人"))
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("来自评优活动"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("认证与挂牌")
        verbose_name_plural = _("认证与挂牌")
        ordering = ["-year", "title"]
        constraints = [models.CheckConstraint(
            condition=(Q(holder_org__isnull=False, holder_enterprise__isnull=True, holder_person__isnull=True)
                       | Q(holder_org__isnull=True, holder_enterprise__isnull=False, holder_person__isnull=True)
                       | Q(holder_org__isnull=True, holder_enterprise__isnull=True, holder_person__isnull=False)),
            name="awards_certification_one_holder")]

    def __str__(self):
        return f"{self.year} {self.title}（{self.get_level_display()}）"

    @property
    def holder(self):
        """The organization, enterprise or person holding it."""
        return self.holder_org or self.holder_enterprise or self.holder_person

    def valid_on(self, day) -> bool:
        """Whether it has not expired on `day`."""
        return self.expires_on is None or self.expires_on >= day
