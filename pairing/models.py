"""Pairing programmes (结对帮扶): participants on both sides, optimizer runs, proposals, pairs, follow-ups."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from core.validators import validate_region
from orgs.models import Organization
from registry.models import Enterprise, EnterpriseSize, Industry, Person


class ProgramKind(models.TextChoices):
    """Kinds of pairing programme (see the glossary)."""

    ENTERPRISE_SHOP = "enterprise_shop", _("大企帮小店")
    ASSOCIATION_VILLAGE = "association_village", _("侨团(企)帮村")
    LAWYER_ASSOCIATION = "lawyer_association", _("律师结侨团")
    STUDENT_AID = "student_aid", _("结对助学")
    PEER_LEARNING = "peer_learning", _("结对互学")
    LIAISON = "liaison", _("理事联系会员")


class Program(models.Model):
    """A pairing programme with its rules: capacities, hard constraints and the weights of the score."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="pairing_programs",
                            verbose_name=_("组织"))
    code = models.SlugField(_("项目代码"), max_length=40, unique=True,
                            help_text=_("字母、数字和连字符，如 yw-2024；导入和命令行用它指明项目。"))
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=30, choices=ProgramKind.choices)
    start = models.DateField(_("开始日期"), null=True, blank=True)
    end = models.DateField(_("结束日期"), null=True, blank=True)
    description = models.TextField(_("说明"), blank=True)
    helper_eligibility = models.TextField(_("帮扶方条件"), blank=True)
    beneficiary_eligibility = models.TextField(_("受助方条件"), blank=True)
    capacity = models.PositiveIntegerField(_("每个帮扶方最多结对"), default=1,
                                           help_text=_("可为单个帮扶方另设。"))
    max_helpers = models.PositiveIntegerField(_("每个受助方最多帮扶方"), default=1)
    same_county = models.BooleanField(_("限同一县（市、区）"), default=False)
    same_industry = models.BooleanField(_("限同一行业门类"), default=False)
    common_language = models.BooleanField(_("须有共同语言"), default=False)
    max_distance_km = models.FloatField(_("最远距离（公里）"), null=True, blank=True,
                                        help_text=_("双方都有坐标时才适用。"))
    top_k = models.PositiveIntegerField(_("每个受助方保留候选数"), null=True, blank=True,
                                        help_text=_("留空时，候选对超过两百万才自动取每个受助方最好的20个。"))
    weights = models.JSONField(_("评分权重"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("结对项目")
        verbose_name_plural = _("结对项目")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=models.F("start")),
                                   name="pairing_program_end_after_start"),
        ]

    def __str__(self):
        return self.name

    def weight(self, name: str) -> float:
        """The programme's weight of a score component (the default when it sets none)."""
        from pairing.scoring import DEFAULT_WEIGHTS

        return float(self.weights.get(name, DEFAULT_WEIGHTS[name]))


class Side(models.TextChoices):
    """The two sides of a pair."""

    HELPER = "helper", _("帮扶方")
    BENEFICIARY = "beneficiary", _("受助方")


class Participant(models.Model):
    """One helper or beneficiary of a programme, from the registry or entered for the programme
    (villages, students, shops that are not members)."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="pairing_participants",
                            verbose_name=_("组织"))
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="participants",
                                verbose_name=_("结对项目"))
    side = models.CharField(_("方向"), max_length=12, choices=Side.choices)
    name = models.CharField(_("名称"), max_length=200)
    external_key = models.CharField(_("编号"), max_length=60, blank=True,
                                    help_text=_("项目内唯一；再次导入时按它更新。"))
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("登记人员"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("登记企业"))
    member_org = models.ForeignKey(Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("登记组织"))
    region = models.CharField(_("所在地区"), max_length=6, blank=True, validators=[validate_region])
    industry = models.CharField(_("行业门类"), max_length=1, choices=Industry.choices, blank=True)
    size = models.CharField(_("规模"), max_length=10, choices=EnterpriseSize.choices, blank=True)
    needs = models.CharField(_("需求"), max_length=300, blank=True, help_text=_("标签，以逗号分隔，如 电商,资金"))
    strengths = models.CharField(_("优势"), max_length=300, blank=True, help_text=_("标签，以逗号分隔，如 电商,外贸"))
    languages = models.CharField(_("语言"), max_length=200, blank=True, help_text=_("以逗号分隔；留空视为中文"))
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("结对上限"), null=True, blank=True,
                                           help_text=_("帮扶方：留空则用项目的统一上限；受助方：最多几个帮扶方。"))
    past_results = models.FloatField(_("以往成效"), default=0, help_text=_("0 到 1，按已完成结对的成效计算"))
    active = models.BooleanField(_("参加"), default=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("结对参与方")
        verbose_name_plural = _("结对参与方")
        ordering = ["side", "name"]
        indexes = [models.Index(fields=["program", "side"], name="pairing_part_program_side")]
        constraints = [
            models.UniqueConstraint(fields=["program", "side", "external_key"], condition=~Q(external_key=""),
                                    name="pairing_participant_key_unique"),
            models.CheckConstraint(condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                                   name="pairing_participant_latitude"),
            models.CheckConstraint(condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                                   name="pairing_participant_longitude"),
        ]

    def __str__(self):
        return self.name

    def limit(self, program: Program) -> int:
        """How many pairs this participant may have: the override, else the programme's rule."""
        if self.capacity is not None:
            return self.capacity
        return program.capacity if self.side == Side.HELPER else program.max_helpers


class RuleKind(models.TextChoices):
    """A pair that must be made, or must not."""

    LOCK = "lock", _("指定结对")
    FORBID = "forbid", _("禁止结对")


class PairRule(models.Model):
    """A locked (forced) or forbidden pair, respected by every run."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rules", verbose_name=_("结对项目"))
    kind = models.CharField(_("类型"), max_length=10, choices=RuleKind.choices)
    helper = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+", verbose_name=_("帮扶方"))
    beneficiary = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+", verbose_name=_("受助方"))
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("结对规则")
        verbose_name_plural = _("结对规则")
        constraints = [models.UniqueConstraint(fields=["program", "helper", "beneficiary"],
                                               name="pairing_rule_unique")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.helper} — {self.beneficiary}"


class RunStatus(models.TextChoices):
    """Where a run stands."""

    QUEUED = "queued", _("排队中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("无法求解")


class Run(models.Model):
    """One optimizer run: its parameters, objective, the greedy total beside it, and why some stay unpaired."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="runs", verbose_name=_("结对项目"))
    number = models.PositiveIntegerField(_("序号"))
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    params = models.JSONField(_("参数"), default=dict)
    objective = models.FloatField(_("总分"), null=True, blank=True)
    greedy_objective = models.FloatField(_("贪心法总分"), null=True, blank=True)
    pairs = models.PositiveIntegerField(_("结对数"), default=0)
    candidates = models.PositiveIntegerField(_("候选对数"), default=0)
    pruned_k = models.PositiveIntegerField(_("每个受助方保留候选数"), null=True, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    seconds = models.FloatField(_("求解用时（秒）"), null=True, blank=True)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("匹配运行")
        verbose_name_plural = _("匹配运行")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["program", "number"], name="pairing_run_number_unique")]

    def __str__(self):
        return f"{self.program} #{self.number}"

    @property
    def gain(self) -> float | None:
        """How much more the optimum scores than the greedy pass, in percent."""
        if not self.greedy_objective or self.objective is None:
            return None
        return round((self.objective - self.greedy_objective) * 100 / self.greedy_objective, 2)


class Decision(models.TextChoices):
    """What staff decided about a proposal."""

    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已否决")


class Proposal(models.Model):
    """A pair proposed by a run, with its score and the components behind it."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("匹配运行"))
    helper = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+", verbose_name=_("帮扶方"))
    beneficiary = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+", verbose_name=_("受助方"))
    score = models.FloatField(_("得分"))
    components = models.JSONField(_("评分构成"), default=dict)
    locked = models.BooleanField(_("锁定"), default=False, help_text=_("已确认或指定的结对，本次运行不会改动"))
    decision = models.CharField(_("处理"), max_length=10, choices=Decision.choices, default=Decision.PENDING)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("结对建议")
        verbose_name_plural = _("结对建议")
        ordering = ["-score", "pk"]
        indexes = [models.Index(fields=["run", "decision"], name="pairing_proposal_run_dec")]

    def __str__(self):
        return f"{self.helper} — {self.beneficiary} ({self.score:.2f})"


class PairStatus(models.TextChoices):
    """A pair's life: active, then completed or ended with a reason."""

    ACTIVE = "active", _("进行中")
    COMPLETED = "completed", _("已完成")
    ENDED = "ended", _("已终止")


class Pair(models.Model):
    """A confirmed pair. Locked pairs stay as they are in later runs until someone unlocks them."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pairs", verbose_name=_("结对项目"))
    helper = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="helper_pairs",
                               verbose_name=_("帮扶方"))
    beneficiary = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="beneficiary_pairs",
                                    verbose_name=_("受助方"))
    status = models.CharField(_("状态"), max_length=10, choices=PairStatus.choices, default=PairStatus.ACTIVE)
    end_reason = models.CharField(_("终止原因"), max_length=300, blank=True)
    locked = models.BooleanField(_("锁定"), default=True)
    score = models.FloatField(_("得分"), null=True, blank=True)
    components = models.JSONField(_("评分构成"), default=dict, blank=True)
    proposal = models.ForeignKey(Proposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+", verbose_name=_("确认人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("结对")
        verbose_name_plural = _("结对")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["helper", "beneficiary"], condition=Q(status="active"),
                                    name="pairing_pair_active_unique"),
        ]

    def __str__(self):
        return f"{self.helper} — {self.beneficiary}"


class ContactKind(models.TextChoices):
    """How the helper and beneficiary met."""

    VISIT = "visit", _("走访")
    CALL = "call", _("电话")
    MEETING = "meeting", _("座谈")
    TRAINING = "training", _("培训")
    OTHER = "other", _("其他")


class FollowUp(models.Model):
    """A visit or contact recorded against a pair, with the results it brought."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("结对"))
    date = models.DateField(_("日期"))
    kind = models.CharField(_("方式"), max_length=10, choices=ContactKind.choices, default=ContactKind.VISIT)
    notes = models.TextField(_("记录"), blank=True)
    funds_delivered = models.DecimalField(_("到位资金（元）"), max_digits=14, decimal_places=2, default=0)
    orders_amount = models.DecimalField(_("订单（元）"), max_digits=14, decimal_places=2, default=0)
    income_increase = models.DecimalField(_("增收（元）"), max_digits=14, decimal_places=2, default=0)
    people_trained = models.PositiveIntegerField(_("培训人次"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("记录人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("结对回访")
        verbose_name_plural = _("结对回访")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(funds_delivered__gte=0) & Q(orders_amount__gte=0)
                                   & Q(income_increase__gte=0), name="pairing_followup_amounts_positive"),
        ]

    def __str__(self):
        return f"{self.pair} {self.date}"
