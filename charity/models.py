"""Charity (慈善): funds, donations in money and in kind with numbered receipts, beneficiaries,
disbursements with approvals, and honours awarded to donors and members."""
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedCharField, EncryptedFieldsMixin, EncryptedQuerySetMixin, LookupHashField
from core.scoping import ScopedQuerySet
from orgs.models import Organization
from registry.models import Enterprise, Person

Scoped = models.Manager.from_queryset(ScopedQuerySet)


class FundKind(models.TextChoices):
    """Kinds of fund."""

    STUDENT_AID = "student_aid", _("助学金")
    SCHOLARSHIP = "scholarship", _("奖学金")
    RELIEF = "relief", _("救灾救助")
    NAMED = "named", _("冠名基金")
    GENERAL = "general", _("综合")


class Fund(models.Model):
    """A fund with its rules; `balance` is the money it holds, never negative (a constraint guards it)."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="funds", verbose_name=_("组织"))
    code = models.SlugField(_("基金代码"), max_length=30, unique=True,
                            help_text=_("字母、数字和连字符，收据编号以它开头，如 zx"))
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=FundKind.choices)
    rules = models.TextField(_("章程与资助标准"), blank=True)
    balance = models.DecimalField(_("余额（元）"), max_digits=16, decimal_places=2, default=0)
    active = models.BooleanField(_("使用中"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("基金")
        verbose_name_plural = _("基金")
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="charity_fund_balance_not_negative")]

    def __str__(self):
        return self.name


class ReceiptCounter(models.Model):
    """The last receipt number given by a fund in a year; locked while a donation takes the next one."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fund", "year"], name="charity_receipt_counter_unique")]

    def __str__(self):
        return f"{self.fund_id}/{self.year}: {self.last}"


class DonorKind(models.TextChoices):
    """Who gave."""

    PERSON = "person", _("个人")
    ENTERPRISE = "enterprise", _("企业")
    ORGANIZATION = "organization", _("组织")


class DonationKind(models.TextChoices):
    """Money or goods (款 / 物)."""

    MONEY = "money", _("捐款")
    GOODS = "goods", _("捐物")


class Donation(models.Model):
    """A gift to a fund: money adds to its balance, goods are recorded at their valuation."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="donations", verbose_name=_("基金"))
    donor_kind = models.CharField(_("捐赠方类型"), max_length=12, choices=DonorKind.choices)
    donor_person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("捐赠人"))
    donor_enterprise = models.ForeignKey(Enterprise, on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="+", verbose_name=_("捐赠企业"))
    donor_org = models.ForeignKey(Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("捐赠组织"))
    donor_name = models.CharField(_("捐赠方"), max_length=200)
    anonymous = models.BooleanField(_("匿名"), default=False, help_text=_("公开展示和收据抬头写“爱心人士”。"))
    kind = models.CharField(_("类型"), max_length=10, choices=DonationKind.choices, default=DonationKind.MONEY)
    value = models.DecimalField(_("金额或估值（元）"), max_digits=16, decimal_places=2)
    goods = models.CharField(_("物品及数量"), max_length=300, blank=True)
    received_on = models.DateField(_("接收日期"))
    receipt_year = models.PositiveIntegerField(_("收据年度"))
    receipt_seq = models.PositiveIntegerField(_("收据序号"))
    receipt_number = models.CharField(_("收据编号"), max_length=60, unique=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="charity_donation_value_positive"),
            models.UniqueConstraint(fields=["fund", "receipt_year", "receipt_seq"], name="charity_receipt_unique"),
        ]

    def __str__(self):
        return self.receipt_number

    @property
    def public_name(self) -> str:
        """The donor as shown publicly and on the receipt."""
        return str(_("爱心人士")) if self.anonymous else self.donor_name


class BeneficiaryKind(models.TextChoices):
    """Kinds of beneficiary."""

    STUDENT = "student", _("学生")
    FAMILY = "family", _("家庭")
    VILLAGE = "village", _("村")
    INSTITUTION = "institution", _("机构")


class BeneficiaryQuerySet(EncryptedQuerySetMixin, ScopedQuerySet):
    """Beneficiaries; an update of the ID number updates its lookup hash."""


class Beneficiary(EncryptedFieldsMixin, models.Model):
    """Someone a fund helps. Personal data is masked; a minor's name too, unless the grant allows it."""

    personal_fields = ("id_number", "phone", "address", "birth_date", "guardian_name", "guardian_phone")

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    kind = models.CharField(_("类型"), max_length=12, choices=BeneficiaryKind.choices)
    name = models.CharField(_("姓名或名称"), max_length=200)
    id_number = EncryptedCharField(_("身份证号"), max_length=18, blank=True, hash_field="id_number_hash")
    id_number_hash = LookupHashField(source="id_number", db_index=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    guardian_name = models.CharField(_("监护人"), max_length=100, blank=True)
    guardian_phone = models.CharField(_("监护人电话"), max_length=20, blank=True)
    school = models.CharField(_("学校或单位"), max_length=200, blank=True)
    region = models.CharField(_("地区"), max_length=6, blank=True)
    notes = models.TextField(_("情况说明"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(BeneficiaryQuerySet)()

    class Meta:
        verbose_name = _("受助人")
        verbose_name_plural = _("受助人")
        ordering = ["-pk"]
        base_manager_name = "objects"  # its update() keeps the lookup hash in step (core.fields)

    def __str__(self):
        return self.masked_name if self.is_minor else self.name

    @property
    def is_minor(self) -> bool:
        """Under 18 today (a student without a birth date counts as a minor: the safer guess)."""
        if self.birth_date is None:
            return self.kind == BeneficiaryKind.STUDENT
        today = dt.date.today()
        age = today.year - self.birth_date.year - ((today.month, today.day) < (self.birth_date.month,
                                                                              self.birth_date.day))
        return age < 18

    @property
    def masked_name(self) -> str:
        """王*明: the family name and the last character."""
        n = self.name
        return n if len(n) < 2 else n[0] + "*" * max(len(n) - 2, 1) + (n[-1] if len(n) > 2 else "")


class DisbursementStatus(models.TextChoices):
    """The approval steps of a disbursement."""

    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class Disbursement(models.Model):
    """Money paid out of a fund to a beneficiary; approving it takes the amount from the balance."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="disbursements", verbose_name=_("基金"))
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="disbursements",
                                    verbose_name=_("受助人"))
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2)
    purpose = models.CharField(_("用途"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=DisbursementStatus.choices,
                              default=DisbursementStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("申请人"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("拨付")
        verbose_name_plural = _("拨付")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="charity_disbursement_positive")]

    def __str__(self):
        return f"{self.fund} → {self.beneficiary}: {self.amount}"


class Honor(models.Model):
    """An honour (爱心侨商奖 …) awarded to a person, an enterprise or an organization."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("授予组织"))
    title = models.CharField(_("荣誉名称"), max_length=200)
    year = models.PositiveIntegerField(_("年度"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True, related_name="honors",
                               verbose_name=_("人员"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="honors", verbose_name=_("企业"))
    recipient_org = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="honors", verbose_name=_("获奖组织"))
    citation = models.TextField(_("事迹"), blank=True)
    awarded_on = models.DateField(_("授予日期"), null=True, blank=True)

    scope_path = "org__path"
    objects = Scoped()

    class Meta:
        verbose_name = _("荣誉")
        verbose_name_plural = _("荣誉")
        ordering = ["-year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False, enterprise__isnull=True, recipient_org__isnull=True)
                           | Q(person__isnull=True, enterprise__isnull=False, recipient_org__isnull=True)
                           | Q(person__isnull=True, enterprise__isnull=True, recipient_org__isnull=False)),
                name="charity_honor_one_recipient"),
        ]

    def __str__(self):
        return f"{self.year} {self.title}"

    @property
    def recipient(self):
        """The person, enterprise or organization honoured."""
        return self.person or self.enterprise or self.recipient_org
