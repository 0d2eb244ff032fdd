"""A JSON field whose sensitive keys are stored encrypted: a member's proposed ID or passport number.

`ProfileChange.changes` maps each field to [before, after]. For the keys in `sealed_keys` each
non-empty value is stored as {"sealed": "<key id>:<ciphertext>"} (AES-256-GCM, core.crypto, a fresh
nonce each time), so the database, a backup or a SQL console never shows the number. Python code
reads and writes clear values, as with core.fields.EncryptedCharField; a value stored before this
field existed (clear) still reads.
"""
from __future__ import annotations

from django.db import models

from core import crypto

SEALED_KEYS = ("id_number", "passport_number")
MARK = "sealed"


def _is_sealed(value) -> bool:
    return isinstance(value, dict) and set(value) == {MARK}


def seal_value(value):
    """One value as stored: {"sealed": ciphertext} (empty values and already sealed ones as they are)."""
    if value in (None, "") or _is_sealed(value):
        return value
    return {MARK: crypto.encrypt(str(value))}


def unseal_value(value):
    """One stored value in clear."""
    return crypto.decrypt(value[MARK]) if _is_sealed(value) else value


def _map(changes, keys, fn):
    if not isinstance(changes, dict):
        return changes
    out = dict(changes)
    for key in keys:
        pair = out.get(key)
        if isinstance(pair, list | tuple):
            out[key] = [fn(v) for v in pair]
    return out


def seal(changes, keys=SEALED_KEYS):
    """A copy of {field: [before, after]} with the values of `keys` sealed."""
    return _map(changes, keys, seal_value)


def unseal(changes, keys=SEALED_KEYS):
    """A copy of {field: [before, after]} with the values of `keys` in clear."""
    return _map(changes, keys, unseal_value)


def is_stored_sealed(changes, keys=SEALED_KEYS) -> bool:
    """Whether every non-empty value of `keys` in a stored mapping is sealed (what the data migration checks)."""
    if not isinstance(changes, dict):
        return True
    return all(v in (None, "") or _is_sealed(v)
               for key in keys if isinstance(changes.get(key), list | tuple) for v in changes[key])


class SealedChangesField(models.JSONField):
    """JSONField of {field: [before, after]} storing the values of `sealed_keys` encrypted."""

    def __init__(self, *args, sealed_keys=SEALED_KEYS, **kwargs):
        self.sealed_keys = tuple(sealed_keys)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        """As JSONField, plus `sealed_keys` when not the default."""
        name, path, args, kwargs = super().deconstruct()
        if self.sealed_keys != SEALED_KEYS:
            kwargs["sealed_keys"] = list(self.sealed_keys)
        return name, path, args, kwargs

    def get_prep_value(self, value):
        """Seal before JSON encoding (saves, updates)."""
        return super().get_prep_value(seal(value, self.sealed_keys))

    def from_db_value(self, value, expression, connection):
        """Decode, then open the sealed values."""
        return unseal(super().from_db_value(value, expression, connection), self.sealed_keys)


def reseal_changes(batch: int = 500) -> dict:
    """Save again every proposed change holding a sealed value not under the current data key.

    Run by `manage.py rotate_keys` (through PortalConfig.reseal) and `manage.py reseal_changes`;
    idempotent. Returns rows read, rows resealed and the key ids found before (`keys_before`).
    """
    from collections import Counter

    from django.db import transaction
    from django.db.models import Q

    from portal.models import ProfileChange

    current = crypto.keyring().current_id
    keys_before: Counter = Counter()
    counts = {"rows": 0, "resealed": 0}
    qs = ProfileChange.objects.filter(Q(changes__has_key="id_number") | Q(changes__has_key="passport_number"))
    pks = list(qs.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch):
        with transaction.atomic():
            for change in ProfileChange.objects.filter(pk__in=pks[start:start + batch]).select_for_update():
                counts["rows"] += 1
                kids = _stored_keys(change.pk)
                keys_before.update(kids)
                if any(k != current for k in kids):
                    change.save(update_fields=["changes"])
                    counts["resealed"] += 1
    counts["keys_before"] = dict(keys_before)
    return counts


def _stored_keys(pk) -> list[str]:
    """The key ids of a change's sealed values as stored (read without opening them)."""
    import json

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT changes FROM portal_profilechange WHERE id = %s", [pk])
        raw = cursor.fetchone()[0]
    data = json.loads(raw) if isinstance(raw, str) else raw
    return [crypto.key_id_of(v[MARK]) for key in SEALED_KEYS for v in (data or {}).get(key) or []
            if isinstance(v, dict) and MARK in v]
