"""FilterSets of the pairing lists, shared by the web pages and the API."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from pairing.models import (
    Decision,
    FollowUp,
    Pair,
    PairRule,
    PairStatus,
    Participant,
    Program,
    ProgramKind,
    Proposal,
    Run,
    Side,
)
from registry.filters import OrgSubtreeFilter


class ProgramFilter(df.FilterSet):
    """Programmes by kind, organization subtree and name."""

    q = df.CharFilter(label=_("名称"), field_name="name", lookup_expr="icontains")
    kind = df.ChoiceFilter(label=_("类型"), choices=ProgramKind.choices, empty_label=_("全部"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Program
        fields = ["q", "kind", "org"]


class ParticipantFilter(df.FilterSet):
    """Participants by programme, side, name, tag and organization subtree."""

    q = df.CharFilter(label=_("名称"), field_name="name", lookup_expr="icontains")
    program = df.NumberFilter(label=_("结对项目"))
    side = df.ChoiceFilter(label=_("方向"), choices=Side.choices, empty_label=_("全部"))
    region = df.CharFilter(label=_("地区"), field_name="region", lookup_expr="startswith")
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Participant
        fields = ["q", "program", "side", "region", "org", "industry", "active"]


class PairRuleFilter(df.FilterSet):
    """Locks and prohibitions by programme."""

    program = df.NumberFilter(label=_("结对项目"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = PairRule
        fields = ["program", "kind", "org"]


class RunFilter(df.FilterSet):
    """Runs by programme."""

    program = df.NumberFilter(label=_("结对项目"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Run
        fields = ["program", "status", "org"]


class ProposalFilter(df.FilterSet):
    """Proposals of a run: decision, locked, minimum score, a name on either side."""

    q = df.CharFilter(label=_("名称"), method="filter_name")
    run = df.NumberFilter(label=_("匹配运行"))
    decision = df.ChoiceFilter(label=_("处理"), choices=Decision.choices, empty_label=_("全部"))
    min_score = df.NumberFilter(label=_("最低得分"), field_name="score", lookup_expr="gte")
    org = OrgSubtreeFilter(label=_("组织代码"))
    ordering = df.OrderingFilter(fields=(("score", "score"), ("helper__name", "helper"),
                                         ("beneficiary__name", "beneficiary")))

    class Meta:
        model = Proposal
        fields = ["q", "run", "decision", "min_score", "locked", "org"]

    def filter_name(self, qs, name, value):
        """A part of the helper's or the beneficiary's name."""
        from django.db.models import Q

        return qs.filter(Q(helper__name__icontains=value) | Q(beneficiary__name__icontains=value)) if value else qs


class PairFilter(df.FilterSet):
    """Pairs by programme, status, a name on either side, organization subtree."""

    q = df.CharFilter(label=_("名称"), method="filter_name")
    program = df.NumberFilter(label=_("结对项目"))
    status = df.ChoiceFilter(label=_("状态"), choices=PairStatus.choices, empty_label=_("全部"))
    org = OrgSubtreeFilter(label=_("组织代码"))
    started_after = df.DateFilter(label=_("结对日期起"), field_name="started_on", lookup_expr="gte")
    started_before = df.DateFilter(label=_("结对日期止"), field_name="started_on", lookup_expr="lte")

    class Meta:
        model = Pair
        fields = ["q", "program", "status", "locked", "org", "started_after", "started_before"]

    filter_name = ProposalFilter.filter_name


class FollowUpFilter(df.FilterSet):
    """Follow-ups by pair, programme and date."""

    pair = df.NumberFilter(label=_("结对"))
    program = df.NumberFilter(label=_("结对项目"), field_name="pair__program")
    org = OrgSubtreeFilter(label=_("组织代码"))
    date_after = df.DateFilter(label=_("日期起"), field_name="date", lookup_expr="gte")
    date_before = df.DateFilter(label=_("日期止"), field_name="date", lookup_expr="lte")

    class Meta:
        model = FollowUp
        fields = ["pair", "program", "kind", "org", "date_after", "date_before"]
