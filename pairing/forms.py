"""Forms of the pairing pages."""
from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import RegionField, StyledFormMixin
from core.scoping import CHANGE
from orgs.models import Organization
from pairing.models import ContactKind, FollowUp, PairStatus, Participant, Program, RuleKind, Side
from pairing.scoring import COMPONENTS, DEFAULT_WEIGHTS


class ProgramForm(StyledFormMixin, forms.ModelForm):
    """Create or edit a programme; one number field per score weight."""

    class Meta:
        model = Program
        fields = ["org", "code", "name", "kind", "start", "end", "description", "helper_eligibility",
                  "beneficiary_eligibility", "capacity", "max_helpers", "same_county", "same_industry",
                  "common_language", "max_distance_km", "top_k"]
        widgets = {"start": forms.DateInput(attrs={"type": "date"}), "end": forms.DateInput(attrs={"type": "date"}),
                   "description": forms.Textarea(attrs={"rows": 2}),
                   "helper_eligibility": forms.Textarea(attrs={"rows": 2}),
                   "beneficiary_eligibility": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Organization.objects.visible_to(user, CHANGE)
        for name, label in COMPONENTS.items():
            self.fields[f"weight_{name}"] = forms.FloatField(
                label=_("权重：%(c)s") % {"c": label}, min_value=0, required=False,
                initial=(self.instance.weight(name) if self.instance.pk else DEFAULT_WEIGHTS[name]))
        self.style()

    def validate_unique(self):
        # Uniqueness of the code is the service's call (full_clean), as for the API.
        pass

    def service_fields(self) -> dict:
        """The cleaned fields as the service takes them, weights gathered into one map."""
        data = dict(self.cleaned_data)
        weights = {}
        for name in COMPONENTS:
            value = data.pop(f"weight_{name}", None)
            if value is not None:
                weights[name] = value
        data["weights"] = weights
        return data


class ParticipantForm(StyledFormMixin, forms.ModelForm):
    """Add or edit a helper or beneficiary: entered by hand, or linked to a registered enterprise or organization."""

    credit_code = forms.CharField(label=_("登记企业的统一社会信用代码"), required=False, max_length=18,
                                  help_text=_("已在侨情登记的企业：空白的名称、地区、行业、规模从登记信息补全"))
    org_code = forms.CharField(label=_("登记组织的代码"), required=False, max_length=40,
                               help_text=_("侨团、商会等组织作为参与方时填写"))
    region = RegionField(label=_("所在地区"), required=False, help_text=_("6位行政区划代码或地区全称，如 义乌市"))

    class Meta:
        model = Participant
        fields = ["side", "name", "external_key", "region", "industry", "size", "needs", "strengths", "languages",
                  "latitude", "longitude", "capacity", "past_results", "active", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["name"].required = False
        if self.instance.pk:
            self.initial["credit_code"] = getattr(self.instance.enterprise, "credit_code", "") or ""
            self.initial["org_code"] = getattr(self.instance.member_org, "code", "") or ""
        self.style()

    def validate_unique(self):
        pass

    def clean(self):
        """Resolve the registry links inside the user's scope; a name is needed when nothing is linked."""
        from registry.models import Enterprise

        data = super().clean()
        code = (data.pop("credit_code", "") or "").strip().upper()
        org_code = (data.pop("org_code", "") or "").strip()
        data["enterprise"] = data["member_org"] = None
        if code:
            data["enterprise"] = Enterprise.objects.visible_to(self.user).filter(credit_code=code).first()
            if data["enterprise"] is None:
                self.add_error("credit_code", _("找不到该企业，或不在您的管理范围内。"))
        if org_code:
            data["member_org"] = Organization.objects.visible_to(self.user).filter(code=org_code).first()
            if data["member_org"] is None:
                self.add_error("org_code", _("找不到该组织，或不在您的管理范围内。"))
        if not data.get("name") and not data["enterprise"] and not data["member_org"]:
            self.add_error("name", _("请填写名称，或关联一家登记企业或组织。"))
        return data


class RuleForm(StyledFormMixin, forms.Form):
    """Lock or forbid a pair."""

    kind = forms.ChoiceField(label=_("类型"), choices=RuleKind.choices)
    helper = forms.ModelChoiceField(label=_("帮扶方"), queryset=Participant.objects.none())
    beneficiary = forms.ModelChoiceField(label=_("受助方"), queryset=Participant.objects.none())
    reason = forms.CharField(label=_("原因"), required=False, max_length=300)

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = program.participants.filter(side=Side.HELPER)
        self.fields["beneficiary"].queryset = program.participants.filter(side=Side.BENEFICIARY)
        self.style()


class ManualPairForm(StyledFormMixin, forms.Form):
    """Pair two participants by hand (changing what the optimizer proposed)."""

    helper = forms.ModelChoiceField(label=_("帮扶方"), queryset=Participant.objects.none())
    beneficiary = forms.ModelChoiceField(label=_("受助方"), queryset=Participant.objects.none())

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = program.participants.filter(side=Side.HELPER, active=True)
        self.fields["beneficiary"].queryset = program.participants.filter(side=Side.BENEFICIARY, active=True)
        self.style()


class RunForm(StyledFormMixin, forms.Form):
    """Start a run; K prunes each beneficiary's candidates to the best K."""

    k = forms.IntegerField(label=_("每个受助方保留候选数"), min_value=1, required=False,
                           help_text=_("留空按项目设置"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class FollowUpForm(StyledFormMixin, forms.ModelForm):
    """Record a visit or contact with its results."""

    class Meta:
        model = FollowUp
        fields = ["date", "kind", "notes", "funds_delivered", "orders_amount", "income_increase", "people_trained"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = ContactKind.VISIT
        self.style()


class EndPairForm(StyledFormMixin, forms.Form):
    """Complete a pair or end it with a reason."""

    status = forms.ChoiceField(label=_("结果"), choices=[(PairStatus.COMPLETED, PairStatus.COMPLETED.label),
                                                          (PairStatus.ENDED, PairStatus.ENDED.label)])
    reason = forms.CharField(label=_("原因"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()
