"""Forms of the account pages: a TOTP code, the security-log filter."""
from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import SecurityEventKind
from core.forms import StyledFormMixin


class CodeForm(StyledFormMixin, forms.Form):
    """The six digits the authenticator app shows."""

    code = forms.RegexField(
        label=_("动态口令"), regex=r"^\s*\d{6}\s*$", max_length=12,
        error_messages={"invalid": _("请输入验证器上显示的 6 位数字。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class RecoveryCodeForm(StyledFormMixin, forms.Form):
    """One of the user's recovery codes, in place of the six digits (a lost or forgotten phone)."""

    recovery = forms.CharField(
        label=_("恢复码"), max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    """Django's password change form with our styling."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class SecurityLogFilterForm(StyledFormMixin, forms.Form):
    """Filter the security log by username, kind of event and date."""

    user = forms.CharField(label=_("用户名"), required=False, max_length=150)
    kind = forms.ChoiceField(label=_("事件"), required=False,
                             choices=[("", _("全部"))] + list(SecurityEventKind.choices))
    since = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def filter(self, qs):
        """Apply the valid filters to a SecurityEvent queryset."""
        from accounts.queries import filter_events

        if not self.is_valid():
            return qs
        d = self.cleaned_data
        return filter_events(qs, username=d["user"], kind=d["kind"], since=d["since"], until=d["until"])
