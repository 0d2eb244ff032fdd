"""The awards indicators: certifications held (Four-Good among them), nominations and selections."""
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from awards.models import Campaign, Certification, CertificationKind, Nomination, NominationStatus
from stats.indicators import Indicator, register

# The units of the indicators below that count certifications and nominations.
CERTIFICATIONS = pgettext_lazy("unit: number of certifications", "项")
NOMINATIONS = pgettext_lazy("unit: number of nominations", "项")


def _valid(scope):
    """Certifications granted up to the period's end and not expired at its start."""
    return scope.qs(Certification).filter(year__lte=scope.end.year).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=scope.start))


def _year(scope):
    return {"year": scope.start.year} if scope.start.year == scope.end.year else {}


def _nominations(scope):
    return scope.qs(Nomination).filter(status=NominationStatus.SUBMITTED,
                                       campaign__year__range=(scope.start.year, scope.end.year))


register(Indicator(
    key="awards.certifications.valid", title=_("有效认证与挂牌"), unit=CERTIFICATIONS,
    description=_("期内有效（已授予且未过期）的认证与挂牌数，按持有者所属组织计。"),
    compute=lambda s: _valid(s).count(), records=_valid, list_url="awards:certification-list"))
register(Indicator(
    key="awards.certifications.four_good", title=_("四好商会"), unit=pgettext_lazy("unit: number of chambers", "个"),
    description=_("期内持有有效“四好商会”认证的不同组织数（任一级别）。"),
    compute=lambda s: _valid(s).filter(kind=CertificationKind.FOUR_GOOD).values("holder_org").distinct().count(),
    records=lambda s: _valid(s).filter(kind=CertificationKind.FOUR_GOOD), list_url="awards:certification-list",
    list_filters=lambda s: {"kind": CertificationKind.FOUR_GOOD}, additive=False))
register(Indicator(
    key="awards.certifications.by_level", title=_("认证与挂牌（按级别）"), unit=CERTIFICATIONS,
    description=_("期内有效的认证与挂牌，按授予级别。"),
    compute=lambda s: dict(_valid(s).values_list("level").annotate(n=Count("id")).order_by("-n")
                           .values_list("level", "n")),
    records=_valid, list_url="awards:certification-list", breakdown_param="level"))
register(Indicator(
    key="awards.nominations.submitted", title=_("参评申报"), unit=NOMINATIONS,
    description=_("期内年度评优活动中已提交的申报数，按参评对象所属组织计。"),
    compute=lambda s: _nominations(s).count(), records=_nominations))
register(Indicator(
    key="awards.nominations.selected", title=_("评优入选"), unit=NOMINATIONS,
    description=_("期内年度评优活动中入选（已发布名单）的数量，按参评对象所属组织计。"),
    compute=lambda s: _nominations(s).filter(selected=True, campaign__status="published").count(),
    records=lambda s: _nominations(s).filter(selected=True, campaign__status="published")))
register(Indicator(
    key="awards.campaigns.count", title=_("举办评优活动"), unit=_("次"),
    description=_("期内年度举办的评优活动数（不含筹备中）。"),
    compute=lambda s: s.qs(Campaign).filter(year__range=(s.start.year, s.end.year)).exclude(status="draft").count(),
    records=lambda s: s.qs(Campaign).filter(year__range=(s.start.year, s.end.year)).exclude(status="draft"),
    list_url="awards:campaign-list", list_filters=_year))
