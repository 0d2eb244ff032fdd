"""Forms of the awards pages."""
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from awards.models import Campaign, Certification, Criterion, NomineeKind
from core.forms import StyledFormMixin
from core.scoping import CHANGE
from orgs.models import Organization
from registry.models import Enterprise, Person


def _date():
    return forms.DateInput(attrs={"type": "date"})


class CampaignForm(StyledFormMixin, forms.ModelForm):
    """Create or change a campaign."""

    eligible_kinds = forms.CharField(label=_("可参评类型"), required=False,
                                     help_text=_("类型代码，逗号分隔，如 chamber,hometown_chamber；为空则不限"))

    class Meta:
        model = Campaign
        fields = ["org", "code", "year", "title", "nominee_kind", "eligible_kinds", "required_certification",
                  "required_level", "places", "scoring_mode", "drop_extremes", "nomination_end", "scoring_end",
                  "publicity_end", "description"]
        widgets = {"nomination_end": _date(), "scoring_end": _date(), "publicity_end": _date(),
                   "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Organization.objects.visible_to(user, CHANGE)
        if self.instance.pk:
            self.initial["eligible_kinds"] = ",".join(self.instance.eligible_kinds or [])
        self.style()

    def clean_eligible_kinds(self):
        """A comma-separated list of kind codes."""
        raw = self.cleaned_data.get("eligible_kinds") or ""
        return [k.strip() for k in raw.replace("，", ",").split(",") if k.strip()]


class CriterionForm(StyledFormMixin, forms.ModelForm):
    """Add a line to the rubric."""

    class Meta:
        model = Criterion
        fields = ["group", "title", "max_score", "weight", "indicator_key", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class NominateForm(StyledFormMixin, forms.Form):
    """Nominate an organization (by code), an enterprise or a person (by id)."""

    org_code = forms.CharField(label=_("参评组织代码"), required=False)
    enterprise = forms.ModelChoiceField(label=_("参评企业编号"), queryset=Enterprise.objects.none(),
                                        required=False, widget=forms.NumberInput)
    person = forms.ModelChoiceField(label=_("参评个人编号"), queryset=Person.objects.none(), required=False,
                                    widget=forms.NumberInput)

    def __init__(self, *args, user, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.campaign = user, campaign
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user, CHANGE)
        self.fields["person"].queryset = Person.objects.visible_to(user, CHANGE)
        keep = {NomineeKind.ORGANIZATION: "org_code", NomineeKind.ENTERPRISE: "enterprise",
                NomineeKind.PERSON: "person"}[campaign.nominee_kind]
        for name in list(self.fields):
            if name != keep:
                del self.fields[name]
        self.fields[keep].required = True
        self.style()

    def clean_org_code(self):
        """The organization with that code among those the user may change."""
        code = self.cleaned_data["org_code"].strip()
        org = Organization.objects.visible_to(self.user, CHANGE).filter(code=code).first()
        if org is None:
            raise forms.ValidationError(_("组织“%(c)s”不存在或无权申报。") % {"c": code})
        return org

    def nominee(self):
        """The chosen nominee."""
        d = self.cleaned_data
        return d.get("org_code") or d.get("enterprise") or d.get("person")


class JudgeForm(StyledFormMixin, forms.Form):
    """Put a user on the panel."""

    username = forms.CharField(label=_("评委账号"))
    name = forms.CharField(label=_("姓名"), required=False)
    person = forms.ModelChoiceField(label=_("登记人员编号（用于回避检查）"), queryset=Person.objects.none(),
                                    required=False, widget=forms.NumberInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.visible_to(user)
        self.style()

    def clean_username(self):
        """An active account."""
        u = get_user_model().objects.filter(username=self.cleaned_data["username"].strip(), is_active=True).first()
        if u is None:
            raise forms.ValidationError(_("账号不存在。"))
        return u


class EvidenceForm(StyledFormMixin, forms.Form):
    """Upload a supporting file."""

    title = forms.CharField(label=_("说明"), required=False)
    file = forms.FileField(label=_("文件"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class ObjectionForm(StyledFormMixin, forms.Form):
    """Object to a listed nominee during publicity (public)."""

    text = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    name = forms.CharField(label=_("署名"), required=False, max_length=100)
    contact = forms.CharField(label=_("联系方式"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class CertificationForm(StyledFormMixin, forms.ModelForm):
    """Record a certification for an organization (by code), an enterprise or a person."""

    holder_code = forms.CharField(label=_("持有组织代码"), required=False)

    class Meta:
        model = Certification
        fields = ["kind", "title", "level", "issuer", "year", "expires_on", "holder_code", "holder_enterprise",
                  "holder_person"]
        widgets = {"expires_on": _date(), "holder_enterprise": forms.NumberInput,
                   "holder_person": forms.NumberInput}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["holder_enterprise"].queryset = Enterprise.objects.visible_to(user, CHANGE)
        self.fields["holder_person"].queryset = Person.objects.visible_to(user, CHANGE)
        self.style()

    def clean_holder_code(self):
        """The organization with that code among those the user may change."""
        code = (self.cleaned_data.get("holder_code") or "").strip()
        if not code:
            return None
        org = Organization.objects.visible_to(self.user, CHANGE).filter(code=code).first()
        if org is None:
            raise forms.ValidationError(_("组织“%(c)s”不存在或无权操作。") % {"c": code})
        return org

    def service_fields(self) -> dict:
        """Keyword arguments of awards.services.certify."""
        d = dict(self.cleaned_data)
        d["holder_org"] = d.pop("holder_code")
        return d


class CertificationEditForm(StyledFormMixin, forms.ModelForm):
    """Correct a recorded certification; the holder cannot change (record a new one instead)."""

    class Meta:
        model = Certification
        fields = ["kind", "title", "level", "issuer", "year", "expires_on"]
        widgets = {"expires_on": _date()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()
