"""The figures of cases the annual review quotes: received, resolved, rates, amounts, satisfaction.

Received counts by the submission date; resolved, rates, recovered amounts and satisfaction by the
date of the outcome (resolved or not resolved). Spam is never counted.
"""
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Sum
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Outcome
from stats.indicators import Indicator, register

LIST = "cases:case-list"


def received(scope):
    """Cases submitted in the period."""
    return scope.qs(Case).filter(is_spam=False, submitted_at__range=(scope.start_dt(), scope.end_dt()))


def decided(scope):
    """Cases whose outcome (resolved or not) came in the period."""
    return scope.qs(Case).filter(is_spam=False, outcome__in=Outcome.values,
                                 decided_at__range=(scope.start_dt(), scope.end_dt()))


def resolved(scope):
    """Cases resolved in the period."""
    return decided(scope).filter(outcome=Outcome.RESOLVED)


def _percent(part: int, whole: int):
    if not whole:
        return 0
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _by_kind(qs, value=None):
    rows = qs.values_list("kind").annotate(v=value or Count("id")).order_by("kind")
    return {kind: v or 0 for kind, v in rows}


def _sum(qs, field):
    return qs.aggregate(t=Sum(field))["t"] or Decimal("0")


def _on_time(scope):
    return decided(scope).filter(due_on__isnull=False, decided_at__date__lte=F("due_on"))


def _average_satisfaction(scope):
    value = decided(scope).filter(satisfaction__isnull=False).aggregate(a=Avg("satisfaction"))["a"]
    return float(Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)) if value is not None else 0


register(Indicator(
    key="cases.received", title=_("受理诉求"), unit=_("件"),
    description=_("期内提交的诉求数（不含疑似垃圾信息）。"),
    compute=lambda s: received(s).count(), records=received, list_url=LIST,
))
register(Indicator(
    key="cases.received.by_kind", title=_("诉求类型分布"), unit=_("件"),
    description=_("期内提交的诉求按类型（咨询、侨益保护、劳资、消费、经营、知识产权纠纷）统计。"),
    compute=lambda s: _by_kind(received(s)), records=received, list_url=LIST,
))
register(Indicator(
    key="cases.resolved", title=_("化解诉求"), unit=_("件"),
    description=_("期内化解（达成调解协议或妥善处理）的诉求数，按化解日期。"),
    compute=lambda s: resolved(s).count(), records=resolved, list_url=LIST,
))
register(Indicator(
    key="cases.resolved.by_kind", title=_("化解诉求类型分布"), unit=_("件"),
    description=_("期内化解的诉求按类型统计。"),
    compute=lambda s: _by_kind(resolved(s)), records=resolved, list_url=LIST,
))
register(Indicator(
    key="cases.resolution_rate", title=_("化解率"), unit="%",
    description=_("期内有办理结果的诉求中已化解的比例（已化解 ÷ (已化解 + 未化解)），不含不予受理。"),
    compute=lambda s: _percent(resolved(s).count(), decided(s).count()), records=decided, list_url=LIST,
))
register(Indicator(
    key="cases.on_time_rate", title=_("按期办结率"), unit="%",
    description=_("期内有办理结果的诉求中，在办结期限（工作日，含法定节假日调休）内得出结果的比例。"),
    compute=lambda s: _percent(_on_time(s).count(), decided(s).filter(due_on__isnull=False).count()),
    records=decided, list_url=LIST,
))
register(Indicator(
    key="cases.amount_involved", title=_("涉及金额"), unit=_("元"),
    description=_("期内提交的诉求涉及金额合计。"),
    compute=lambda s: _sum(received(s), "amount_involved"), records=received, list_url=LIST,
))
register(Indicator(
    key="cases.amount_recovered", title=_("挽回经济损失"), unit=_("元"),
    description=_("期内化解的诉求挽回的经济损失合计。"),
    compute=lambda s: _sum(resolved(s), "amount_recovered"), records=resolved, list_url=LIST,
))
register(Indicator(
    key="cases.amount_recovered.by_kind", title=_("挽回经济损失类型分布"), unit=_("元"),
    description=_("期内化解的诉求挽回的经济损失按类型统计。"),
    compute=lambda s: _by_kind(resolved(s), Sum("amount_recovered")), records=resolved, list_url=LIST,
))
register(Indicator(
    key="cases.satisfaction.average", title=_("平均满意度"), unit=_("分"),
    description=_("期内有办理结果且已回访的诉求的平均满意度（1–5 分）。"),
    compute=_average_satisfaction,
    records=lambda s: decided(s).filter(satisfaction__isnull=False), list_url=LIST,
))
