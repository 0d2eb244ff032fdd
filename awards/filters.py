"""FilterSets of the awards lists, shared by the web pages and the API."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from awards.models import (
    Campaign,
    CampaignStatus,
    Certification,
    CertificationKind,
    Judge,
    Level,
    Nomination,
    NominationStatus,
    NomineeKind,
)
from registry.filters import OrgSubtreeFilter


class CampaignFilter(df.FilterSet):
    """Campaigns by title, year, status and organizer subtree."""

    q = df.CharFilter(label=_("名称"), field_name="title", lookup_expr="icontains")
    year = df.NumberFilter(label=_("年度"))
    status = df.ChoiceFilter(label=_("状态"), choices=CampaignStatus.choices, empty_label=_("全部"))
    nominee_kind = df.ChoiceFilter(label=_("推选对象"), choices=NomineeKind.choices, empty_label=_("全部"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Campaign
        fields = ["q", "year", "status", "nominee_kind", "org"]


class NominationFilter(df.FilterSet):
    """Nominations by name, campaign, status and selection."""

    q = df.CharFilter(label=_("参评对象"), field_name="name", lookup_expr="icontains")
    campaign = df.CharFilter(label=_("活动代码"), field_name="campaign__code")
    status = df.ChoiceFilter(label=_("状态"), choices=NominationStatus.choices, empty_label=_("全部"))
    selected = df.BooleanFilter(label=_("入选"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Nomination
        fields = ["q", "campaign", "status", "selected", "org"]


class JudgeFilter(df.FilterSet):
    """Judges by name and campaign."""

    q = df.CharFilter(label=_("姓名"), field_name="name", lookup_expr="icontains")
    campaign = df.CharFilter(label=_("活动代码"), field_name="campaign__code")
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Judge
        fields = ["q", "campaign", "org"]


class CertificationFilter(df.FilterSet):
    """Certifications by title, kind, level, year and holder's organization subtree."""

    q = df.CharFilter(label=_("名称"), field_name="title", lookup_expr="icontains")
    kind = df.ChoiceFilter(label=_("类型"), choices=CertificationKind.choices, empty_label=_("全部"))
    level = df.ChoiceFilter(label=_("级别"), choices=Level.choices, empty_label=_("全部"))
    year = df.NumberFilter(label=_("年度"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Certification
        fields = ["q", "kind", "level", "year", "org"]
