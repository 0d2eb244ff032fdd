"""Forms of the registry pages, with per-field htmx validation."""
from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.countries import country_choices
from core.forms import RegionField, StyledFormMixin
from core.personal import MaskedPersonalFieldsMixin
from core.scoping import CHANGE
from orgs.models import Organization, PositionRole
from registry.models import Enterprise, Membership, Person


class TagsField(forms.CharField):
    """Tags typed as one line separated by commas (中文逗号 too)."""

    def to_python(self, value):
        """Split into a list of tag names."""
        value = (super().to_python(value) or "").replace("，", ",").replace("、", ",")
        return [t.strip() for t in value.split(",") if t.strip()]


class ScopedOrgMixin:
    """Limit the organization select to where the user may write."""

    def limit_orgs(self, user):
        """Offer only organizations the user may change records of."""
        self.fields["org"].queryset = Organization.objects.visible_to(user, CHANGE)


class PersonForm(MaskedPersonalFieldsMixin, ScopedOrgMixin, StyledFormMixin, forms.ModelForm):
    """Register or edit a person; when editing, ID number, phone … show masked (an edit is no reveal)."""

    validate_url = reverse_lazy("registry:person-validate")
    home_region = RegionField(label=_("祖籍地"), required=False, help_text=_("6位行政区划代码或地区全称，如 青田县"))
    tags = TagsField(label=_("标签"), required=False, help_text=_("以逗号分隔"))

    class Meta:
        model = Person
        fields = ["org", "name", "foreign_name", "former_names", "gender", "birth_date", "category",
                  "is_new_overseas", "country", "home_region", "id_number", "passport_number", "phone", "email",
                  "wechat", "address", "languages", "industries", "tags", "notes"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_orgs(user)
        self.fields["country"] = forms.ChoiceField(label=_("居住国"), choices=[("", "—")] + country_choices(),
                                                   required=False)
        self.fields["phone"].help_text = _("境外号码请加国际区号，如 +39 333 123 4567")
        if self.instance.pk:
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())
        self.style()
        self.mask_personal_initial()

    def validate_unique(self):
        # Duplicates are found by the service, which shows the existing record instead.
        pass


class EnterpriseForm(ScopedOrgMixin, StyledFormMixin, forms.ModelForm):
    """Register or edit an enterprise."""

    validate_url = reverse_lazy("registry:enterprise-validate")
    region = RegionField(label=_("所在地区"), required=False)
    tags = TagsField(label=_("标签"), required=False)

    class Meta:
        model = Enterprise
        fields = ["org", "name", "credit_code", "kind", "industry", "size", "country", "region",
                  "legal_representative", "main_products", "phone", "address", "tags", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_orgs(user)
        self.fields["country"] = forms.ChoiceField(label=_("国家"), choices=country_choices(), initial="CN")
        if self.instance.pk:
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())
        self.style()


class MembershipForm(StyledFormMixin, forms.ModelForm):
    """Enrol the person or enterprise of the page in an organization."""

    class Meta:
        model = Membership
        fields = ["org", "role", "joined_on"]
        widgets = {"joined_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organization.objects.visible_to(user, CHANGE)
        # Shown on every person and enterprise page: the select needs each organization's name only.
        self.fields["org"].queryset = orgs if self.is_bound else orgs.only("name")
        self.style()

    def _post_clean(self):
        # The member is set by the view; the service validates the whole membership.
        pass


class RevealForm(forms.Form):
    """The purpose a user states before personal data is shown."""

    purpose = forms.CharField(label=_("查看用途"), max_length=200)


class MergeForm(forms.Form):
    """The number of the duplicate record to fold into the one on the page."""

    drop = forms.IntegerField(label=_("重复记录编号"), min_value=1)


class PaymentForm(StyledFormMixin, forms.Form):
    """A dues payment for a membership."""

    year = forms.IntegerField(label=_("年度"), min_value=1950, max_value=2100)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=12, decimal_places=2, min_value=0.01)
    paid_on = forms.DateField(label=_("缴费日期"), widget=forms.DateInput(attrs={"type": "date"}))
    receipt_number = forms.CharField(label=_("收据号"), max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class DuesRateForm(StyledFormMixin, forms.Form):
    """The yearly fee of a position in an organization."""

    year = forms.IntegerField(label=_("年度"), min_value=1950, max_value=2100)
    role = forms.ChoiceField(label=_("职务"), choices=PositionRole.choices)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=12, decimal_places=2, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()
