"""Anonymisation: what erasing a person (PIPL art. 47) or an expired record changes, and what it keeps.

Replaced: the person's name, former and foreign names, ID and passport numbers, phone, e-mail,
WeChat, address, birth date and notes (through `registry.services.update_person`); on every record
that points at the person or carries their phone, e-mail or ID number, the personal fields
(`personal_fields`) are emptied and any text equal to one of the person's identifiers becomes
ANONYMOUS. The person leaves the search index.

Kept, as the law lets an organization keep them (PIPL art. 47 last paragraph, Accounting Law
art. 35 for financial records): the record's existence and its non-identifying facts (category,
country, home region, gender, organization, memberships and positions) so that aggregated counts
and past annual reviews stay true; donations and receipts with their amounts and numbers (the
donor's name anonymised); the audit and security logs, which are append-only and hash-chained, and
leave with their own retention (`manage.py audit prune`).
"""
from __future__ import annotations

from auditlog.context import disable_auditlog
from django.db import models, transaction

from core import search
from core.audit import log_action
from privacy.collect import matched_by_identifier, reverse_relations
from privacy.models import Erasure

ANONYMOUS = "已匿名"
PERSON_BLANK = {
    "former_names": "", "foreign_name": "", "id_number": None, "passport_number": "", "phone": "", "email": "",
    "wechat": "", "address": "", "birth_date": None, "notes": "",
}
# An enterprise's phone and address are the business's, not the person's: only copies of the
# person's identifiers are replaced there.
KEEP_PERSONAL_FIELDS = {"registry.enterprise"}
IDENTITY = ("name", "former_names", "foreign_name", "id_number", "passport_number", "phone", "email", "wechat",
            "address")


def is_erased(obj) -> bool:
    """Whether this record was anonymised."""
    return Erasure.objects.filter(model=obj._meta.label_lower, object_id=obj.pk).exists()


def _empty(field):
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return "" if field.blank else ANONYMOUS[: field.max_length or None]
    if isinstance(field, models.JSONField):
        return field.get_default()
    return models.NOT_PROVIDED


def anonymised_values(obj, identifiers: set[str], fields: tuple[str, ...] | None = None) -> dict:
    """The changes that anonymise one record: its personal fields (or `fields`) emptied, text equal
    to an identifier replaced."""
    changes = {}
    personal = set(fields if fields is not None else getattr(obj, "personal_fields", ()))
    if fields is None:  # fields a model empties on erasure beyond its personal ones (a change's old values)
        personal |= set(getattr(obj, "erase_fields", ()))
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.is_relation:
            continue
        value = getattr(obj, field.attname)
        if field.name in personal and value not in (None, "", {}):
            empty = _empty(field)
            if empty is not models.NOT_PROVIDED:
                changes[field.attname] = empty
        elif isinstance(value, str) and value and value in identifiers:
            changes[field.attname] = ANONYMOUS[: field.max_length or None]
    # An encrypted field's keyed hash (core.fields) would still find the erased value: it goes too.
    # A queryset update does not recompute it, so it is set here.
    for field in obj._meta.concrete_fields:
        hash_name = getattr(field, "hash_field", None)
        if hash_name and field.attname in changes:
            hashed = obj._meta.get_field(hash_name)
            changes[hashed.attname] = None if hashed.null else ""
    return changes


def anonymise_record(obj, *, by, reason: str, identifiers: set[str] = frozenset(), fields=None,
                     request=None) -> list[str]:
    """Anonymise one record in place (one UPDATE), index it again, record the erasure; returns the fields."""
    changes = anonymised_values(obj, set(identifiers), fields)
    label = obj._meta.label_lower
    if changes:
        type(obj)._base_manager.filter(pk=obj.pk).update(**changes)
        for name, value in changes.items():
            setattr(obj, name, value)
        if label in search.REGISTRY:
            search.index([type(obj)._base_manager.get(pk=obj.pk)])
        log_action(obj, "privacy.record.anonymised", by, {"fields": sorted(changes), "reason": reason})
    Erasure.objects.get_or_create(model=label, object_id=obj.pk,
                                  defaults={"reason": reason, "request": request})
    return sorted(changes)


def anonymise_person(person, *, by, reason: str, request=None) -> dict:
    """Erase a person: their record and the copies of their identifiers elsewhere; returns what changed."""
    from privacy.collect import related_records
    from registry import services as registry_services

    identifiers = {str(v) for v in (getattr(person, f) for f in IDENTITY) if v}
    with transaction.atomic():
        linked = related_records(person)
        touched: dict[str, int] = {}
        direct = {model for _field, model in reverse_relations(type(person))}
        matched = {label: {o.pk for o in objs} for label, objs in matched_by_identifier(person).items()}
        for label, objs in linked.items():
            for obj in objs.values():
                if obj.pk == person.pk and type(obj) is type(person):
                    continue
                if type(obj) not in direct and obj.pk not in matched.get(label, set()):
                    continue  # two steps away (an enterprise's products): not about the person's identity
                if anonymise_record_fields(obj, identifiers):
                    touched[label] = touched.get(label, 0) + 1
        # The diff of this save would carry the old values into the audit log: the named entry
        # below records the erasure instead, with field names only.
        with disable_auditlog():
            registry_services.update_person(by=by, person=person, name=f"{ANONYMOUS}{person.pk}", **PERSON_BLANK)
        search.unindex(type(person), [person.pk])
        from privacy import services

        withdrawn = services.withdraw_all(person, by=by, note=reason)
        login_closed = close_member_login(person)
        Erasure.objects.get_or_create(model=person._meta.label_lower, object_id=person.pk,
                                      defaults={"reason": reason, "request": request})
        summary = {"records": touched, "consents_withdrawn": withdrawn, "member_login_closed": login_closed}
        log_action(person, "privacy.person.anonymised", by,
                   {"fields": sorted(["name", *PERSON_BLANK]), "reason": reason, **summary})
    return summary


def close_member_login(person) -> bool:
    """Close the member login of an erased person: the user deactivated, its sessions and API token
    deleted, open invitations (which hold a phone number or an address) removed. True if there was one."""
    from django.apps import apps

    if not apps.is_installed("portal"):
        return False
    from rest_framework.authtoken.models import Token

    from accounts.sessions import delete_sessions, user_session_keys
    from portal.models import Invitation, MemberAccount

    Invitation.objects.filter(person=person).delete()
    account = MemberAccount.objects.filter(person=person).select_related("user").first()
    if account is None:
        return False
    user = account.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    delete_sessions(user_session_keys(user))
    Token.objects.filter(user=user).delete()
    return True


def anonymise_record_fields(obj, identifiers: set[str]) -> list[str]:
    """Anonymise one related record without the bookkeeping of a standalone erasure."""
    keep = obj._meta.label_lower in KEEP_PERSONAL_FIELDS
    changes = anonymised_values(obj, identifiers, () if keep else None)
    if changes:
        type(obj)._base_manager.filter(pk=obj.pk).update(**changes)
        if obj._meta.label_lower in search.REGISTRY:
            search.index([type(obj)._base_manager.get(pk=obj.pk)])
    return sorted(changes)
