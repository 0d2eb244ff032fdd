"""Helpers every app's services.py shares: permission checks and validated, audited saves."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import can
from core.audit import acting


def require(by, action: str, org) -> None:
    """Raise PermissionDenied unless `by` may do `action` on records of `org`."""
    if not can(by, action, org):
        raise PermissionDenied(_("您无权在“%(org)s”中进行此操作。") % {"org": org})


def apply_fields(obj, fields: dict, allowed: set[str]) -> dict[str, tuple]:
    """Set allowed fields on obj and return {field: (old, new)} for the ones that changed."""
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({f: _("不能修改此字段。") for f in sorted(unknown)})
    changed = {}
    for name, value in fields.items():
        field = obj._meta.get_field(name)
        if field.is_relation:
            # Compare keys: reading an unset relation on a new object raises.
            old = getattr(obj, field.attname)
            if old != (value.pk if value is not None else None):
                setattr(obj, name, value)
                changed[name] = (old, value)
            continue
        old = getattr(obj, name)
        if old != value:
            setattr(obj, name, value)
            changed[name] = (old, value)
    return changed


def save_validated(obj, by, *, exclude: list[str] | None = None):
    """Validate every field and constraint, then save atomically with `by` as the audit actor."""
    obj.full_clean(exclude=exclude)
    with transaction.atomic(), acting(by):
        obj.save()
    return obj
