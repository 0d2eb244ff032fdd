"""FilterSets of the activities lists, shared by the web pages and the API."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from activities.models import (
    Activity,
    Kind,
    Outcome,
    Project,
    Registration,
    RegStatus,
    Service,
    Session,
    Stage,
    Volunteer,
    VolunteerTeam,
)
from registry.filters import OrgSubtreeFilter


class DestinationFilter(df.CharFilter):
    """Study trips that went to a country (its code among the destinations)."""

    def filter(self, qs, value):
        if not value:
            return qs
        code = value.strip().upper()
        return qs.filter(destinations__regex=rf"(^|,){code}(,|$)") | qs.filter(destinations="", country=code)


class ActivityFilter(df.FilterSet):
    """Activities by title, kind, period, destination and organization subtree."""

    q = df.CharFilter(label=_("名称"), field_name="title", lookup_expr="icontains")
    kind = df.ChoiceFilter(label=_("类型"), choices=Kind.choices, empty_label=_("全部"))
    start_from = df.DateFilter(label=_("开始不早于"), field_name="start", lookup_expr="gte")
    start_to = df.DateFilter(label=_("开始不晚于"), field_name="start", lookup_expr="lte")
    destination = DestinationFilter(label=_("目的地代码"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Activity
        fields = ["q", "kind", "start_from", "start_to", "destination", "org"]


class SessionFilter(df.FilterSet):
    """Sessions of an activity."""

    activity = df.NumberFilter(label=_("活动"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Session
        fields = ["activity", "org"]


class RegistrationFilter(df.FilterSet):
    """Registrations by activity, status and name."""

    q = df.CharFilter(label=_("姓名"), field_name="name", lookup_expr="icontains")
    activity = df.NumberFilter(label=_("活动"))
    status = df.ChoiceFilter(label=_("状态"), choices=RegStatus.choices, empty_label=_("全部"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Registration
        fields = ["q", "activity", "status", "org"]


class OutcomeFilter(df.FilterSet):
    """Outcomes by activity and kind."""

    q = df.CharFilter(label=_("内容"), field_name="title", lookup_expr="icontains")
    activity = df.NumberFilter(label=_("活动"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Outcome
        fields = ["q", "activity", "kind", "org"]


class ProjectFilter(df.FilterSet):
    """Investment projects by name, stage, signing period, sector, region and organization subtree."""

    q = df.CharFilter(label=_("项目或投资方"), method="search")
    stage = df.ChoiceFilter(label=_("阶段"), choices=Stage.choices, empty_label=_("全部"))
    signed_from = df.DateFilter(label=_("签约不早于"), field_name="signed_on", lookup_expr="gte")
    signed_to = df.DateFilter(label=_("签约不晚于"), field_name="signed_on", lookup_expr="lte")
    region = df.CharFilter(label=_("地区"), field_name="region", lookup_expr="startswith")
    activity = df.NumberFilter(label=_("活动"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Project
        fields = ["q", "stage", "signed_from", "signed_to", "sector", "region", "activity", "org"]

    def search(self, qs, name, value):
        """Project name or investor name."""
        return qs.filter(name__icontains=value) | qs.filter(investor_name__icontains=value) if value else qs


class TeamFilter(df.FilterSet):
    """Volunteer teams by name and organization subtree."""

    q = df.CharFilter(label=_("名称"), field_name="name", lookup_expr="icontains")
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = VolunteerTeam
        fields = ["q", "org"]


class VolunteerFilter(df.FilterSet):
    """Volunteers by team and name."""

    q = df.CharFilter(label=_("姓名"), field_name="person__name", lookup_expr="icontains")
    team = df.NumberFilter(label=_("服务队"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Volunteer
        fields = ["q", "team", "active", "org"]


class ServiceFilter(df.FilterSet):
    """Services by team, volunteer and period."""

    q = df.CharFilter(label=_("服务内容"), field_name="description", lookup_expr="icontains")
    team = df.NumberFilter(label=_("服务队"), field_name="volunteer__team")
    volunteer = df.NumberFilter(label=_("志愿者"))
    date_from = df.DateFilter(label=_("日期不早于"), field_name="date", lookup_expr="gte")
    date_to = df.DateFilter(label=_("日期不晚于"), field_name="date", lookup_expr="lte")
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Service
        fields = ["q", "team", "volunteer", "date_from", "date_to", "org"]
