"""Forms of the charity pages."""
from django import forms
from django.utils.translation import gettext_lazy as _

from charity.models import Beneficiary, DonationKind, DonorKind, Fund
from core.forms import StyledFormMixin
from core.scoping import CHANGE
from orgs.models import Organization
from registry.models import Enterprise, Person


def _date():
    return forms.DateInput(attrs={"type": "date"})


class FundForm(StyledFormMixin, forms.ModelForm):
    """Create a fund."""

    class Meta:
        model = Fund
        fields = ["org", "code", "name", "kind", "rules"]
        widgets = {"rules": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Organization.objects.visible_to(user, CHANGE)
        self.style()


class DonationForm(StyledFormMixin, forms.Form):
    """Receive a donation."""

    donor_kind = forms.ChoiceField(label=_("捐赠方类型"), choices=DonorKind.choices)
    donor_name = forms.CharField(label=_("捐赠方"), max_length=200, required=False)
    donor_person = forms.ModelChoiceField(label=_("登记人员编号"), queryset=Person.objects.none(), required=False,
                                          widget=forms.NumberInput)
    donor_enterprise = forms.ModelChoiceField(label=_("登记企业编号"), queryset=Enterprise.objects.none(),
                                              required=False, widget=forms.NumberInput)
    kind = forms.ChoiceField(label=_("类型"), choices=DonationKind.choices)
    value = forms.DecimalField(label=_("金额或估值（元）"), max_digits=16, decimal_places=2)
    goods = forms.CharField(label=_("物品及数量"), required=False)
    received_on = forms.DateField(label=_("接收日期"), required=False, widget=_date())
    anonymous = forms.BooleanField(label=_("匿名"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["donor_person"].queryset = Person.objects.visible_to(user)
        self.fields["donor_enterprise"].queryset = Enterprise.objects.visible_to(user)
        self.style()


class BeneficiaryForm(StyledFormMixin, forms.ModelForm):
    """Register a beneficiary."""

    class Meta:
        model = Beneficiary
        fields = ["org", "kind", "name", "birth_date", "id_number", "phone", "guardian_name", "guardian_phone",
                  "school", "address", "notes"]
        widgets = {"birth_date": _date(), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Organization.objects.visible_to(user, CHANGE)
        self.style()


class DisbursementForm(StyledFormMixin, forms.Form):
    """Request a disbursement."""

    beneficiary = forms.ModelChoiceField(label=_("受助人编号"), queryset=Beneficiary.objects.none(),
                                         widget=forms.NumberInput)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=16, decimal_places=2)
    purpose = forms.CharField(label=_("用途"), max_length=300)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].queryset = Beneficiary.objects.visible_to(user, CHANGE)
        self.style()


class HonorForm(StyledFormMixin, forms.Form):
    """Award an honour."""

    org = forms.ModelChoiceField(label=_("授予组织"), queryset=Organization.objects.none())
    title = forms.CharField(label=_("荣誉名称"), max_length=200, initial=_("爱心侨商奖"))
    year = forms.IntegerField(label=_("年度"), min_value=1900, max_value=2100)
    person = forms.ModelChoiceField(label=_("人员编号"), queryset=Person.objects.none(), required=False,
                                    widget=forms.NumberInput)
    enterprise = forms.ModelChoiceField(label=_("企业编号"), queryset=Enterprise.objects.none(), required=False,
                                        widget=forms.NumberInput)
    citation = forms.CharField(label=_("事迹"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Organization.objects.visible_to(user, CHANGE)
        self.fields["person"].queryset = Person.objects.visible_to(user)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user)
        self.style()
