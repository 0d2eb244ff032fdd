"""Everything Shanghui holds about a person, found through the model graph.

Generic on purpose, so that a new app's records are included the day it appears:
- rows that point at the person by a foreign key (memberships, positions, cases as applicant,
  registrations, donations, pairing participations, honours, consents …), and the rows that point
  at those in turn (dues payments, attendance, case events, the products of their enterprises …),
  up to `DEPTH` steps away;
- rows of any model with personal fields (`personal_fields`) whose phone, e-mail or ID number is
  the person's, where no foreign key was set (a case submitted on the public form);
- the audit entries about the person (changes, reveals of their data).
"""
from __future__ import annotations

import datetime as dt
import decimal
import uuid
from functools import lru_cache

from django.db import DatabaseError, models, transaction
from django.db.models.fields.files import FieldFile

DEPTH = 2
MAX_ROWS_PER_RELATION = 10000
# Relations that lead away from the person to other people's data or to bookkeeping.
SKIP = {"core.searchentry", "privacy.erasure"}
IDENTIFIERS = ("id_number", "phone", "email")


def jsonable(value):
    """A field value as JSON: dates in ISO form, decimals as strings, files by name."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, bytes | memoryview):
        return None
    return value


def row(obj) -> dict:
    """Every concrete column of a record, in clear (this is the person's own copy), plus its m2m names."""
    # Keyed hashes of encrypted fields (core.fields) are ours, not the person's data.
    hashes = {getattr(f, "hash_field", None) for f in obj._meta.concrete_fields}
    data = {f.attname: jsonable(f.value_from_object(obj)) for f in obj._meta.concrete_fields
            if f.name not in hashes}
    for f in obj._meta.many_to_many:
        data[f.name] = [str(o) for o in getattr(obj, f.name).all()]
    return data


def reverse_relations(model):
    """(field, model) of every foreign key and one-to-one pointing at `model`, hidden ones
    (related_name="+") included, which `_meta.related_objects` leaves out."""
    return _pointing_at().get(model, [])


@lru_cache(maxsize=1)
def _pointing_at() -> dict[type, list[tuple]]:
    from django.apps import apps

    out: dict[type, list[tuple]] = {}
    for related in apps.get_models():
        if related._meta.label_lower in SKIP:
            continue
        for field in related._meta.concrete_fields:
            if field.is_relation and (field.many_to_one or field.one_to_one) and field.related_model is not None:
                target = field.related_model
                if f"{target._meta.label_lower}.{related._meta.label_lower}.{field.name}" in SKIP:
                    continue
                out.setdefault(target, []).append((field, related))
    return out


def related_records(person) -> dict[str, dict[int, models.Model]]:
    """{model label: {pk: record}} of every record linked to the person, the person included."""
    found: dict[str, dict[int, models.Model]] = {person._meta.label_lower: {person.pk: person}}
    frontier = [person]
    for _depth in range(DEPTH):
        following = []
        by_model: dict[type, list] = {}
        for obj in frontier:
            by_model.setdefault(type(obj), []).append(obj.pk)
        for model, pks in by_model.items():
            for field, related in reverse_relations(model):
                rows = related._base_manager.filter(**{f"{field.name}__in": pks})[:MAX_ROWS_PER_RELATION]
                bucket = found.setdefault(related._meta.label_lower, {})
                for obj in rows:
                    if obj.pk not in bucket:
                        bucket[obj.pk] = obj
                        following.append(obj)
        frontier = following
    for label, objs in matched_by_identifier(person).items():
        bucket = found.setdefault(label, {})
        for obj in objs:
            bucket.setdefault(obj.pk, obj)
    return {label: rows for label, rows in found.items() if rows}


def matched_by_identifier(person) -> dict[str, list]:
    """Rows of other models whose ID number, phone or e-mail is the person's."""
    from django.apps import apps

    out: dict[str, list] = {}
    for model in apps.get_models():
        fields = [f for f in IDENTIFIERS if f in getattr(model, "personal_fields", ())]
        if model is type(person) or not fields:
            continue
        q = models.Q()
        for name in fields:
            value = getattr(person, name, None)
            if value:
                q |= models.Q(**{name: value})
        if not q:
            continue
        try:
            # A field stored encrypted may not compare by value: its rows are then found by key only.
            with transaction.atomic():
                rows = list(model._base_manager.filter(q)[:MAX_ROWS_PER_RELATION])
        except (DatabaseError, TypeError, ValueError):
            continue
        if rows:
            out[model._meta.label_lower] = rows
    return out


def audit_entries(person) -> list:
    """The audit log's entries about the person: changes, named actions, reveals of their data."""
    from auditlog.models import LogEntry

    return list(LogEntry.objects.get_for_object(person).select_related("actor").order_by("timestamp", "pk"))


def audit_row(entry) -> dict:
    """One audit entry as the person may read it: when, what, by whom (username), which fields."""
    return {
        "id": entry.pk,
        "timestamp": jsonable(entry.timestamp),
        "action": entry.get_action_display(),
        "named_action": (entry.additional_data or {}).get("action", ""),
        "actor": entry.actor.get_username() if entry.actor else "",
        "changes": entry.changes_dict if hasattr(entry, "changes_dict") else entry.changes,
        "purpose": (entry.additional_data or {}).get("purpose", ""),
    }
