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


def _split_phone(text: str) -> tuple[str, str]:
    """Split an E.164 number into a shown prefix ('' for China, '+39 ' abroad) and the national part."""
    if text.startswith("+86"):
        return "", text[3:]
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
