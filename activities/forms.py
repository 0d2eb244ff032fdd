"""Forms of the activities pages."""
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Outcome, Project, Session, Stage
from core.forms import RegionField, StyledFormMixin
from core.scoping import CHANGE
from orgs.models import Organization
from registry.models import Person


def _date(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs})


class ActivityForm(StyledFormMixin, forms.ModelForm):
    """Create or edit an activity."""

    class Meta:
        model = Activity
        fields = ["org", "kind", "title", "number", "start", "end", "city", "country", "destinations", "capacity",
                  "audience", "registration_open", "co_organizers", "description", "agenda"]
        widgets = {"start": _date(), "end": _date(), "description": forms.Textarea(attrs={"rows": 3}),
                   "agenda": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Organization.objects.visible_to(user, CHANGE)
        self.fields["co_organizers"].queryset = Organization.objects.visible_to(user)
        self.style()

    def service_fields(self) -> dict:
        """The cleaned data as the service takes it."""
        data = dict(self.cleaned_data)
        data["co_organizers"] = list(data.pop("co_organizers") or [])
        return data

    def validate_unique(self):
        pass


class SessionForm(StyledFormMixin, forms.ModelForm):
    """Add a session."""

    class Meta:
        model = Session
        fields = ["date", "hours", "title"]
        widgets = {"date": _date()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class RegisterForm(StyledFormMixin, forms.Form):
    """Register a participant: a registry person (by id) or a name."""

    person = forms.ModelChoiceField(label=_("登记人员编号"), queryset=Person.objects.none(), required=False,
                                    widget=forms.NumberInput)
    name = forms.CharField(label=_("姓名"), max_length=100, required=False)
    phone = forms.CharField(label=_("手机"), max_length=20, required=False)
    company = forms.CharField(label=_("单位"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["person"].queryset = Person.objects.visible_to(user)
        else:
            del self.fields["person"]
            self.fields["name"].required = True
            self.fields["phone"].required = True
        self.style()


class OutcomeForm(StyledFormMixin, forms.ModelForm):
    """Record an outcome."""

    class Meta:
        model = Outcome
        fields = ["kind", "title", "amount", "date", "notes"]
        widgets = {"date": _date(), "notes": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class ProjectForm(StyledFormMixin, forms.ModelForm):
    """Record or edit an investment project."""

    region = RegionField(label=_("落地地区"), required=False, help_text=_("6位行政区划代码或地区全称"))

    class Meta:
        model = Project
        fields = ["org", "name", "investor_name", "investor_person", "investor_enterprise", "region", "sector",
                  "amount", "landed_amount", "activity", "staff", "notes"]
        widgets = {"investor_person": forms.NumberInput, "investor_enterprise": forms.NumberInput,
                   "activity": forms.NumberInput, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Organization.objects.visible_to(user, CHANGE)
        for name in ("investor_person", "investor_enterprise", "activity"):
            field = self.fields[name]
            field.queryset = field.queryset.model.objects.visible_to(user)
            field.help_text = _("编号")
        # The responsible staff member: someone who works (staff or administrator) inside the user's subtrees.
        from accounts.models import Grant

        workers = Grant.objects.visible_to(user, CHANGE).filter(role__in=["staff", "administrator"])
        self.fields["staff"].queryset = get_user_model().objects.filter(
            Q(pk__in=workers.values("user_id")) | Q(pk=user.pk), is_active=True).order_by("username")
        self.fields["staff"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.style()


class AdvanceForm(StyledFormMixin, forms.Form):
    """Move a project to a stage."""

    stage = forms.ChoiceField(label=_("阶段"), choices=Stage.choices)
    date = forms.DateField(label=_("日期"), required=False, widget=_date())
    reason = forms.CharField(label=_("终止原因或说明"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class FollowUpForm(StyledFormMixin, forms.Form):
    """A contact with the investor."""

    date = forms.DateField(label=_("日期"), widget=_date())
    notes = forms.CharField(label=_("情况"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class TeamForm(StyledFormMixin, forms.Form):
    """Create a volunteer team."""

    org = forms.ModelChoiceField(label=_("组织"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("名称"), max_length=200)
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=_date())
    description = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Organization.objects.visible_to(user, CHANGE)
        self.style()


class VolunteerForm(StyledFormMixin, forms.Form):
    """Enrol a registry person."""

    person = forms.ModelChoiceField(label=_("登记人员编号"), queryset=Person.objects.none(), widget=forms.NumberInput)
    joined_on = forms.DateField(label=_("加入日期"), required=False, widget=_date())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.visible_to(user)
        self.style()


class ServiceForm(StyledFormMixin, forms.Form):
    """Log a service."""

    volunteer = forms.ModelChoiceField(label=_("志愿者"), queryset=None)
    date = forms.DateField(label=_("日期"), widget=_date())
    hours = forms.DecimalField(label=_("时长（小时）"), max_digits=6, decimal_places=1)
    description = forms.CharField(label=_("服务内容"), max_length=300)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = team.volunteers.filter(active=True).select_related("person")
        self.style()
