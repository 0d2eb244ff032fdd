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
