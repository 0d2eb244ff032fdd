"""The organization tree's indicators: organizations by kind, council members."""
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orgs.models import Organization, Position
from stats.indicators import Indicator, register

ORGANIZATIONS = pgettext_lazy("unit: number of organizations", "个")  # the unit of the indicators below that count organizations

COUNCIL_ROLES = ["president", "executive_vice_president", "vice_president", "secretary_general",
                 "standing_director", "director"]


def _orgs(scope):
    return scope.qs(Organization).filter(created_at__lte=scope.end_dt()).exclude(status="dissolved")


def _council(scope):
    return scope.qs(Position).filter(
        council__kind="council", role__in=COUNCIL_ROLES,
    ).filter(Q(since__isnull=True) | Q(since__lte=scope.end), Q(until__isnull=True) | Q(until__gt=scope.end))


register(Indicator(
    key="orgs.organizations.count", title=_("组织数"), unit=ORGANIZATIONS, cumulative=True,
    description=_("截至期末范围内未注销的组织数（含本级）。"),
    compute=lambda s: _orgs(s).count(), records=_orgs, list_url="orgs:list", org_param="under",
))
register(Indicator(
    key="orgs.organizations.by_kind", title=_("组织类型分布"), unit=ORGANIZATIONS, cumulative=True,
    description=_("截至期末范围内未注销的组织按类型统计。"),
    compute=lambda s: dict(_orgs(s).values_list("kind").annotate(n=Count("id")).values_list("kind", "n")),
    records=_orgs, list_url="orgs:list", breakdown_param="kind", org_param="under",
))
register(Indicator(
    key="orgs.council_members.count", title=_("理事会成员"), unit=_("人"), cumulative=True,
    description=_("期末在任的理事会成员（会长、副会长、秘书长、常务理事、理事）人次。"),
    compute=lambda s: _council(s).count(), records=_council,
))
