"""The registry's indicators: people, enterprises, members and dues."""
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registry.models import DuesPayment, Enterprise, Membership, Person
from stats.indicators import Indicator, register

MEMBERS = pgettext_lazy("unit: number of members", "个")  # the unit of the indicators below that count members

def _people(scope):
    return scope.qs(Person).filter(merged_into__isnull=True, created_at__lte=scope.end_dt())


def _breakdown(qs, field):
    return dict(qs.values_list(field).annotate(n=Count("id")).order_by("-n").values_list(field, "n"))


def _until_end(scope):
    return {"created_to": scope.end.isoformat()}


def _in_period(scope):
    return {"created_from": scope.start.isoformat(), "created_to": scope.end.isoformat()}


def _current_members(scope):
    return scope.qs(Membership).filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=scope.end),
        Q(left_on__isnull=True) | Q(left_on__gt=scope.end),
    )


register(Indicator(
    key="registry.people.count", title=_("登记人员"), unit=_("人"), cumulative=True,
    description=_("截至期末登记在册的人员数（不含已合并的重复记录）。"),
    compute=lambda s: _people(s).count(), records=_people, list_url="registry:person-list",
    list_filters=_until_end,
))
register(Indicator(
    key="registry.people.by_category", title=_("人员类别分布"), unit=_("人"), cumulative=True,
    description=_("截至期末登记人员按类别（华侨、外籍华人、归侨、侨眷、港澳台同胞、留学人员）统计。"),
    compute=lambda s: _breakdown(_people(s), "category"), records=_people, list_url="registry:person-list",
    list_filters=_until_end, breakdown_param="category",
))
register(Indicator(
    key="registry.people.by_country", title=_("人员居住国分布"), unit=_("人"), cumulative=True,
    description=_("截至期末登记人员按居住国统计。"),
    compute=lambda s: _breakdown(_people(s).exclude(country=""), "country"), records=_people,
    list_url="registry:person-list", list_filters=_until_end, breakdown_param="country",
))
register(Indicator(
    key="registry.people.by_home_province", title=_("人员祖籍省份分布"), unit=_("人"), cumulative=True,
    description=_("截至期末登记人员按祖籍地所在省份（行政区划代码前两位）统计。"),
    compute=lambda s: {
        f"{code}0000": n for code, n in
        _breakdown(_people(s).exclude(home_region="").annotate(prov=Substr("home_region", 1, 2)), "prov").items()
    },
    records=_people, list_url="registry:person-list", list_filters=_until_end, breakdown_param="home_region",
))
register(Indicator(
    key="registry.people.registered", title=_("新登记人员"), unit=_("人"),
    description=_("期内新登记的人员数。"),
    compute=lambda s: _people(s).filter(created_at__gte=s.start_dt()).count(),
    records=lambda s: _people(s).filter(created_at__gte=s.start_dt()), list_url="registry:person-list",
    list_filters=_in_period,
))
register(Indicator(
    key="registry.enterprises.count", title=_("登记企业"), unit=_("家"), cumulative=True,
    description=_("截至期末登记在册的企业和个体工商户数。"),
    compute=lambda s: s.qs(Enterprise).filter(created_at__lte=s.end_dt()).count(),
    records=lambda s: s.qs(Enterprise).filter(created_at__lte=s.end_dt()), list_url="registry:enterprise-list",
    list_filters=_until_end,
))
register(Indicator(
    key="registry.enterprises.by_industry", title=_("企业行业分布"), unit=_("家"), cumulative=True,
    description=_("截至期末登记企业按国民经济行业门类（GB/T 4754）统计。"),
    compute=lambda s: _breakdown(s.qs(Enterprise).filter(created_at__lte=s.end_dt()).exclude(industry=""),
                                 "industry"),
    records=lambda s: s.qs(Enterprise).filter(created_at__lte=s.end_dt()), list_url="registry:enterprise-list",
    list_filters=_until_end, breakdown_param="industry",
))
register(Indicator(
    key="registry.members.current", title=_("在会会员"), unit=MEMBERS, cumulative=True,
    description=_("期末仍在会的会员（人员和企业）数：入会日期不晚于期末，且未退会或退会晚于期末。"),
    compute=lambda s: _current_members(s).count(), records=_current_members,
))
register(Indicator(
    key="registry.members.joined", title=_("新入会会员"), unit=MEMBERS,
    description=_("期内入会的会员数。"),
    compute=lambda s: s.qs(Membership).filter(joined_on__range=(s.start, s.end)).count(),
    records=lambda s: s.qs(Membership).filter(joined_on__range=(s.start, s.end)),
))
register(Indicator(
    key="registry.dues.collected", title=_("会费收入"), unit=_("元"),
    description=_("期内缴纳的会费合计（按缴费日期）。"),
    compute=lambda s: s.qs(DuesPayment).filter(paid_on__range=(s.start, s.end)).aggregate(
        t=Sum("amount"))["t"] or 0,
    records=lambda s: s.qs(DuesPayment).filter(paid_on__range=(s.start, s.end)),
))
