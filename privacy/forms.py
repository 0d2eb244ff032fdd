"""Forms of the privacy pages."""
from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledFormMixin
from privacy.models import ConsentMethod, Purpose, RequestKind


class RequestForm(StyledFormMixin, forms.Form):
    """Record a request: whose (the person's record number), what, how and when it came."""

    person = forms.IntegerField(label=_("人员编号"), min_value=1, help_text=_("人员详情页上的记录编号"))
    kind = forms.ChoiceField(label=_("类型"), choices=RequestKind.choices)
    channel = forms.CharField(label=_("提出方式"), max_length=60, required=False)
    received_at = forms.DateTimeField(label=_("收到时间"), required=False, help_text=_("留空为现在"))
    details = forms.CharField(label=_("请求内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                              required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class PurposeForm(StyledFormMixin, forms.Form):
    """Why the data is exported (recorded in the audit log)."""

    purpose = forms.CharField(label=_("用途"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class CorrectionForm(StyledFormMixin, forms.Form):
    """The corrected values; only the fields filled in change."""

    name = forms.CharField(label=_("姓名"), max_length=100, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    passport_number = forms.CharField(label=_("护照号"), max_length=20, required=False)
    phone = forms.CharField(label=_("手机"), max_length=20, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    wechat = forms.CharField(label=_("微信号"), max_length=60, required=False)
    address = forms.CharField(label=_("地址"), max_length=300, required=False)
    birth_date = forms.DateField(label=_("出生日期"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def changes(self) -> dict:
        """The fields given a value."""
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class WithdrawForm(StyledFormMixin, forms.Form):
    """Which consents to withdraw (all when none is ticked)."""

    purposes = forms.MultipleChoiceField(label=_("用途"), choices=Purpose.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)


class RefuseForm(StyledFormMixin, forms.Form):
    """The reason a request is refused (the person is told)."""

    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class ConsentForm(StyledFormMixin, forms.Form):
    """Record a consent."""

    purpose = forms.ChoiceField(label=_("用途"), choices=Purpose.choices)
    method = forms.ChoiceField(label=_("方式"), choices=ConsentMethod.choices)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class MemberRequestForm(StyledFormMixin, forms.Form):
    """A member's own request on the portal: what it asks for and, for a correction, what is wrong."""

    kind = forms.ChoiceField(label=_("我要"), choices=[
        (RequestKind.ACCESS, _("查阅、复制我的个人信息")),
        (RequestKind.CORRECTION, _("更正或补充我的个人信息")),
        (RequestKind.DELETION, _("删除我的个人信息")),
        (RequestKind.WITHDRAWAL, _("撤回我的同意")),
    ])
    details = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                              required=False, help_text=_("更正时请写明哪一项应改为什么。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()
