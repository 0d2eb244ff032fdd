"""Figures of the directory: products listed, demands posted, matches, inquiries; by category, country, period.

Products and matches count by their creation date; inquiries count without their content
(the association sees how many, never what was written); spam is never counted.
"""
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from directory.models import Demand, Inquiry, Match, Product, Status
from stats.indicators import Indicator, register

PRODUCTS = pgettext_lazy("unit: number of products", "个")  # the unit of the indicators below that count products
DEMANDS = pgettext_lazy("unit: number of demands", "条")  # the unit of the indicators below that count demands

def _in_period(qs, scope, field="created_at"):
    return qs.filter(**{f"{field}__range": (scope.start_dt(), scope.end_dt())})


def products_listed(scope):
    """Products created in the period."""
    return _in_period(scope.qs(Product), scope)


def products_published(scope):
    """Products published at the end of the period and listed by then."""
    return scope.qs(Product).filter(status=Status.PUBLISHED, created_at__lte=scope.end_dt())


def demands_posted(scope):
    """Demands posted in the period."""
    return _in_period(scope.qs(Demand), scope)


def matches_made(scope):
    """Matches found in the period, on the supplier's side."""
    return _in_period(scope.qs(Match), scope)


def inquiries_received(scope):
    """Inquiries received in the period by the suppliers of the subtree (spam excluded)."""
    return _in_period(scope.qs(Inquiry), scope).filter(is_spam=False)


def _breakdown(qs, field):
    return {k or "—": n for k, n in qs.values_list(field).annotate(n=Count("id")).order_by("-n")}


PRODUCT_LIST = "directory:product-list"

register(Indicator(
    key="directory.products.listed", title=_("新增产品"), unit=PRODUCTS,
    description=_("期内新登录产品名录的产品数（含已隐藏）。"),
    compute=lambda s: products_listed(s).count(), records=products_listed, list_url=PRODUCT_LIST,
))
register(Indicator(
    key="directory.products.published", title=_("在架产品"), unit=PRODUCTS, cumulative=True,
    description=_("期末处于已发布状态、公开目录可见的产品数。"),
    compute=lambda s: products_published(s).count(), records=products_published, list_url=PRODUCT_LIST,
    list_filters=lambda s: {"status": "published"},
))
register(Indicator(
    key="directory.products.by_category", title=_("新增产品（按类目）"), unit=PRODUCTS,
    description=_("期内新增产品数，按一级类目统计。"),
    compute=lambda s: _breakdown(products_listed(s), "category__parent__name"),
    records=products_listed, list_url=PRODUCT_LIST,
))
register(Indicator(
    key="directory.products.by_country", title=_("新增产品（按供应商国家）"), unit=PRODUCTS,
    description=_("期内新增产品数，按供应企业所在国家统计。"),
    compute=lambda s: _breakdown(products_listed(s), "country"),
    records=products_listed, list_url=PRODUCT_LIST, breakdown_param="country",
))
register(Indicator(
    key="directory.demands.posted", title=_("发布采购需求"), unit=DEMANDS,
    description=_("期内发布的采购需求数。"),
    compute=lambda s: demands_posted(s).count(), records=demands_posted, list_url="directory:demand-list",
))
register(Indicator(
    key="directory.demands.by_destination", title=_("采购需求（按目的国）"), unit=DEMANDS,
    description=_("期内发布的采购需求数，按目的国统计。"),
    compute=lambda s: _breakdown(demands_posted(s), "destination"),
    records=demands_posted, list_url="directory:demand-list", breakdown_param="destination",
))
register(Indicator(
    key="directory.matches", title=_("供需匹配"), unit=_("次"),
    description=_("期内为采购需求匹配到的产品数（计在供应方所属组织）。"),
    compute=lambda s: matches_made(s).count(), records=matches_made,
))
register(Indicator(
    key="directory.inquiries", title=_("询盘"), unit=_("次"),
    description=_("期内供应企业收到的询盘数（不含疑似垃圾）；商会只看数量，不看内容。"),
    compute=lambda s: inquiries_received(s).count(), records=inquiries_received,
    list_url="directory:inquiry-list",
))
register(Indicator(
    key="directory.inquiries.by_country", title=_("询盘（按采购方国家）"), unit=_("次"),
    description=_("期内询盘数，按采购方国家统计。"),
    compute=lambda s: _breakdown(inquiries_received(s), "buyer_country"),
    records=inquiries_received, list_url="directory:inquiry-list",
))
