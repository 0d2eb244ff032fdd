"""Model fields for personal data at rest: an encrypted text and its lookup hash.

    id_number = EncryptedCharField(_("身份证号"), max_length=18, null=True, blank=True,
                                   hash_field="id_number_hash")
    id_number_hash = LookupHashField(source="id_number", unique=True)

`EncryptedCharField` holds the clear value in Python (validators, forms, masking and
reveal see the clear text) and writes `core.crypto.encrypt(value)` to its column; reading
decrypts, in `values_list()` and across relations too. Setting the attribute also sets the
companion hash attribute, so the hash is right before any save, `full_clean()` or bulk write.

Lookups: `exact`, `iexact` and `in` on the encrypted field are rewritten to the hash column
(`Person.objects.filter(id_number=x)` is `filter(id_number_hash=lookup_hash(x))`), so the
existing import matching, duplicate checks and API filters keep working; `isnull` works on
the column itself; any other lookup (contains, startswith, ordering comparisons) is refused
with FieldError, since a ciphertext cannot be compared. The uniqueness of a number is a
unique constraint on the hash column.

Bulk writers that bypass the field (the demo's COPY) call `encrypted_row_values()`.
`QuerySet.update(id_number=…)` does not update the hash: write through save() or the
services instead.
"""
from __future__ import annotations

import math

from django.core.exceptions import FieldError
from django.db import models
from django.db.models import lookups
from django.db.models.query_utils import DeferredAttribute

from core import crypto


class EncryptedAttribute(DeferredAttribute):
    """The attribute of an encrypted field: setting it updates the companion hash attribute."""

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value
        if self.field.hash_field:
            instance.__dict__[self.field.hash_field] = crypto.lookup_hash(value)


def _hash_col(lhs):
    """The hash column beside the encrypted column `lhs` (same table alias)."""
    field = getattr(lhs, "target", None)
    hash_name = getattr(field, "hash_field", None)
    if not hash_name or not hasattr(lhs, "alias"):
        raise FieldError(f"{field} is encrypted and has no lookup hash: it cannot be filtered by value.")
    return field.model._meta.get_field(hash_name).get_col(lhs.alias)


def _check_value(value):
    if hasattr(value, "resolve_expression"):
        raise FieldError("An encrypted field can only be compared with plain values.")


class HashedExact(lookups.Exact):
    """`field=value` on an encrypted field: `field_hash = lookup_hash(value)` (an empty value: the column)."""

    def __init__(self, lhs, rhs):
        _check_value(rhs)
        if rhs not in (None, ""):
            lhs, rhs = _hash_col(lhs), crypto.lookup_hash(rhs)
        super().__init__(lhs, rhs)


class HashedIn(lookups.In):
    """`field__in=values` on an encrypted field: the hash column among the values' hashes."""

    def __init__(self, lhs, rhs):
        _check_value(rhs)
        hashes = [h for h in (crypto.lookup_hash(v) for v in rhs) if h]
        super().__init__(_hash_col(lhs), hashes)


class EncryptedCharField(models.CharField):
    """A short text (ID or passport number) stored encrypted with AES-GCM; see the module docstring.

    `max_length` is the length of the clear value (validated and offered in forms); the column
    is wide enough for the ciphertext. `hash_field` names the LookupHashField kept in step.
    """

    descriptor_class = EncryptedAttribute

    def __init__(self, *args, hash_field: str | None = None, **kwargs):
        self.hash_field = hash_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        """Include `hash_field` in migrations."""
        name, path, args, kwargs = super().deconstruct()
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        return name, path, args, kwargs

    @property
    def stored_length(self) -> int:
        """Characters of the longest ciphertext: key id, colon, base64 of nonce + UTF-8 text + tag."""
        return 17 + 4 * math.ceil((12 + 4 * (self.max_length or 255) + 16) / 3)

    def get_internal_type(self):
        """Its own type, so that generic bulk writers send values through get_db_prep_save (encryption)."""
        return "EncryptedCharField"

    def db_type(self, connection):
        """A varchar as wide as the ciphertext."""
        template = connection.data_types["CharField"]
        data = {"max_length": self.stored_length}
        return template(data) if callable(template) else template % data

    def cast_db_type(self, connection):
        """Casts use the stored width."""
        return self.db_type(connection)

    def get_prep_value(self, value):
        """Encrypt a non-empty value with the current key."""
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(value)

    def from_db_value(self, value, expression, connection):
        """Decrypt a stored value (with whichever configured key wrote it)."""
        if value in (None, ""):
            return value
        return crypto.decrypt(value)

    def get_lookup(self, lookup_name):
        """exact/iexact/in through the hash column, isnull on the column, nothing else."""
        if lookup_name in ("exact", "iexact"):
            return HashedExact
        if lookup_name == "in":
            return HashedIn
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None

    def get_transform(self, lookup_name):
        """No transforms (lower, unaccent …) of a ciphertext."""
        return None


class LookupHashField(models.CharField):
    """The keyed hash (core.crypto.lookup_hash) of an encrypted field, for exact lookup and uniqueness."""

    def __init__(self, *args, source: str | None = None, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", crypto.HASH_LENGTH)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        """Include `source` in migrations."""
        name, path, args, kwargs = super().deconstruct()
        if self.source:
            kwargs["source"] = self.source
        for key, default in (("max_length", crypto.HASH_LENGTH), ("null", True), ("blank", True),
                             ("editable", False)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        """Recompute the hash from the clear value just before it is written."""
        if self.source and self.source in model_instance.__dict__:
            value = crypto.lookup_hash(model_instance.__dict__[self.source])
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)


class EncryptedFieldsMixin:
    """For models with encrypted fields: `save(update_fields=[…])` naming one also saves its hash."""

    def save(self, *args, **kwargs):
        """Save; a hash column follows its encrypted field into update_fields."""
        fields = kwargs.get("update_fields")
        if fields is not None:
            extra = [f.hash_field for f in self._meta.concrete_fields
                     if isinstance(f, EncryptedCharField) and f.hash_field
                     and (f.name in fields or f.attname in fields)]
            if extra:
                kwargs["update_fields"] = [*fields, *(e for e in extra if e not in fields)]
        return super().save(*args, **kwargs)


def encrypted_row_values(model) -> list[tuple[str, str | None]]:
    """(attname, hash attname) of each encrypted field of `model`, for bulk writers of plain rows."""
    return [(f.attname, f.hash_field) for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


def encrypt_row(row: dict, fields: list[tuple[str, str | None]]) -> dict:
    """The ciphertexts and hashes of a plain row's encrypted values (to merge into it for writing)."""
    out = {}
    for attname, hash_name in fields:
        value = row.get(attname)
        if value not in (None, ""):
            out[attname] = crypto.encrypt(value)
            if hash_name:
                out[hash_name] = crypto.lookup_hash(value)
    return out


def column_migration(app_label: str, model_name: str, fields: list[str], chunk: int = 2000):
    """RunPython functions (forward, backward) that encrypt / decrypt existing rows of `fields`.

    Used by the migrations that turn a clear column into an EncryptedCharField: they run while
    the column is still a plain (widened) CharField, so values are read and written as stored.
    Forward encrypts each clear value and fills `<field>_hash`; a value that is already a
    ciphertext is left alone, so a re-run is harmless. Backward decrypts.
    """

    def rows(apps, schema_editor):
        """The model and its rows (pk, *values), read in keyset pages so writes never race a cursor."""
        model = apps.get_model(app_label, model_name)
        manager = model._base_manager.using(schema_editor.connection.alias)

        def pages():
            last = 0
            while True:
                page = list(manager.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:chunk])
                if not page:
                    return
                yield from page
                last = page[-1][0]

        return model, pages()

    def write(model, schema_editor, updates, columns):
        if not updates:
            return
        qn = schema_editor.connection.ops.quote_name
        sets = ", ".join(f"{qn(c)} = %s" for c in columns)
        sql = f"UPDATE {qn(model._meta.db_table)} SET {sets} WHERE {qn(model._meta.pk.column)} = %s"
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(sql, updates)

    def forward(apps, schema_editor):
        model, qs = rows(apps, schema_editor)
        columns = [c for f in fields for c in (f, f"{f}_hash")]
        updates = []
        for pk, *values in qs:
            if all(v in (None, "") or ":" in v for v in values):
                continue
            row = []
            for v in values:
                if v in (None, ""):
                    row += [v, None]
                elif ":" in v:
                    row += [v, crypto.lookup_hash(crypto.decrypt(v))]
                else:
                    row += [crypto.encrypt(v), crypto.lookup_hash(v)]
            updates.append([*row, pk])
            if len(updates) >= chunk:
                write(model, schema_editor, updates, columns)
                updates = []
        write(model, schema_editor, updates, columns)

    def backward(apps, schema_editor):
        model, qs = rows(apps, schema_editor)
        updates = []
        for pk, *values in qs:
            if any(v and ":" in v for v in values):
                updates.append([crypto.decrypt(v) if v and ":" in v else v for v in values] + [pk])
        write(model, schema_editor, updates, fields)

    return forward, backward


def with_hash_fields(model, names) -> set[str]:
    """`names` plus the hash field of each encrypted field named (for writers given a field list)."""
    names = set(names)
    for f in model._meta.concrete_fields:
        if isinstance(f, EncryptedCharField) and f.hash_field and (f.name in names or f.attname in names):
            names.add(f.hash_field)
    return names


class EncryptedQuerySetMixin:
    """For querysets of models with encrypted fields: `update(id_number=…)` also updates the hash.

    Models using it name their manager as `base_manager_name`, so that code writing through
    `_base_manager` (erasure, retention) keeps the hashes in step too.
    """

    def update(self, **kwargs):
        """Update; each encrypted field set also sets its lookup hash (from a plain value only)."""
        for f in self.model._meta.concrete_fields:
            if isinstance(f, EncryptedCharField) and f.hash_field and f.name in kwargs \
                    and f.hash_field not in kwargs:
                _check_value(kwargs[f.name])
                kwargs[f.hash_field] = crypto.lookup_hash(kwargs[f.name])
        return super().update(**kwargs)
