"""Readable labels of breakdown keys (IT → 意大利, 330000 → 浙江省, relative → 侨眷) and of values."""
from __future__ import annotations

from decimal import Decimal

from core.countries import country_name
from core.regions import region_name


def label(indicator, code: str) -> str:
    """The display label of one key of a breakdown, by the list parameter it maps to."""
    param = indicator.breakdown_param
    if param == "country":
        return country_name(code) or code
    if param in ("home_region", "region"):
        return region_name(code) or code
    if param == "category":
        from registry.models import Category

        return str(dict(Category.choices).get(code, code))
    if param == "industry":
        from registry.models import Industry

        return str(dict(Industry.choices).get(code, code))
    if param == "kind":
        from orgs.models import OrgKind

        return str(dict(OrgKind.choices).get(code, code))
    return str(code)


def number(value) -> str:
    """1234 → 1,234; 1300.50 → 1,300.5; None → —."""
    if value is None:
        return "—"
    if isinstance(value, Decimal | float):
        if value == int(value):
            return f"{int(value):,}"
        return f"{float(value):,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def change_words(pct) -> str:
    """70.41 → 增长70.41%; -3.2 → 下降3.2%; 0 → 持平; None → （上年无数据）."""
    from django.utils.translation import gettext as _

    if pct is None:
        return _("（上年同期无数据）")
    if pct == 0:
        return _("持平")
    word = _("增长") if pct > 0 else _("下降")
    return f"{word}{abs(pct):g}%"
