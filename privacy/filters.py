"""FilterSets of the privacy lists, shared by the web pages and the API."""
import django_filters as df
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.models import Consent, Purpose, RequestKind, RequestStatus, SubjectRequest
from registry.filters import OrgSubtreeFilter


class RequestFilter(df.FilterSet):
    """Requests by person's name, kind, status, overdue and organization subtree."""

    q = df.CharFilter(label=_("人员姓名"), field_name="person__name", lookup_expr="icontains")
    kind = df.ChoiceFilter(label=_("类型"), choices=RequestKind.choices, empty_label=_("全部"))
    status = df.ChoiceFilter(label=_("状态"), choices=RequestStatus.choices, empty_label=_("全部"))
    overdue = df.BooleanFilter(label=_("已超期"), method="filter_overdue")
    person = df.NumberFilter(label=_("人员编号"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = SubjectRequest
        fields = ["q", "kind", "status", "overdue", "person", "org"]

    def filter_overdue(self, qs, name, value):
        """Open requests past their due date (or, with false, the others)."""
        if value is None:
            return qs
        late = {"status": RequestStatus.OPEN, "due_on__lt": timezone.localdate()}
        return qs.filter(**late) if value else qs.exclude(**late)


class ConsentFilter(df.FilterSet):
    """Consents by person, purpose and whether they are in force."""

    q = df.CharFilter(label=_("人员姓名"), field_name="person__name", lookup_expr="icontains")
    person = df.NumberFilter(label=_("人员编号"))
    purpose = df.ChoiceFilter(label=_("用途"), choices=Purpose.choices, empty_label=_("全部"))
    active = df.BooleanFilter(label=_("有效"), field_name="withdrawn_at", lookup_expr="isnull")
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Consent
        fields = ["q", "person", "purpose", "active", "org"]
