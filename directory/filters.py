"""FilterSets of products, demands and inquiries, shared by the web lists and the API; facet counts."""
from __future__ import annotations

from collections import Counter

import django_filters as df
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.countries import country_choices, country_name
from core.search import found
from directory.models import Category, Demand, DemandStatus, Inquiry, InquiryStatus, Product, Status
from registry.filters import OrgSubtreeFilter

PRICE_BANDS = [("0-1", 0, 1), ("1-5", 1, 5), ("5-20", 5, 20), ("20-100", 20, 100), ("100-", 100, None)]


class ProductSearchFilter(df.CharFilter):
    """The shared Chinese search (core.search.search_ids), best first."""

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        request = getattr(self.parent, "request", None)
        return found(qs, getattr(request, "user", None), value)


class CategoryFilter(df.CharFilter):
    """A category by code: a top-level category takes in its children."""

    def filter(self, qs, value):
        if not value:
            return qs
        c = Category.objects.filter(code=value).only("pk", "parent_id").first()
        if c is None:
            return qs.none()
        return qs.filter(Q(category_id=c.pk) | Q(category__parent_id=c.pk)) if c.parent_id is None else qs.filter(
            category_id=c.pk)


class ProductFilter(df.FilterSet):
    """Products: text (Chinese, pinyin, traditional, English stems), category, supplier country, certification,
    price band, status, enterprise, organization."""

    q = ProductSearchFilter(label=_("搜索"))
    category = CategoryFilter(label=_("类目"))
    country = df.ChoiceFilter(label=_("供应商国家"), choices=country_choices, empty_label=_("全部"))
    certification = df.CharFilter(label=_("认证"), field_name="certifications", lookup_expr="icontains")
    price = df.ChoiceFilter(label=_("价格"), choices=[(b[0], b[0]) for b in PRICE_BANDS], method="filter_price",
                            empty_label=_("全部"))
    price_min = df.NumberFilter(label=_("最低价不低于"), field_name="price_min", lookup_expr="gte")
    price_max = df.NumberFilter(label=_("最高价不超过"), field_name="price_max", lookup_expr="lte")
    status = df.ChoiceFilter(label=_("状态"), choices=Status.choices, empty_label=_("全部"))
    enterprise = df.NumberFilter(label=_("企业"))
    org = OrgSubtreeFilter(label=_("组织代码"))
    ordering = df.OrderingFilter(fields=(("name", "name"), ("price_min", "price"), ("created_at", "created_at")))

    class Meta:
        model = Product
        fields = ["q", "category", "country", "certification", "price", "status", "enterprise", "org"]

    def filter_price(self, qs, name, value):
        """A price band on the lowest price."""
        band = next((b for b in PRICE_BANDS if b[0] == value), None)
        if band is None:
            return qs
        qs = qs.filter(price_min__gte=band[1])
        return qs.filter(price_min__lt=band[2]) if band[2] is not None else qs


def facets(qs, lang: str = "zh", limit: int = 12) -> dict:
    """Counts by top-level category, supplier country, certification and price band of a filtered queryset.

    Counted over at most FACET_ROWS rows of the result (a search returns at most 500 anyway);
    beyond that the counts say "at least".
    """
    # One query for the (at most FACET_ROWS) rows, counted here: nine GROUP BYs and counts, each
    # re-reading the filtered result, cost 120–280 ms on PostgreSQL at two million products.
    rows = list(qs.order_by().values_list("category_id", "country", "certifications", "price_min")[:FACET_ROWS])
    out = {"capped": len(rows) >= FACET_ROWS}
    cats = {c.pk: c for c in Category.objects.all()}
    by_cat: Counter = Counter()
    by_country: Counter = Counter()
    certs: Counter = Counter()
    for cid, country, certifications, _price in rows:
        c = cats.get(cid)
        top = (c.parent_id or c.pk) if c else None
        if top:
            by_cat[top] += 1
        by_country[country] += 1
        if certifications:
            certs.update({x.strip().upper() for x in certifications.replace("，", ",").split(",") if x.strip()})
    out["category"] = [{"value": cats[k].code, "label": cats[k].label(lang), "count": v}
                       for k, v in sorted(by_cat.items(), key=lambda kv: -kv[1])[:limit]]
    out["country"] = [{"value": c, "label": country_name(c) or c, "count": n}
                      for c, n in sorted(by_country.items(), key=lambda kv: -kv[1])[:limit]]
    out["certification"] = [{"value": c, "label": c, "count": n}
                            for c, n in sorted(certs.items(), key=lambda kv: -kv[1])[:limit]]
    bands = []
    for code, lo, hi in PRICE_BANDS:
        n = sum(1 for *_rest, price in rows if price is not None and price >= lo and (hi is None or price < hi))
        bands.append({"value": code, "label": code, "count": n})
    out["price"] = [b for b in bands if b["count"]]
    return out


FACET_ROWS = 5000


class DemandFilter(df.FilterSet):
    """Demands: text, status, destination country, language, category, organization."""

    q = df.CharFilter(label=_("搜索"), method="filter_q")
    status = df.ChoiceFilter(label=_("状态"), choices=DemandStatus.choices, empty_label=_("全部"))
    destination = df.ChoiceFilter(label=_("目的国"), choices=country_choices, empty_label=_("全部"))
    language = df.CharFilter(label=_("语言"))
    category = CategoryFilter(label=_("类目"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Demand
        fields = ["q", "status", "destination", "language", "category", "org"]

    def filter_q(self, qs, name, value):
        """Title, buyer or description containing the text (demands are few; no index needed)."""
        if not value:
            return qs
        return qs.filter(Q(title__icontains=value) | Q(buyer__icontains=value) | Q(description__icontains=value))


class InquiryFilter(df.FilterSet):
    """Inquiries (counts and parties only): status, enterprise, organization."""

    q = df.CharFilter(label=_("搜索"), method="filter_q")
    status = df.ChoiceFilter(label=_("状态"), choices=InquiryStatus.choices, empty_label=_("全部"))
    enterprise = df.NumberFilter(label=_("企业"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Inquiry
        fields = ["q", "status", "enterprise", "org"]

    def filter_q(self, qs, name, value):
        """Buyer or enterprise name containing the text."""
        if not value:
            return qs
        return qs.filter(Q(buyer_name__icontains=value) | Q(enterprise__name__icontains=value))
