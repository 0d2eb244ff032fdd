"""The public catalogue's reads and protections: published products only, rate limits, labels in two languages.

Search here goes through the same index (`core.search.matching_ids`) with no scope: only published
products are ever returned. The phone and address of an enterprise never leave the server; a buyer
writes through an inquiry, behind the intake's challenge and a rate limit per address.
"""
from __future__ import annotations

from django.conf import settings

from cases.intake import IntakeThrottle
from core import search
from core.search import ranked
from directory.filters import ProductFilter
from directory.models import Product, Status


class CatalogueThrottle(IntakeThrottle):
    """Catalogue API reads per address (DIRECTORY_CATALOGUE_RATE, default 600/hour)."""

    scope = "directory_catalogue"

    def get_rate(self):
        """The configured rate."""
        return getattr(settings, "DIRECTORY_CATALOGUE_RATE", "600/hour")


class InquiryThrottle(IntakeThrottle):
    """Public inquiries per address (DIRECTORY_INQUIRY_RATE, default 10/hour), page and API alike."""

    scope = "directory_inquiry"

    def get_rate(self):
        """The configured rate."""
        return getattr(settings, "DIRECTORY_INQUIRY_RATE", "10/hour")


def published():
    """Every published product, with what a catalogue row shows, never the vector."""
    return (Product.objects.filter(status=Status.PUBLISHED).select_related("enterprise", "category")
            .only("pk", "name", "description", "translations", "category__code", "category__name",
                  "category__name_en", "category__parent_id", "country", "min_order", "unit", "price_min",
                  "price_max", "currency", "certifications", "enterprise__name", "enterprise_id", "org_id",
                  "status"))


def public_products(params):
    """Published products matching the catalogue's parameters (q, category, country, certification, price)."""
    qs = published()
    data = {k: params.get(k) for k in ("category", "country", "certification", "price") if params.get(k)}
    if data:  # unfiltered, the most common visit, skips building the filter's form (a tenth of the page)
        qs = ProductFilter(data, queryset=qs).qs
    q = (params.get("q") or "").strip()
    if not q:
        return qs.order_by("-pk")
    ids = search.matching_ids("directory.product", q, None, search.MAX_CANDIDATES)
    return ranked(qs, ids) if ids else qs.none()


LABELS = {
    "zh": {"title": "产品名录", "search": "搜索产品（中文、拼音或英文）", "go": "搜索", "all": "全部类目",
           "moq": "起订量", "price": "价格", "supplier": "供应商", "machine": "机器翻译", "inquire": "发送询盘",
           "name": "您的称呼", "email": "电子邮箱", "country": "国家", "message": "询盘内容", "send": "发送",
           "none": "没有找到产品。", "next": "下一页", "prev": "上一页", "sent": "询盘已发送。请保存下面的链接，用它查看供应商的回复：",
           "thread": "询盘", "reply": "回复", "untranslated": "未译", "certifications": "认证", "spec": "规格",
           "contact_note": "联系供应商请通过询盘，平台不公开电话。", "products": "在售产品",
           "industry": "行业", "place": "所在地"},
    "en": {"title": "Product directory", "search": "Search products (English, Chinese or pinyin)", "go": "Search",
           "all": "All categories", "moq": "MOQ", "price": "Price", "supplier": "Supplier",
           "machine": "Machine translation", "inquire": "Send an inquiry", "name": "Your name", "email": "E-mail",
           "country": "Country", "message": "Message", "send": "Send", "none": "No products found.", "next": "Next",
           "prev": "Previous", "sent": "Your inquiry was sent. Keep this link to read the supplier's answer:",
           "thread": "Inquiry", "reply": "Reply", "untranslated": "untranslated", "certifications": "Certifications",
           "spec": "Specifications", "contact_note": "Contact suppliers through an inquiry; phone numbers are not shown.",
           "products": "Products", "industry": "Industry", "place": "Location"},
}


def labels(lang: str) -> dict:
    """The catalogue's labels in the page's language (Chinese or English)."""
    return LABELS["en" if lang.startswith("en") else "zh"]
