"""Forms of the cases pages: the case, each workflow step, the set-up lists, the public intake and tracking."""
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.access import paths_for
from cases.models import Case, Department, Expert, Kind, MediationRoom, ReferralKind, Step
from core.forms import StyledFormMixin
from core.scoping import CHANGE, MANAGE, orgs_q
from orgs.models import Organization


class _Styled(StyledFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


def _orgs(user, action=CHANGE):
    return Organization.objects.visible_to(user, action).order_by("path")


class CaseForm(StyledFormMixin, forms.ModelForm):
    """A case taken by staff; the organization list holds those where the user may add cases."""

    attachment = forms.FileField(label=_("附件"), required=False,
                                 help_text=_("PDF、图片、Word、Excel，不超过 5 MB"))

    class Meta:
        model = Case
        fields = ["org", "kind", "channel", "priority", "applicant_name", "id_number", "phone", "email",
                  "other_party", "subject", "description", "amount_involved", "room"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = _orgs(user)
        self.fields["room"].queryset = MediationRoom.objects.visible_to(user).filter(active=True)
        self.style()


class NoteForm(_Styled):
    """An optional note."""

    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(_Styled):
    """A required reason."""

    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(_Styled):
    """A case officer and/or mediators, or the pair on duty in a room."""

    assignee = forms.ModelChoiceField(label=_("承办人"), queryset=get_user_model().objects.none(), required=False)
    mediators = forms.ModelMultipleChoiceField(label=_("调解员"), queryset=Expert.objects.none(), required=False)
    room = forms.ModelChoiceField(label=_("调解室（默认当日值班调解员）"), queryset=MediationRoom.objects.none(),
                                  required=False)

    def __init__(self, *args, case=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        ancestors = [case.org.path[:i] for i in range(case.org.steplen, len(case.org.path) + 1, case.org.steplen)]
        self.fields["assignee"].queryset = get_user_model().objects.filter(
            grants__org__path__in=ancestors, grants__role__in=["administrator", "staff"]).distinct()
        self.fields["mediators"].queryset = Expert.objects.visible_to(user).filter(kind="mediator", available=True)
        self.fields["room"].queryset = MediationRoom.objects.visible_to(user).filter(active=True)


class DispatchForm(_Styled):
    """Departments to dispatch to."""

    departments = forms.ModelMultipleChoiceField(label=_("承办部门"), queryset=Department.objects.none(),
                                                 widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("吹哨说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.visible_to(user).filter(active=True)
        self.fields["departments"].widget.attrs["class"] = "form-check-input"


class SessionForm(_Styled):
    """A mediation session."""

    held_on = forms.DateField(label=_("调解日期"), widget=forms.DateInput(attrs={"type": "date"}))
    room = forms.ModelChoiceField(label=_("调解室"), queryset=MediationRoom.objects.none(), required=False)
    mediators = forms.ModelMultipleChoiceField(label=_("调解员"), queryset=Expert.objects.none(), required=False)
    parties_present = forms.CharField(label=_("到场当事人"), required=False)
    result = forms.CharField(label=_("调解情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = MediationRoom.objects.visible_to(user)
        self.fields["mediators"].queryset = Expert.objects.visible_to(user).filter(kind="mediator")


class ReferForm(_Styled):
    """A referral to an expert or a hand-over."""

    kind = forms.ChoiceField(label=_("去向"), choices=ReferralKind.choices)
    expert = forms.ModelChoiceField(label=_("专家"), queryset=Expert.objects.none(), required=False)
    body = forms.CharField(label=_("接收机构"), required=False)
    note = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = Expert.objects.visible_to(user).filter(available=True)


class ReferralResultForm(_Styled):
    """What came of a referral."""

    referral = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.CharField(label=_("结果"))


class ResolveForm(_Styled):
    """The agreement and the amount recovered."""

    agreement = forms.CharField(label=_("调解协议 / 处理结果"), widget=forms.Textarea(attrs={"rows": 2}))
    amount_recovered = forms.DecimalField(label=_("挽回经济损失（元）"), required=False, min_value=0,
                                          max_digits=14, decimal_places=2)


class NotResolvedForm(_Styled):
    """Why mediation failed and where the parties were referred."""

    reason = forms.CharField(label=_("未化解原因"), widget=forms.Textarea(attrs={"rows": 2}))
    referred_to = forms.ChoiceField(label=_("转交去向"), required=False,
                                    choices=[("", "—"), *ReferralKind.choices])


class SatisfactionForm(_Styled):
    """The follow-up's score and comment."""

    score = forms.TypedChoiceField(label=_("满意度"), coerce=int, choices=[(i, str(i)) for i in range(5, 0, -1)])
    comment = forms.CharField(label=_("回访意见"), required=False)


class ReplyForm(_Styled):
    """A reply to the applicant or an internal note."""

    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 2}))
    public = forms.BooleanField(label=_("对申请人公开"), required=False, initial=True)


class AnswerForm(_Styled):
    """A department's answer."""

    text = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(label=_("对申请人公开"), required=False)


class AttachmentForm(_Styled):
    """One file."""

    file = forms.FileField(label=_("附件"))


class RevealForm(forms.Form):
    """Why the personal data is needed."""

    purpose = forms.CharField(max_length=200)


class DepartmentForm(StyledFormMixin, forms.ModelForm):
    """A department; its liaisons are chosen among the users."""

    liaisons = forms.ModelMultipleChoiceField(label=_("联络员"), queryset=get_user_model().objects.filter(
        is_active=True).order_by("username"), required=False)

    class Meta:
        model = Department
        fields = ["org", "name", "kind", "contact_name", "email", "phone"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = _orgs(user)
        self.style()


class ExpertForm(StyledFormMixin, forms.ModelForm):
    """An expert of the pool."""

    class Meta:
        model = Expert
        fields = ["org", "name", "kind", "fields", "languages", "phone", "email", "user"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = _orgs(user)
        paths = paths_for(user, CHANGE)
        users = get_user_model().objects.filter(is_active=True)
        if paths is not None:
            users = users.filter(orgs_q(paths, "grants__org__path")).distinct() if paths else users.none()
        self.fields["user"].queryset = users
        self.style()


class RoomForm(StyledFormMixin, forms.ModelForm):
    """A mediation room."""

    class Meta:
        model = MediationRoom
        fields = ["org", "name", "location"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = _orgs(user)
        self.style()


class ShiftForm(_Styled):
    """The pair on duty in a room on a date."""

    room = forms.ModelChoiceField(label=_("调解室"), queryset=MediationRoom.objects.none())
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    mediators = forms.ModelMultipleChoiceField(label=_("值班调解员"), queryset=Expert.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = MediationRoom.objects.visible_to(user, CHANGE)
        self.fields["mediators"].queryset = Expert.objects.visible_to(user).filter(kind="mediator")


class DeadlineForm(_Styled):
    """The working days a step may take, for one kind of case or all, in an organization's subtree."""

    org = forms.ModelChoiceField(label=_("组织"), queryset=Organization.objects.none())
    kind = forms.ChoiceField(label=_("诉求类型"), required=False, choices=[("", _("所有类型")), *Kind.choices])
    step = forms.ChoiceField(label=_("环节"), choices=Step.choices)
    working_days = forms.IntegerField(label=_("时限（工作日）"), min_value=1, max_value=365)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = _orgs(user, MANAGE)


class PublicIntakeForm(_Styled):
    """The public request form: short, in the applicant's language, with a sum to answer and a honeypot."""

    kind = forms.ChoiceField(label=_("诉求类型"), choices=Kind.choices)
    subject = forms.CharField(label=_("事由"), max_length=200)
    description = forms.CharField(label=_("详细情况"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    other_party = forms.CharField(label=_("对方（商户、企业或个人）"), max_length=200, required=False)
    amount_involved = forms.DecimalField(label=_("涉及金额（元）"), required=False, min_value=0, max_digits=14,
                                         decimal_places=2)
    applicant_name = forms.CharField(label=_("您的姓名"), max_length=100)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    attachment = forms.FileField(label=_("证据材料（可选）"), required=False,
                                 help_text=_("PDF、图片、Word、Excel，不超过 5 MB"))
    answer = forms.CharField(label=_("验证"), max_length=10)
    challenge = forms.CharField(widget=forms.HiddenInput)
    website = forms.CharField(label=_("网址（请勿填写）"), required=False)

    PER_VISIT = ("answer", "challenge", "website")  # the question and its token change with every visit

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["answer"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def kept_fields(self):
        """The fields before the question: on an empty form their HTML depends only on the language."""
        return [self[name] for name in self.fields if name not in self.PER_VISIT]

    def per_visit_fields(self):
        """The question, its token and the honeypot, rendered for each visit."""
        return [self[name] for name in self.PER_VISIT]


class TrackForm(_Styled):
    """A tracking number and its secret."""

    number = forms.CharField(label=_("查询编号"), max_length=20)
    secret = forms.CharField(label=_("查询码"), max_length=20)
