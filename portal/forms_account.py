"""Forms of the portal's account pages: login, invitation, password reset, profile, staff decisions."""
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from core.countries import country_choices
from core.forms import StyledFormMixin
from portal import services
from portal.models import InvitationChannel


class MemberLoginForm(StyledFormMixin, AuthenticationForm):
    """Phone number or e-mail, and password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("手机号/电子邮箱或密码错误。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("手机号或电子邮箱")
        self.fields["username"].help_text = _("境外号码请加国际区号，如 +39 333 123 4567")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "inputmode": "email"})
        self.style()


class AcceptInvitationForm(StyledFormMixin, forms.Form):
    """The new password, twice (checked by Django's password validators in the service)."""

    password1 = forms.CharField(label=_("设置密码"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("再次输入密码"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = " ".join(password_validation.password_validators_help_texts())
        self.style()

    def clean(self):
        """Both passwords must be the same."""
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class ResetRequestForm(StyledFormMixin, forms.Form):
    """Where to send the reset link: the phone or e-mail the member logs in with."""

    identifier = forms.CharField(label=_("手机号或电子邮箱"), max_length=254)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


def _record_form(model, names, target):
    """Form fields of a model (with the model's validators), minus the model form's own saving."""
    fields = fields_for_model(model, fields=list(names))
    if "country" in fields:
        fields["country"] = forms.ChoiceField(label=model._meta.get_field("country").verbose_name,
                                              choices=[("", "—")] + country_choices(), required=False)
    for name, field in fields.items():
        if services.is_verified(target, name):
            field.help_text = _("修改须经秘书处审核。")
        field.required = name == "name"
    if "phone" in fields:
        fields["phone"].help_text = _("境外号码请加国际区号，如 +39 333 123 4567")
    return fields


class ProfileForm(StyledFormMixin, forms.Form):
    """A member's own person or enterprise record: verified fields wait for approval, the others apply."""

    def __init__(self, *args, target, **kwargs):
        self.target = target
        initial = {n: getattr(target, n) or "" for n in services.member_fields(target)}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields.update(_record_form(type(target), services.member_fields(target), target))
        self.style()

    def changes(self) -> dict:
        """The fields the member changed, as the service expects them."""
        return {name: self.cleaned_data[name] for name in self.changed_data}


class InviteForm(StyledFormMixin, forms.Form):
    """How the invitation reaches the person."""

    channel = forms.ChoiceField(label=_("发送方式"), choices=InvitationChannel.choices)

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        if person is not None:
            self.initial.setdefault("channel", "email" if person.email else "sms")
        self.style()


class RejectForm(StyledFormMixin, forms.Form):
    """Why a proposed change is refused (the member reads it)."""

    reason = forms.CharField(label=_("驳回理由"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()
