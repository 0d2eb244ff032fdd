"""The organization tree (materialized path) and what belongs to an organization's governance."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from core.scoping import ScopedQuerySet
from core.validators import validate_country, validate_past_date, validate_region


class OrgKind(models.TextChoices):
    """Kinds of organization (see the glossary)."""

    QIAOLIAN = "qiaolian", _("侨联")
    SERVICE_POINT = "service_point", _("侨胞之家/服务站")
    CHAMBER = "chamber", _("商会")
    HOMETOWN_CHAMBER = "hometown_chamber", _("异地商会")
    OVERSEAS_MERCHANT_ASSOCIATION = "overseas_merchant_association", _("侨商会")
    OVERSEAS_ASSOCIATION = "overseas_association", _("海外侨团")
    OVERSEAS_STATION = "overseas_station", _("海外联络站")
    COMMERCE_FEDERATION = "commerce_federation", _("工商联")
    PRIVATE_ECONOMY_FEDERATION = "private_economy_federation", _("民营经济发展联合会")
    OTHER = "other", _("其他")


class OrgStatus(models.TextChoices):
    """Whether an organization is operating."""

    ACTIVE = "active", _("正常")
    SUSPENDED = "suspended", _("暂停")
    DISSOLVED = "dissolved", _("已注销")


class OrgQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    """Treebeard's queryset with scoping."""


class OrgManager(MP_NodeManager):
    """Treebeard's manager (ordered by path) with `visible_to`."""

    def get_queryset(self):
        """Treebeard builds its queryset by hand; build ours, ordered by path like its own."""
        return OrgQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user, action="view"):
        """Organizations inside the user's subtrees (see ScopedQuerySet.visible_to)."""
        return self.get_queryset().visible_to(user, action)


class Organization(MP_Node):
    """A node of the supervision tree: a federation, chamber, association or service point."""

    node_order_by = None
    steplen = 4

    kind = models.CharField(_("类型"), max_length=40, choices=OrgKind.choices, db_index=True)
    code = models.SlugField(_("代码"), max_length=40, unique=True, help_text=_("简短稳定的代码，导入表格和命令行使用"))
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    region = models.CharField(_("所在地区"), max_length=6, blank=True, db_index=True, validators=[validate_region])
    home_region = models.CharField(_("籍贯地区"), max_length=6, blank=True, validators=[validate_region],
                                   help_text=_("异地商会的家乡"))
    country = models.CharField(_("国家"), max_length=2, blank=True, default="CN", db_index=True,
                               validators=[validate_country])
    founded_on = models.DateField(_("成立日期"), null=True, blank=True, validators=[validate_past_date])
    status = models.CharField(_("状态"), max_length=20, choices=OrgStatus.choices, default=OrgStatus.ACTIVE)
    contact_person = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "path"
    objects = OrgManager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")

    def __str__(self):
        return self.name

    @property
    def org(self):
        """An organization is scoped by itself."""
        return self

    def subtree(self):
        """This organization and everything under it (one prefix query)."""
        return Organization.objects.filter(path__startswith=self.path)


class Term(models.Model):
    """A term of office (第七届) of an organization."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="terms", verbose_name=_("组织"))
    number = models.PositiveSmallIntegerField(_("届次"))
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("届")
        verbose_name_plural = _("届")
        ordering = ["org", "-number"]
        constraints = [models.UniqueConstraint(fields=["org", "number"], name="term_org_number_unique")]

    def __str__(self):
        return _("第%(n)s届") % {"n": self.number}


class CouncilKind(models.TextChoices):
    """A term has a council and a supervisory board."""

    COUNCIL = "council", _("理事会")
    SUPERVISORY_BOARD = "supervisory_board", _("监事会")


class Council(models.Model):
    """The council (理事会) or supervisory board (监事会) of a term."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="councils", verbose_name=_("组织"))
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="councils", verbose_name=_("届"))
    kind = models.CharField(_("类型"), max_length=20, choices=CouncilKind.choices, default=CouncilKind.COUNCIL)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("理事会/监事会")
        verbose_name_plural = _("理事会/监事会")
        constraints = [models.UniqueConstraint(fields=["term", "kind"], name="council_term_kind_unique")]

    def __str__(self):
        return f"{self.term}{self.get_kind_display()}"


class PositionRole(models.TextChoices):
    """Positions held in a council (会长 … 监事, 会员)."""

    PRESIDENT = "president", _("会长")
    EXECUTIVE_VICE_PRESIDENT = "executive_vice_president", _("常务副会长")
    VICE_PRESIDENT = "vice_president", _("副会长")
    SECRETARY_GENERAL = "secretary_general", _("秘书长")
    STANDING_DIRECTOR = "standing_director", _("常务理事")
    DIRECTOR = "director", _("理事")
    CHIEF_SUPERVISOR = "chief_supervisor", _("监事长")
    SUPERVISOR = "supervisor", _("监事")
    MEMBER = "member", _("会员")


class Position(models.Model):
    """A person's position in a council of a term."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="positions", verbose_name=_("组织"))
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="positions", verbose_name=_("理事会"))
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="positions",
                               verbose_name=_("人员"))
    role = models.CharField(_("职务"), max_length=30, choices=PositionRole.choices)
    since = models.DateField(_("任职日期"), null=True, blank=True)
    until = models.DateField(_("离任日期"), null=True, blank=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("职务")
        verbose_name_plural = _("职务")

    def __str__(self):
        return f"{self.person} {self.get_role_display()}"


class Congress(models.Model):
    """A numbered congress (第七次代表大会) of an organization."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="congresses", verbose_name=_("组织"))
    number = models.PositiveSmallIntegerField(_("次数"))
    held_on = models.DateField(_("召开日期"), null=True, blank=True)
    title = models.CharField(_("名称"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("代表大会")
        verbose_name_plural = _("代表大会")
        ordering = ["org", "-number"]

    def __str__(self):
        return self.title or _("第%(n)s次代表大会") % {"n": self.number}


class MilestoneKind(models.TextChoices):
    """Kinds of events in an organization's history."""

    FOUNDING = "founding", _("成立")
    RENAMING = "renaming", _("更名")
    MERGER = "merger", _("合并")
    MOVE = "move", _("隶属变更")
    OTHER = "other", _("其他")


class Milestone(models.Model):
    """A dated event of the history timeline (历史沿革)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("组织"))
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=20, choices=MilestoneKind.choices, default=MilestoneKind.OTHER)
    title = models.CharField(_("事件"), max_length=200)
    description = models.TextField(_("说明"), blank=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("历史沿革")
        verbose_name_plural = _("历史沿革")
        ordering = ["org", "date"]

    def __str__(self):
        return f"{self.date} {self.title}"
