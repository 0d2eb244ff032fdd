"""Forms of the organization pages."""
from django import forms
from django.utils.translation import gettext_lazy as _

from core.countries import country_choices
from core.forms import RegionField, StyledFormMixin
from core.scoping import MANAGE
from orgs.models import CouncilKind, MilestoneKind, Organization, PositionRole, Term


class OrganizationForm(StyledFormMixin, forms.ModelForm):
    """Create or edit an organization."""

    region = RegionField(label=_("所在地区"), required=False, help_text=_("6位行政区划代码或地区全称"))
    home_region = RegionField(label=_("籍贯地区"), required=False, help_text=_("异地商会的家乡"))

    class Meta:
        model = Organization
        fields = ["kind", "code", "name", "short_name", "credit_code", "region", "home_region", "country",
                  "founded_on", "status", "contact_person", "contact_phone", "email", "address"]
        widgets = {"founded_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = forms.ChoiceField(label=_("国家"), choices=[("", "—")] + country_choices(),
                                                   required=False, initial="CN")
        self.style()


class MoveForm(forms.Form):
    """Choose the new supervising organization."""

    parent = forms.ModelChoiceField(label=_("新的上级单位"), queryset=Organization.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Organization.objects.visible_to(user, MANAGE)
        self.fields["parent"].widget.attrs["class"] = "form-select"


class TermForm(StyledFormMixin, forms.Form):
    """Open a term of office."""

    number = forms.IntegerField(label=_("届次"), min_value=1, max_value=99)
    starts_on = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class AppointForm(StyledFormMixin, forms.Form):
    """Give a registered person a position in a term's council or supervisory board."""

    term = forms.ModelChoiceField(label=_("届"), queryset=Term.objects.none())
    kind = forms.ChoiceField(label=_("机构"), choices=CouncilKind.choices)
    person = forms.IntegerField(label=_("人员编号"), min_value=1)
    role = forms.ChoiceField(label=_("职务"), choices=PositionRole.choices)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = org.terms.all()
        self.style()


class MilestoneForm(StyledFormMixin, forms.Form):
    """Add an event to the history timeline."""

    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("类型"), choices=MilestoneKind.choices)
    title = forms.CharField(label=_("事件"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()
