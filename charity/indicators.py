"""The charity indicators: donations by kind and fund, money disbursed, beneficiaries helped, honours."""
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charity.models import Disbursement, DisbursementStatus, Donation, DonationKind, Honor
from stats.indicators import Indicator, register

BENEFICIARIES = pgettext_lazy("unit: number of beneficiaries", "个")  # the unit of the indicators below that count beneficiaries
HONOURS = pgettext_lazy("unit: number of honours", "项")  # the unit of the indicators below that count honours


def _donations(scope):
    return scope.qs(Donation).filter(received_on__range=(scope.start, scope.end))


def _paid(scope):
    return scope.qs(Disbursement).filter(status=DisbursementStatus.APPROVED, paid_on__range=(scope.start, scope.end))


def _total(qs, field):
    return qs.aggregate(t=Sum(field))["t"] or 0


def _d_filters(s):
    return {"received_from": s.start.isoformat(), "received_to": s.end.isoformat()}


def _p_filters(s):
    return {"status": DisbursementStatus.APPROVED, "paid_from": s.start.isoformat(), "paid_to": s.end.isoformat()}


def _reg(key, title, unit, description, compute, records, list_url, list_filters, **kw):
    register(Indicator(key=key, title=title, unit=unit, description=description, compute=compute, records=records,
                       list_url=list_url, list_filters=list_filters, **kw))


_reg("charity.donations.total", _("捐赠总额"), _("元"), _("期内接收的捐款与捐物估值之和（按接收日期）。"),
     lambda s: _total(_donations(s), "value"), _donations, "charity:donation-list", _d_filters)
_reg("charity.donations.money", _("捐款"), _("元"), _("期内接收的捐款之和。"),
     lambda s: _total(_donations(s).filter(kind=DonationKind.MONEY), "value"),
     lambda s: _donations(s).filter(kind=DonationKind.MONEY), "charity:donation-list",
     lambda s: {**_d_filters(s), "kind": DonationKind.MONEY})
_reg("charity.donations.goods", _("捐物估值"), _("元"), _("期内接收的捐赠物品估值之和。"),
     lambda s: _total(_donations(s).filter(kind=DonationKind.GOODS), "value"),
     lambda s: _donations(s).filter(kind=DonationKind.GOODS), "charity:donation-list",
     lambda s: {**_d_filters(s), "kind": DonationKind.GOODS})
_reg("charity.donations.count", _("捐赠笔数"), _("笔"), _("期内接收的捐赠笔数。"),
     lambda s: _donations(s).count(), _donations, "charity:donation-list", _d_filters)
_reg("charity.donations.by_fund", _("各基金捐赠"), _("元"), _("期内接收的捐赠金额（含物品估值），按基金。"),
     lambda s: {k: v for k, v in _donations(s).values_list("fund__code").annotate(t=Sum("value"))
                .order_by("-t").values_list("fund__code", "t")},
     _donations, "charity:donation-list", _d_filters, breakdown_param="fund")
_reg("charity.disbursed.amount", _("拨付金额"), _("元"), _("期内批准拨付的金额之和（按拨付日期）。"),
     lambda s: _total(_paid(s), "amount"), _paid, "charity:disbursement-list", _p_filters)
_reg("charity.beneficiaries.helped", _("受助对象"), BENEFICIARIES, _("期内获得拨付的不同受助人数。"),
     lambda s: _paid(s).values("beneficiary").distinct().count(), _paid, "charity:disbursement-list", _p_filters)
_reg("charity.honors.count", _("获授荣誉"), HONOURS, _("期内年度授予的荣誉数。"),
     lambda s: s.qs(Honor).filter(year__range=(s.start.year, s.end.year)).count(),
     lambda s: s.qs(Honor).filter(year__range=(s.start.year, s.end.year)), "charity:honor-list",
     lambda s: {"year": s.start.year}, additive=True)
_reg("charity.honors.by_title", _("各类荣誉"), HONOURS, _("期内年度授予的荣誉，按名称。"),
     lambda s: dict(s.qs(Honor).filter(year__range=(s.start.year, s.end.year)).values_list("title")
                    .annotate(n=Count("id")).order_by("-n").values_list("title", "n")),
     lambda s: s.qs(Honor), "charity:honor-list", lambda s: {"year": s.start.year}, breakdown_param="title")
