"""FilterSets of cases and departments, shared by the web queues and the API."""
import django_filters as df
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import (
    Case,
    Channel,
    Department,
    DepartmentKind,
    Dispatch,
    Expert,
    ExpertKind,
    Kind,
    Outcome,
    Status,
)
from registry.filters import OrgSubtreeFilter, SearchFilter

QUEUES = [
    ("mine", _("我的诉求")),
    ("department", _("我的部门")),
    ("overdue", _("超期")),
    ("unassigned", _("待分派")),
    ("spam", _("疑似垃圾信息")),
]


class CaseFilter(df.FilterSet):
    """Queues (mine, my department, overdue, unassigned, spam) and filters by kind, status, channel,
    organization, date; full-text search through core.search. Spam is listed only when asked for."""

    q = SearchFilter(label=_("搜索"))
    queue = df.ChoiceFilter(label=_("队列"), choices=QUEUES, method="filter_queue", empty_label=_("全部"))
    kind = df.ChoiceFilter(label=_("类型"), choices=Kind.choices, empty_label=_("全部"))
    status = df.ChoiceFilter(label=_("状态"), choices=Status.choices, empty_label=_("全部"))
    channel = df.ChoiceFilter(label=_("来源渠道"), choices=Channel.choices, empty_label=_("全部"))
    org = OrgSubtreeFilter(label=_("组织代码"))
    submitted_from = df.DateFilter(label=_("提交日期自"), field_name="submitted_at", lookup_expr="date__gte")
    submitted_to = df.DateFilter(label=_("提交日期至"), field_name="submitted_at", lookup_expr="date__lte")
    outcome = df.ChoiceFilter(label=_("办理结果"), choices=Outcome.choices, empty_label=_("全部"))
    decided_from = df.DateFilter(label=_("结果日期自"), field_name="decided_at", lookup_expr="date__gte")
    decided_to = df.DateFilter(label=_("结果日期至"), field_name="decided_at", lookup_expr="date__lte")
    ordering = df.OrderingFilter(fields=(("submitted_at", "submitted_at"), ("due_on", "due_on"),
                                         ("priority", "priority"), ("status", "status")))

    class Meta:
        model = Case
        fields = ["q", "queue", "kind", "status", "channel", "org", "submitted_from", "submitted_to", "outcome",
                  "decided_from", "decided_to"]

    @property
    def qs(self):
        """Spam stays out of every list unless the spam queue is asked for."""
        qs = super().qs
        if self.form.cleaned_data.get("queue") != "spam":
            qs = qs.filter(is_spam=False)
        return qs

    def filter_queue(self, qs, name, value):
        """The named queue for the requesting user."""
        user = getattr(self.request, "user", None)
        today = timezone.localdate()
        if value == "mine":
            return qs.filter(Q(assignee=user) | Q(mediators__user=user)).distinct()
        if value == "department":
            return qs.filter(dispatches__department__liaisons=user, dispatches__answered_at__isnull=True).distinct()
        if value == "overdue":
            return qs.filter(
                Q(status=Status.SUBMITTED, accept_due__lt=today)
                | Q(status__in=[Status.ACCEPTED, Status.ASSIGNED, Status.DISPATCHED, Status.MEDIATING],
                    due_on__lt=today)
                | Q(dispatches__answered_at__isnull=True, dispatches__answer_due__lt=today,
                    status__in=[Status.DISPATCHED, Status.MEDIATING])
            ).distinct()
        if value == "unassigned":
            return qs.filter(status__in=[Status.SUBMITTED, Status.ACCEPTED], assignee__isnull=True)
        if value == "spam":
            return qs.filter(is_spam=True)
        return qs


class DispatchFilter(df.FilterSet):
    """Dispatches by organization, department, state and overdue."""

    org = OrgSubtreeFilter(label=_("组织代码"))
    department = df.NumberFilter(label=_("承办部门"))
    case = df.NumberFilter(label=_("诉求"))
    answered = df.BooleanFilter(label=_("已答复"), field_name="answered_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Dispatch
        fields = ["org", "department", "case", "answered"]


class DepartmentFilter(df.FilterSet):
    """Departments by organization subtree, kind and name."""

    org = OrgSubtreeFilter(label=_("组织代码"))
    kind = df.ChoiceFilter(label=_("类型"), choices=DepartmentKind.choices, empty_label=_("全部"))
    q = df.CharFilter(label=_("名称"), field_name="name", lookup_expr="icontains")

    class Meta:
        model = Department
        fields = ["org", "kind", "q", "active"]


class ExpertFilter(df.FilterSet):
    """Experts by organization subtree, kind, field, language and availability."""

    org = OrgSubtreeFilter(label=_("组织代码"))
    kind = df.ChoiceFilter(label=_("类别"), choices=ExpertKind.choices, empty_label=_("全部"))
    q = df.CharFilter(label=_("姓名"), field_name="name", lookup_expr="icontains")
    field = df.CharFilter(label=_("专业领域"), field_name="fields", lookup_expr="icontains")
    language = df.CharFilter(label=_("语言"), field_name="languages", lookup_expr="icontains")

    class Meta:
        model = Expert
        fields = ["org", "kind", "q", "field", "language", "available"]
