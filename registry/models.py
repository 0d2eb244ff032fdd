"""People, enterprises, memberships and membership dues, each owned by an organization."""
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedCharField, EncryptedFieldsMixin, EncryptedQuerySetMixin, LookupHashField
from core.scoping import ScopedQuerySet
from core.validators import (
    validate_country,
    validate_credit_code,
    validate_id_number,
    validate_past_date,
    validate_phone,
    validate_region,
)
from orgs.models import Organization, PositionRole


class Category(models.TextChoices):
    """Overseas-Chinese categories (see the glossary)."""

    OVERSEAS_CHINESE = "overseas_chinese", _("华侨")
    FOREIGN_CHINESE = "foreign_chinese", _("外籍华人")
    RETURNED_OVERSEAS = "returned_overseas", _("归侨")
    RELATIVE = "relative", _("侨眷")
    HK_MACAO_TAIWAN = "hk_macao_taiwan", _("港澳台同胞")
    RETURNED_STUDENT = "returned_student", _("留学人员")


class Gender(models.TextChoices):
    """Gender as written on the ID card."""

    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Industry(models.TextChoices):
    """GB/T 4754-2017 industry sections."""

    A = "A", _("农、林、牧、渔业")
    B = "B", _("采矿业")
    C = "C", _("制造业")
    D = "D", _("电力、热力、燃气及水生产和供应业")
    E = "E", _("建筑业")
    F = "F", _("批发和零售业")
    G = "G", _("交通运输、仓储和邮政业")
    H = "H", _("住宿和餐饮业")
    I = "I", _("信息传输、软件和信息技术服务业")  # noqa: E741
    J = "J", _("金融业")
    K = "K", _("房地产业")
    L = "L", _("租赁和商务服务业")
    M = "M", _("科学研究和技术服务业")
    N = "N", _("水利、环境和公共设施管理业")
    O = "O", _("居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("教育")
    Q = "Q", _("卫生和社会工作")
    R = "R", _("文化、体育和娱乐业")
    S = "S", _("公共管理、社会保障和社会组织")
    T = "T", _("国际组织")


class Tag(models.Model):
    """A free label shared by people and enterprises (e.g. 电商, 外贸)."""

    name = models.CharField(_("标签"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PersonQuerySet(EncryptedQuerySetMixin, ScopedQuerySet):
    """People, with merged-away records hidden by `active()`."""

    def active(self):
        """Records that were not merged into another."""
        return self.filter(merged_into__isnull=True)


class Person(EncryptedFieldsMixin, models.Model):
    """A person in the registry: an overseas Chinese, a relative, a returned student …

    ID and passport numbers are stored encrypted (core.fields); `id_number_hash` and
    `passport_number_hash` are their keyed hashes, for exact lookup and uniqueness.
    """

    personal_fields = ("id_number", "passport_number", "phone", "email", "address", "birth_date")

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="people", verbose_name=_("所属组织"))
    name = models.CharField(_("姓名"), max_length=100, db_index=True)
    former_names = models.CharField(_("曾用名"), max_length=200, blank=True)
    foreign_name = models.CharField(_("外文名"), max_length=200, blank=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True, validators=[validate_past_date])
    category = models.CharField(_("类别"), max_length=30, choices=Category.choices, db_index=True)
    is_new_overseas = models.BooleanField(_("新侨"), default=False)
    country = models.CharField(_("居住国"), max_length=2, blank=True, db_index=True, validators=[validate_country])
    home_region = models.CharField(_("祖籍地"), max_length=6, blank=True, db_index=True,
                                   validators=[validate_region])
    id_number = EncryptedCharField(_("身份证号"), max_length=18, null=True, blank=True,
                                   validators=[validate_id_number], hash_field="id_number_hash")
    id_number_hash = LookupHashField(source="id_number", unique=True)
    passport_number = EncryptedCharField(_("护照号"), max_length=20, blank=True, hash_field="passport_number_hash")
    passport_number_hash = LookupHashField(source="passport_number", db_index=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True, db_index=True, validators=[validate_phone])
    email = models.EmailField(_("电子邮箱"), blank=True)
    wechat = models.CharField(_("微信号"), max_length=60, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    languages = models.CharField(_("语言"), max_length=200, blank=True, help_text=_("以逗号分隔，如 中文,意大利语"))
    industries = models.CharField(_("从事行业"), max_length=60, blank=True,
                                  help_text=_("GB/T 4754 门类字母，以逗号分隔"))
    tags = models.ManyToManyField(Tag, blank=True, related_name="people", verbose_name=_("标签"))
    notes = models.TextField(_("备注"), blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="merged_from", verbose_name=_("已合并至"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(PersonQuerySet)()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        base_manager_name = "objects"  # its update() keeps the lookup hashes in step (core.fields)
        indexes = [
            models.Index(fields=["name", "birth_date"], name="person_name_birth"),
            models.Index(fields=["org", "category"], name="person_org_category"),
        ]

    def __str__(self):
        return self.name

    @property
    def category_label(self) -> str:
        """The category's name in the active language.

        `get_category_display()` rebuilds a dict of every choice (hashing each lazy label) on each call:
        a quarter of a millisecond a row of a 50-row list.
        """
        try:
            return Category(self.category).label
        except ValueError:
            return self.category


class EnterpriseKind(models.TextChoices):
    """Legal forms of enterprises."""

    COMPANY = "company", _("有限公司")
    SOLE_PROPRIETOR = "sole_proprietor", _("个体工商户")
    PARTNERSHIP = "partnership", _("合伙企业")
    FOREIGN_INVESTED = "foreign_invested", _("外商投资企业")
    OVERSEAS = "overseas", _("境外企业")
    OTHER = "other", _("其他")


class EnterpriseSize(models.TextChoices):
    """Enterprise size classes."""

    MICRO = "micro", _("微型")
    SMALL = "small", _("小型")
    MEDIUM = "medium", _("中型")
    LARGE = "large", _("大型")


class Enterprise(models.Model):
    """An enterprise or individual business (个体工商户) in the registry."""

    personal_fields = ("phone", "address")

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="enterprises",
                            verbose_name=_("所属组织"))
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True,
                                   validators=[validate_credit_code])
    kind = models.CharField(_("类型"), max_length=30, choices=EnterpriseKind.choices, default=EnterpriseKind.COMPANY)
    industry = models.CharField(_("行业门类"), max_length=1, choices=Industry.choices, blank=True, db_index=True)
    country = models.CharField(_("国家"), max_length=2, default="CN", db_index=True, validators=[validate_country])
    region = models.CharField(_("所在地区"), max_length=6, blank=True, db_index=True, validators=[validate_region])
    size = models.CharField(_("规模"), max_length=10, choices=EnterpriseSize.choices, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    legal_person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="enterprises", verbose_name=_("法定代表人（登记人员）"))
    main_products = models.CharField(_("主营产品"), max_length=300, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    address = models.CharField(_("地址"), max_length=300, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="enterprises", verbose_name=_("标签"))
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person or an enterprise as a member of an organization, from joining to leaving."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships",
                            verbose_name=_("组织"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="memberships", verbose_name=_("人员"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="memberships", verbose_name=_("企业"))
    role = models.CharField(_("会员职务"), max_length=30, choices=PositionRole.choices, default=PositionRole.MEMBER,
                            help_text=_("决定会费标准"))
    joined_on = models.DateField(_("入会日期"), null=True, blank=True)
    left_on = models.DateField(_("退会日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("会员")
        verbose_name_plural = _("会员")
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(enterprise__isnull=True))
                | (Q(person__isnull=True) & Q(enterprise__isnull=False)),
                name="membership_person_xor_enterprise",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(joined_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
            ),
        ]

    def __str__(self):
        return f"{self.member} @ {self.org}"

    @property
    def member(self):
        """The person or enterprise that is the member."""
        return self.person or self.enterprise

    @property
    def is_current(self) -> bool:
        """Whether the member has not left."""
        return self.left_on is None


class DuesRate(models.Model):
    """The yearly membership fee of an organization for a position (会费标准)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="dues_rates",
                            verbose_name=_("组织"))
    year = models.PositiveSmallIntegerField(_("年度"))
    role = models.CharField(_("职务"), max_length=30, choices=PositionRole.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("会费标准")
        verbose_name_plural = _("会费标准")
        constraints = [models.UniqueConstraint(fields=["org", "year", "role"], name="duesrate_unique")]

    def __str__(self):
        return f"{self.org} {self.year} {self.get_role_display()} {self.amount}"


class DuesPayment(models.Model):
    """A payment of membership dues for a year."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="dues_payments",
                            verbose_name=_("组织"))
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="payments",
                                   verbose_name=_("会员"))
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("缴费日期"))
    receipt_number = models.CharField(_("收据号"), max_length=40, blank=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("会费缴纳")
        verbose_name_plural = _("会费缴纳")
        ordering = ["-year", "-paid_on"]

    def __str__(self):
        return f"{self.membership} {self.year} {self.amount}"


ZERO = Decimal("0.00")
