"""Personal data: masked unless the user's grant allows it; every reveal is logged.

A model lists its personal fields in `personal_fields`; views and serializers
show `masked(obj, field)` and call `reveal()` (which checks and logs) to show
the clear value.
"""
from __future__ import annotations

import datetime as dt

import phonenumbers
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.access import PERSONAL, can, record_org


def mask_value(field: str, value) -> str:
    """Mask one value: 33**************34, 138****5678, w***@mail.com, 1985-**-**."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.date):
        return f"{value.year}-**-**"
    text = str(value)
    if field.endswith("phone"):
        prefix, national = _split_phone(text)
        if len(national) < 8:
            return prefix + "*" * len(national)
        return prefix + national[:3] + "*" * (len(national) - 7) + national[-4:]
    if field == "email" and "@" in text:
        user, domain = text.split("@", 1)
        return (user[:1] + "***@" + domain) if user else "***@" + domain
    if field in {"address"}:
        return text[:6] + "****" if len(text) > 6 else "****"
    if len(text) <= 4:
        return "*" * len(text)
    return text[:2] + "*" * (len(text) - 4) + text[-2:]


def mask_audit(value) -> str:
    """django-auditlog's mask for personal fields in change history: the same shapes as on screen.

    auditlog passes only the value, so the kind is guessed: an E.164 number is masked as a
    phone, an address with @ as an e-mail, anything else as an ID (first 2 and last 2 shown).
    """
    text = "" if value is None else str(value)
    if text in ("", "None"):
        return text
    if text.startswith("+") and text[1:].isdigit():
        return mask_value("phone", text)
    if "@" in text:
        return mask_value("email", text)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return text[:4] + "-**-**"
    return mask_value("id_number", text)


def _split_phone(text: str) -> tuple[str, str]:
    """Split an E.164 number into a shown prefix ('' for China, '+39 ' abroad) and the national part."""
    if text.startswith("+86"):
        return "", text[3:]
    if text.startswith("+") and text[1:].isdigit() and text[1] != "0" and len(text) >= 8:
        # Calling codes are prefix-free: the first of 1–3 digits that is one is the country's (what
        # phonenumbers.parse finds, at a tenth of its cost: a list shows 50 numbers).
        for size in (1, 2, 3):
            code = int(text[1:1 + size])
            if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE and len(text) > 1 + size:
                return f"+{code} ", str(int(text[1 + size:]))
        return "", text
    if text.startswith("+"):
        try:
            number = phonenumbers.parse(text)
            return f"+{number.country_code} ", str(number.national_number)
        except phonenumbers.NumberParseException:
            return "", text
    return "", text


def may_see(user, obj) -> bool:
    """Whether the user's grants let them see this record's personal data."""
    return can(user, PERSONAL, record_org(obj))


def masked(obj, field: str) -> str:
    """The masked form of a personal field of a record."""
    return mask_value(field, getattr(obj, field))


def reveal(user, obj, fields: list[str], purpose: str) -> dict[str, str]:
    """Return the clear values of `fields` after checking the grant; log who, whose, when, why."""
    from auditlog.models import LogEntry

    purpose = (purpose or "").strip()
    if not may_see(user, obj):
        raise PermissionDenied(_("您没有查看个人信息的权限。"))
    if not purpose:
        raise PermissionDenied(_("查看个人信息须说明用途。"))
    allowed = [f for f in fields if f in obj.personal_fields]
    LogEntry.objects.log_create(
        obj,
        action=LogEntry.Action.ACCESS,
        actor=user,
        changes={},
        additional_data={"action": "core.personal_data.revealed", "fields": allowed, "purpose": purpose},
        force_log=True,
    )
    values = {}
    for f in allowed:
        v = getattr(obj, f)
        values[f] = v.isoformat() if isinstance(v, dt.date) else (v or "")
    return values


class MaskedPersonalFieldsMixin:
    """For a ModelForm editing a record: personal fields show masked, never in clear.

    An edit page is not a reveal: it shows 33**************34 like the detail page. A value
    posted back unchanged (still the masked text) keeps what is stored; anything else typed
    replaces it. Forms list the fields in `masked_fields` (default: the model's personal_fields).
    """

    masked_fields: tuple[str, ...] | None = None

    def mask_personal_initial(self) -> None:
        """Replace the initial values of the personal fields of a stored record by their masks."""
        self._masked = {}
        if not getattr(self.instance, "pk", None):
            return
        from django import forms

        names = self.masked_fields if self.masked_fields is not None else getattr(
            self.instance, "personal_fields", ())
        for name in names:
            field = self.fields.get(name)
            stored = getattr(self.instance, name, None)
            if field is None or stored in (None, ""):
                continue
            mask = mask_value(name, stored)
            self._masked[name] = (mask, stored)
            self.initial[name] = mask
            if isinstance(field, forms.DateField):
                attrs = {k: v for k, v in field.widget.attrs.items() if k != "type"}
                field.widget = forms.TextInput(attrs=attrs)
            field.widget.attrs["data-masked"] = "1"

    def _clean_fields(self):
        # A field posted back as its mask cleans to the stored value; the posted data stays
        # masked, so a form shown again with errors does not print the clear value.
        for name, (mask, stored) in getattr(self, "_masked", {}).items():
            raw = self.data.get(self.add_prefix(name), "")
            if isinstance(raw, str) and raw.strip() == mask:
                self.fields[name].clean = lambda value, stored=stored: stored
        super()._clean_fields()
