"""Products of member enterprises, demands of buyers, their matches, inquiries, categories and the glossary."""
from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from core.validators import validate_country
from orgs.models import Organization
from registry.models import Enterprise

LANGUAGES = [("zh", "中文"), ("en", "English"), ("es", "Español"), ("ru", "Русский"), ("ar", "العربية"),
             ("fr", "Français"), ("pt", "Português"), ("it", "Italiano"), ("de", "Deutsch")]


class Category(models.Model):
    """A category of goods, two levels deep (饰品 → 发饰); shared by every organization."""

    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("上级类目"))
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("产品类目")
        verbose_name_plural = _("产品类目")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def label(self, lang: str = "zh") -> str:
        """The name in Chinese, or in English for any other language when there is one."""
        return self.name_en if lang != "zh" and self.name_en else self.name


class GlossaryTerm(models.Model):
    """A staff-added entry of the bilingual trade glossary, beside the one shipped in directory/data."""

    zh = models.CharField(_("中文"), max_length=40, unique=True)
    en = models.CharField(_("英文"), max_length=120, help_text=_("多个译法以 | 分隔，如 scarf|scarves"))
    es = models.CharField(_("西班牙文"), max_length=120, blank=True)
    ru = models.CharField(_("俄文"), max_length=120, blank=True)
    ar = models.CharField(_("阿拉伯文"), max_length=120, blank=True)
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True,
                                 verbose_name=_("类目"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("外贸词汇")
        verbose_name_plural = _("外贸词汇")
        ordering = ["zh"]

    def __str__(self):
        return f"{self.zh} {self.en}"


class Status(models.TextChoices):
    """Whether a product is shown in the public catalogue."""

    PUBLISHED = "published", _("已发布")
    HIDDEN = "hidden", _("已隐藏")


class Product(models.Model):
    """A product an enterprise offers, in Chinese and any number of other languages."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="products",
                            verbose_name=_("所属组织"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="products",
                                   verbose_name=_("供应企业"))
    code = models.CharField(_("货号"), max_length=60, blank=True, help_text=_("企业自编货号；导入时据此更新"))
    name = models.CharField(_("品名"), max_length=200, db_index=True)
    description = models.TextField(_("描述"), blank=True)
    translations = models.JSONField(_("外文"), default=dict, blank=True,
                                    help_text=_('{"en": {"name": …, "description": …, "machine": false}}'))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, related_name="products",
                                 verbose_name=_("类目"))
    specifications = models.TextField(_("规格"), blank=True)
    min_order = models.PositiveIntegerField(_("起订量"), null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True, default="件")
    price_min = models.DecimalField(_("最低价"), max_digits=12, decimal_places=2, null=True, blank=True)
    price_max = models.DecimalField(_("最高价"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    hs_code = models.CharField(_("HS编码"), max_length=10, blank=True)
    certifications = models.CharField(_("认证"), max_length=200, blank=True, help_text=_("以逗号分隔，如 CE,FDA"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PUBLISHED,
                              db_index=True)
    country = models.CharField(_("供应商国家"), max_length=2, default="CN", db_index=True,
                               help_text=_("取自供应企业，用于筛选"))
    vector = models.BinaryField(_("语义向量"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Indexed: vector search reads the products changed since its files were written.
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("产品")
        verbose_name_plural = _("产品")
        indexes = [
            models.Index(fields=["status", "category"], name="product_status_category"),
            models.Index(fields=["enterprise", "code"], name="product_enterprise_code"),
            models.Index(fields=["status", "country"], name="product_status_country"),
        ]

    def __str__(self):
        return self.name

    def text(self, lang: str) -> dict:
        """{"name", "description", "machine"} in `lang`, falling back to the Chinese."""
        if lang == "zh" or lang not in self.translations:
            return {"name": self.name, "description": self.description, "machine": False, "lang": "zh"}
        t = self.translations[lang]
        return {"name": t.get("name") or self.name, "description": t.get("description", ""),
                "machine": bool(t.get("machine")), "lang": lang}

    def translated_names(self) -> list[str]:
        """The product's names in every other language."""
        return [t.get("name", "") for t in (self.translations or {}).values()]

    def translated_descriptions(self) -> list[str]:
        """The product's descriptions in every other language."""
        return [t.get("description", "") for t in (self.translations or {}).values()]

    def category_words(self) -> list[str]:
        """The category's names and the glossary's words for the Chinese text (English search finds 真丝围巾)."""
        from directory import glossary

        words = []
        if self.category_id:
            for c in glossary.category_chain(self.category_id):
                words += [c.name, c.name_en]
        return words + glossary.foreign_words(f"{self.name} {self.description}")

    def certification_list(self) -> list[str]:
        """The certifications as a list."""
        return [c.strip() for c in self.certifications.replace("，", ",").split(",") if c.strip()]


def photo_path(instance, filename):
    """Photos under media/directory/<product id>/."""
    return f"directory/{instance.product_id}/{secrets.token_hex(8)}.jpg"


class Photo(models.Model):
    """A photo of a product, re-encoded as JPEG at most 1200 px wide, with a thumbnail."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos", verbose_name=_("产品"))
    image = models.FileField(_("图片"), upload_to=photo_path)
    thumbnail = models.FileField(_("缩略图"), upload_to=photo_path)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)

    scope_path = "product__org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("产品图片")
        verbose_name_plural = _("产品图片")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.original_name or str(self.pk)


class DemandStatus(models.TextChoices):
    """A demand is open until it is filled, withdrawn or past its deadline."""

    OPEN = "open", _("征集中")
    CLOSED = "closed", _("已关闭")


class Demand(models.Model):
    """What a buyer seeks (供需): a member abroad, an overseas association, a sales channel; in its own language."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="demands",
                            verbose_name=_("发布组织"))
    buyer = models.CharField(_("采购方"), max_length=200)
    buyer_enterprise = models.ForeignKey(Enterprise, on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="demands", verbose_name=_("采购企业"),
                                         help_text=_("会员通过会员服务发布时为其企业；外部采购方为空。"))
    title = models.CharField(_("需求"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    language = models.CharField(_("语言"), max_length=5, choices=LANGUAGES, default="zh")
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True,
                                 verbose_name=_("类目"))
    quantity = models.PositiveIntegerField(_("数量"), null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    target_price = models.DecimalField(_("目标价"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("币种"), max_length=3, default="USD")
    destination = models.CharField(_("目的国"), max_length=2, blank=True, db_index=True,
                                   validators=[validate_country])
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=DemandStatus.choices, default=DemandStatus.OPEN,
                              db_index=True)
    translation = models.JSONField(_("中文译文"), default=dict, blank=True)
    vector = models.BinaryField(_("语义向量"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("采购需求")
        verbose_name_plural = _("采购需求")

    def __str__(self):
        return self.title


class Match(models.Model):
    """A product found for a demand, with its score; seen by the supplier's organization."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="demand_matches",
                            verbose_name=_("供应方组织"))
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="matches", verbose_name=_("需求"))
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="matches", verbose_name=_("产品"))
    score = models.FloatField(_("匹配度"))
    reasons = models.JSONField(_("依据"), default=list)
    created_at = models.DateTimeField(_("匹配时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("供需匹配")
        verbose_name_plural = _("供需匹配")
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["demand", "product"], name="match_unique")]

    def __str__(self):
        return f"{self.demand} → {self.product}"


class InquiryStatus(models.TextChoices):
    """An inquiry is open while buyer and supplier write to each other."""

    OPEN = "open", _("沟通中")
    CLOSED = "closed", _("已结束")


class Inquiry(models.Model):
    """A buyer's inquiry (询盘) to a supplier about a product or a demand.

    Scoped to the supplier's organization, which sees that it exists and its counts; the
    messages are read by the two parties only, through their secret links.
    """

    personal_fields = ("buyer_email",)

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="inquiries",
                            verbose_name=_("供应方组织"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="inquiries",
                                   verbose_name=_("供应企业"))
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="inquiries", verbose_name=_("产品"))
    demand = models.ForeignKey(Demand, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="inquiries", verbose_name=_("需求"))
    buyer_name = models.CharField(_("采购方"), max_length=200)
    buyer_enterprise = models.ForeignKey(Enterprise, on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="sent_inquiries", verbose_name=_("采购企业"),
                                         help_text=_("会员企业通过会员服务询盘时填写。"))
    buyer_email = models.EmailField(_("采购方邮箱"), blank=True)
    buyer_country = models.CharField(_("采购方国家"), max_length=2, blank=True, validators=[validate_country])
    language = models.CharField(_("语言"), max_length=5, choices=LANGUAGES, default="en")
    status = models.CharField(_("状态"), max_length=10, choices=InquiryStatus.choices, default=InquiryStatus.OPEN)
    buyer_key = models.CharField(max_length=64, unique=True, editable=False)
    supplier_key = models.CharField(max_length=64, unique=True, editable=False)
    is_spam = models.BooleanField(_("疑似垃圾"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("询盘")
        verbose_name_plural = _("询盘")

    def __str__(self):
        return f"{self.buyer_name} → {self.enterprise_id}"


class InquiryMessage(models.Model):
    """One message of an inquiry's thread."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="messages", verbose_name=_("询盘"))
    from_buyer = models.BooleanField(_("采购方发出"))
    body = models.TextField(_("内容"))
    translation = models.TextField(_("译文"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    # No scope_path on purpose: the thread is read through the parties' secret links only,
    # never listed by the association (it sees the inquiry and its counts).

    class Meta:
        verbose_name = _("询盘消息")
        verbose_name_plural = _("询盘消息")
        ordering = ["at", "pk"]

    def __str__(self):
        return self.body[:40]
