"""The pairing indicators: pairs made, beneficiaries reached and the results the pairs brought."""
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pairing.models import FollowUp, Pair
from stats.indicators import Indicator, register


def _pairs_made(scope):
    return scope.qs(Pair).filter(started_on__range=(scope.start, scope.end))


def _pairs_to_date(scope):
    return scope.qs(Pair).filter(started_on__lte=scope.end)


def _follow_ups(scope):
    return scope.qs(FollowUp).filter(date__range=(scope.start, scope.end))


def _sum(field):
    return lambda s: _follow_ups(s).aggregate(t=Sum(field))["t"] or 0


def program_figures(program, start=None, end=None) -> dict:
    """The same figures for one programme (its dashboard), optionally over a period."""
    pairs = Pair.objects.filter(program=program)
    follow_ups = FollowUp.objects.filter(pair__program=program)
    if start:
        pairs, follow_ups = pairs.filter(started_on__gte=start), follow_ups.filter(date__gte=start)
    if end:
        pairs, follow_ups = pairs.filter(started_on__lte=end), follow_ups.filter(date__lte=end)
    sums = follow_ups.aggregate(funds=Sum("funds_delivered"), orders=Sum("orders_amount"),
                                income=Sum("income_increase"), trained=Sum("people_trained"))
    return {
        "pairs": pairs.count(),
        "active": pairs.filter(status="active").count(),
        "beneficiaries": pairs.values("beneficiary").distinct().count(),
        "funds": sums["funds"] or 0, "orders": sums["orders"] or 0, "income": sums["income"] or 0,
        "trained": sums["trained"] or 0,
    }


register(Indicator(
    key="pairing.pairs.made", title=_("新结对"), unit=_("对"),
    description=_("期内确认（结对日期在期内）的结对数，含手工结对。"),
    compute=lambda s: _pairs_made(s).count(), records=_pairs_made, list_url="pairing:pair-list",
))
register(Indicator(
    key="pairing.pairs.by_program", title=_("各项目新结对"), unit=_("对"),
    description=_("期内确认的结对数，按结对项目统计。"),
    compute=lambda s: dict(_pairs_made(s).values_list("program__name").annotate(n=Count("id"))
                           .order_by("-n").values_list("program__name", "n")),
    records=_pairs_made, list_url="pairing:pair-list",
))
register(Indicator(
    key="pairing.pairs.active", title=_("进行中的结对"), unit=_("对"), cumulative=True,
    description=_("期末仍在进行的结对数：结对日期不晚于期末，且未结束或结束晚于期末。"),
    compute=lambda s: _pairs_to_date(s).exclude(ended_on__lte=s.end).count(),
    records=lambda s: _pairs_to_date(s).exclude(ended_on__lte=s.end), list_url="pairing:pair-list",
))
register(Indicator(
    key="pairing.beneficiaries.reached", title=_("受助对象"), unit=pgettext_lazy("unit: number of beneficiaries", "个"), cumulative=True,
    description=_("截至期末至少有过一个结对的受助方数（同一受助方只计一次）。"),
    compute=lambda s: _pairs_to_date(s).values("beneficiary").distinct().count(),
    records=_pairs_to_date, list_url="pairing:pair-list",
))
register(Indicator(
    key="pairing.funds_delivered", title=_("结对到位资金"), unit=_("元"),
    description=_("期内回访记录的到位资金合计（按回访日期）。"),
    compute=_sum("funds_delivered"), records=_follow_ups,
))
register(Indicator(
    key="pairing.orders_amount", title=_("结对促成订单"), unit=_("元"),
    description=_("期内回访记录的订单金额合计。"),
    compute=_sum("orders_amount"), records=_follow_ups,
))
register(Indicator(
    key="pairing.income_increase", title=_("结对增收"), unit=_("元"),
    description=_("期内回访记录的增收合计。"),
    compute=_sum("income_increase"), records=_follow_ups,
))
register(Indicator(
    key="pairing.people_trained", title=_("结对培训人次"), unit=_("人次"),
    description=_("期内回访记录的培训人次合计。"),
    compute=_sum("people_trained"), records=_follow_ups,
))
