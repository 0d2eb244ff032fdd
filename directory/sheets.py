"""Import sheet of products (产品名录), matched by the enterprise's credit code and the product's 货号.

A product belongs to its enterprise's organization, so the enterprise (by credit code, inside the
importer's scope) decides where it goes, not the 组织代码 column. Photos are named in the 图片
column and read from a zip beside the sheet by `manage.py directory_import` (or the service
`attach_photos_from_zip`), after the rows are in.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.importing import normalize as n
from core.importing.sheets import Column, SheetKind, insert, register, set_fields, update
from core.scoping import CHANGE
from directory import services
from directory.filters import ProductFilter
from directory.models import Category, Product, Status
from registry.models import Enterprise


def category(value) -> str:
    """A category given by its code or its Chinese or English name → its code."""
    value = n.text(value)
    if not value:
        return ""
    c = (Category.objects.filter(code=value).first() or Category.objects.filter(name=value).first()
         or Category.objects.filter(name_en__iexact=value).first())
    if c is None:
        raise ValidationError(_("未知类目“%(v)s”。") % {"v": value})
    return c.code


def status(value) -> str:
    """已发布/发布/published → published; 隐藏/hidden → hidden; empty stays empty."""
    value = n.text(value).lower()
    if not value:
        return ""
    if value in {"已发布", "发布", "上架", "published", "是"}:
        return Status.PUBLISHED
    if value in {"已隐藏", "隐藏", "下架", "hidden", "否"}:
        return Status.HIDDEN
    raise ValidationError(_("状态填“已发布”或“已隐藏”。"))


STATUS_LABELS = {Status.PUBLISHED: "已发布", Status.HIDDEN: "已隐藏"}


@register
class ProductsSheet(SheetKind):
    """产品名录: one product per row."""

    kind = "products"
    title = gettext_lazy("产品")
    model = Product
    match_field = "code"
    filterset = ProductFilter
    indexed = True
    chunk_size = 500  # each chunk is encoded in one batch; smaller chunks keep the progress bar moving
    columns = [
        Column("credit_code", gettext_lazy("统一社会信用代码"), ("信用代码", "企业信用代码", "credit code"), required=True,
               normalize=n.code, source="enterprise__credit_code", example="91330782MA2XXXXXX",
               help=gettext_lazy("必填：供应企业的信用代码，企业须已在侨情中登记。")),
        Column("code", gettext_lazy("货号"), ("产品编号", "型号", "item no", "sku"), normalize=n.compact,
               example="SC-001", help=gettext_lazy("同一企业内货号相同的行更新同一产品。")),
        Column("name", gettext_lazy("品名"), ("产品名称", "名称", "name", "product"), required=True,
               example="真丝印花围巾"),
        Column("description", gettext_lazy("描述"), ("产品描述", "说明", "description")),
        Column("name_en", gettext_lazy("英文品名"), ("english name", "name (en)"), source="translations__en__name",
               help=gettext_lazy("留空时用词汇表翻译，并标注为机器翻译。")),
        Column("description_en", gettext_lazy("英文描述"), ("english description",),
               source="translations__en__description"),
        Column("category", gettext_lazy("类目"), ("产品类目", "分类", "category"), normalize=category,
               source="category__code", example="scarves", help=gettext_lazy("类目代码、中文名或英文名。")),
        Column("specifications", gettext_lazy("规格"), ("规格参数", "specifications")),
        Column("min_order", gettext_lazy("起订量"), ("最小起订量", "moq"), normalize=n.integer, example="100"),
        Column("unit", gettext_lazy("单位"), ("计量单位", "unit"), example="条"),
        Column("price_min", gettext_lazy("最低价"), ("价格", "单价", "price"), normalize=n.decimal, example="12.5"),
        Column("price_max", gettext_lazy("最高价"), ("price max",), normalize=n.decimal),
        Column("currency", gettext_lazy("币种"), ("货币", "currency"), normalize=n.compact, example="CNY"),
        Column("hs_code", gettext_lazy("HS编码"), ("海关编码", "hs code"), normalize=n.compact, example="621410"),
        Column("certifications", gettext_lazy("认证"), ("产品认证", "certifications"), example="CE,OEKO-TEX"),
        Column("status", gettext_lazy("状态"), ("status",), normalize=status,
               render=lambda v: STATUS_LABELS.get(v, v or ""), example="已发布"),
        Column("photos", gettext_lazy("图片"), ("图片文件", "photos"), source="code",
               render=lambda v: "", help=gettext_lazy("压缩包中的图片文件名，多个以分号分隔。")),
    ]
    _fields = ["code", "name", "description", "specifications", "min_order", "unit", "price_min", "price_max",
               "currency", "hs_code", "certifications", "status"]

    def org_code(self, values):
        """The enterprise's organization: a product goes where its enterprise is registered."""
        code = values.get("credit_code") or ""
        if code not in self._org_codes:
            if len(self._org_codes) > 10_000:
                self._org_codes.clear()
            self._org_codes[code] = Enterprise.objects.filter(credit_code=code).values_list(
                "org__code", flat=True).first() or ""
        return self._org_codes[code]

    def __init__(self):
        self._org_codes: dict[str, str] = {}

    def match_key(self, values, org):
        """The enterprise and the 货号 (rows without 货号 always add a product)."""
        if values.get("credit_code") and values.get("code"):
            return (values["credit_code"], values["code"])
        return None

    def prepare(self, batch):
        """The enterprises the chunk names that the importer may change, and the categories."""
        codes = {row[1].get("credit_code") for row in batch.rows} - {None, ""}
        batch.lookups["enterprises"] = {
            e.credit_code: e for e in Enterprise.objects.visible_to(batch.user, CHANGE)
            .filter(credit_code__in=codes).select_related("org")}
        batch.lookups["categories"] = {c.code: c for c in Category.objects.all()}

    def existing(self, keys, batch):
        """Stored products of these enterprises with these 货号."""
        enterprises = batch.lookups["enterprises"]
        ids = [enterprises[k[0]].pk for k in keys if k[0] in enterprises]
        qs = Product.objects.select_related("org", "enterprise").filter(
            enterprise_id__in=ids, code__in=[k[1] for k in keys])
        return {(p.enterprise.credit_code, p.code): p for p in qs}

    def build(self, values, org, explicit_org, existing, batch):
        """A new product of the enterprise, or the stored one with the sheet's non-empty cells."""
        enterprise = batch.lookups["enterprises"].get(values.get("credit_code"))
        if enterprise is None:
            raise ValidationError({"credit_code": _("未找到您可管理的、信用代码为 %(v)s 的企业，请先导入企业。")
                                   % {"v": values.get("credit_code")}})
        product = existing or Product(enterprise=enterprise, org=enterprise.org, country=enterprise.country or "CN",
                                      status=Status.PUBLISHED)
        before = (product.name, product.description, dict(product.translations or {}))
        changed = set_fields(product, values, self._fields)
        if values.get("category"):
            c = batch.lookups["categories"][values["category"]]
            if product.category_id != c.pk:
                product.category = c
                changed.add("category")
        if values.get("name_en") or values.get("description_en"):
            en = dict((product.translations or {}).get("en", {}))
            en.update({k: v for k, v in (("name", values.get("name_en")),
                                         ("description", values.get("description_en"))) if v})
            en["machine"] = False
            product.translations = {**(product.translations or {}), "en": en}
        services._clean_product(product)
        if (product.name, product.description, product.translations) != before or existing is None:
            services.fill_translations(product)
            product._needs_vector = True
            changed |= {"translations", "vector"}
        product.full_clean(exclude=["vector", "enterprise", "org", "category"])
        if existing is not None and changed:
            product.updated_at = timezone.now()
            changed.add("updated_at")
        return product, changed

    def owner(self, obj):
        """The enterprise's organization."""
        return obj.org

    def save(self, created, updated, fields):
        """Encode the chunk's new texts in one batch, then write."""
        self._org_codes.clear()  # an enterprise moved since is seen by the next chunk
        services.vectorize([p for p in created + updated if getattr(p, "_needs_vector", False)])
        if created:
            insert_products(created)
        if updated and fields:
            update(Product, updated, fields)


def insert_products(products: list) -> None:
    """core's bulk insert for products (import, benchmark), with the JSON column adapted on PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        insert(Product, products)
        return
    # core's COPY path writes values as they are; a dict needs psycopg's Jsonb to be adapted.
    from psycopg.types.json import Jsonb

    plain = [p.translations for p in products]
    for p in products:
        p.translations = Jsonb(p.translations)
    try:
        insert(Product, products)
    finally:
        for p, t in zip(products, plain, strict=True):
            p.translations = t
