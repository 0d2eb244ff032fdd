"""Forms of "my associations" and "my requests", the staff's notice form and the notice filter."""
import django_filters as df
from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Kind
from core.forms import StyledFormMixin
from core.scoping import CHANGE
from orgs.models import Organization
from portal.access import my_orgs
from portal.models import Notice, NoticeKind
from registry.filters import OrgSubtreeFilter


class RequestForm(StyledFormMixin, forms.Form):
    """A request or dispute filed by a member with one of its associations."""

    org = forms.ModelChoiceField(label=_("受理商会"), queryset=Organization.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("诉求类型"), choices=Kind.choices)
    subject = forms.CharField(label=_("事由"), max_length=200)
    description = forms.CharField(label=_("详细情况"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    other_party = forms.CharField(label=_("对方当事人"), max_length=200, required=False)
    amount_involved = forms.DecimalField(label=_("涉及金额（元）"), max_digits=14, decimal_places=2, required=False,
                                         min_value=0)
    attachment = forms.FileField(label=_("附件（PDF、图片、Word、Excel）"), required=False)

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = my_orgs(member)
        self.style()

    def service_fields(self) -> dict:
        """The cleaned data as cases.services.submit_member takes it."""
        data = dict(self.cleaned_data)
        upload = data.pop("attachment", None)
        data["attachments"] = [upload] if upload else []
        return data


class SatisfactionForm(StyledFormMixin, forms.Form):
    """The satisfaction follow-up of a closed case (1 to 5)."""

    score = forms.TypedChoiceField(label=_("满意度"), coerce=int,
                                   choices=[(5, _("5 非常满意")), (4, _("4 满意")), (3, _("3 一般")),
                                            (2, _("2 不满意")), (1, _("1 非常不满意"))])
    comment = forms.CharField(label=_("意见"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class NoticeForm(StyledFormMixin, forms.Form):
    """Staff write or edit a notice for the members of an organization in their subtrees."""

    org = forms.ModelChoiceField(label=_("发布组织"), queryset=Organization.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=NoticeKind.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 8}))
    council_only = forms.BooleanField(label=_("仅理事会成员可见"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Organization.objects.visible_to(user, CHANGE)
        self.style()


class NoticeFilter(df.FilterSet):
    """Notices by title, organization subtree and state (draft or published)."""

    q = df.CharFilter(label=_("标题"), field_name="title", lookup_expr="icontains")
    org = OrgSubtreeFilter(label=_("组织代码"))
    published = df.BooleanFilter(label=_("已发布"), field_name="published_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Notice
        fields = ["q", "org", "kind", "council_only", "published"]
