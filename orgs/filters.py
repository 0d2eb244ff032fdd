"""FilterSet of the organization list, shared by the web UI and the API."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from orgs.models import Organization, OrgKind, OrgStatus
from registry.filters import OrgSubtreeFilter, SearchFilter


class OrganizationFilter(df.FilterSet):
    """Filters of the organization list: kind, region, country, status, subtree, text."""

    q = SearchFilter(label=_("搜索"))
    kind = df.ChoiceFilter(label=_("类型"), choices=OrgKind.choices, empty_label=_("全部"))
    status = df.ChoiceFilter(label=_("状态"), choices=OrgStatus.choices, empty_label=_("全部"))
    country = df.CharFilter(label=_("国家"))
    region = df.CharFilter(label=_("地区"), lookup_expr="startswith")
    under = OrgSubtreeFilter(label=_("上级单位"))
    ordering = df.OrderingFilter(fields=(("name", "name"), ("path", "path"), ("founded_on", "founded_on")))

    class Meta:
        model = Organization
        fields = ["q", "kind", "status", "country", "region", "under"]
