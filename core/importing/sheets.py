"""The registry of sheet kinds: what columns a sheet has and how its rows become records.

Every app registers its own kinds in its `sheets.py` (imported by `autodiscover()` from
core's AppConfig.ready), so a later app adds its sheets without touching the pipeline.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models.base import ModelState
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.importing import normalize

_HEADER_NOISE = re.compile(r"[*＊\s]|[（(][^）)]*[）)]")


def header_key(value) -> str:
    """A header cell reduced for matching: no spaces, stars or bracketed notes, case-folded."""
    return _HEADER_NOISE.sub("", normalize.text(value)).casefold()


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its Chinese header, other accepted headers, and how to read a cell."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    normalize: Callable = normalize.text
    help: str = ""
    example: str = ""
    source: str | None = None
    render: Callable | None = None
    personal: bool = False

    @property
    def names(self) -> set[str]:
        """Every header that means this column, reduced by `header_key`."""
        return {header_key(self.header), *(header_key(a) for a in self.aliases)}

    @property
    def export_source(self) -> str:
        """The values_list lookup an export reads this column from."""
        return self.source or self.field


@dataclass
class Batch:
    """What one chunk of valid rows needs while it is built and written."""

    rows: list  # [(row number, values, org, explicit org, fields already rejected)]
    user: object
    lookups: dict = field(default_factory=dict)


class SheetKind:
    """A kind of sheet. Subclasses name the model, the columns and how a row is built.

    The pipeline reads and normalises every cell, resolves the row's organization and
    checks the grant, then hands chunks of rows to `existing()`, `build()` and `save()`.
    """

    kind: str = ""
    title = ""
    model = None
    columns: list[Column] = []
    match_field: str | None = None
    org_filter = "org"
    filterset = None
    indexed = False
    chunk_size: int | None = None

    def match_key(self, values: dict, org):
        """The identity of a row inside the file and in the database (None: always a new record)."""
        return values.get(self.match_field) or None if self.match_field else None

    def org_code(self, values: dict) -> str:
        """The code of the organization the row belongs to ("" for the import's default organization)."""
        return values.get("org_code", "")

    def prepare(self, batch: Batch) -> None:
        """Look up, once per chunk, what building its rows needs (members, parents …)."""

    def new(self, **fields):
        """A blank record of the kind's model with `fields` set.

        Model.__init__ sets every field's default one by one; copying a blank instance's
        attributes costs a tenth of that, which counts on a million rows.
        """
        blank = self.__dict__.get("_blank")
        if blank is None:
            blank = self._blank = self.model()
        obj = self.model.__new__(self.model)
        obj.__dict__ = {**blank.__dict__, "_state": ModelState()}
        for name, value in fields.items():
            setattr(obj, name, value)
        return obj

    def hints(self, values: dict) -> dict | None:
        """What the row's writing will need that takes no database: worked out in the reading process
        (core.importing.cleaning), beside the importing one. For an indexed kind, its names' search tokens."""
        if not self.indexed:
            return None
        from core import search

        entry = search.REGISTRY[self.model._meta.label_lower]
        obj = self.new()
        set_fields(obj, values, self._attributes())
        return {"names": search.name_tokens(obj, entry)}

    def _attributes(self) -> frozenset[str]:
        found = self.__dict__.get("_attribute_names")
        if found is None:
            found = self._attribute_names = frozenset(f.attname for f in self.model._meta.concrete_fields)
        return found

    def existing(self, keys: list, batch: Batch) -> dict:
        """The records already stored for these match keys, with their organization loaded."""
        if not self.match_field or not keys:
            return {}
        found = list(self.model._base_manager.filter(**{f"{self.match_field}__in": keys}))
        # The organizations once each (a chunk's records share a few), not one joined copy per record.
        org_field = self.model._meta.get_field("org")
        orgs = org_field.related_model._base_manager.in_bulk({o.org_id for o in found})
        for o in found:
            if o.org_id is not None:
                o.org = orgs[o.org_id]
        return {getattr(o, self.match_field): o for o in found}

    def owner(self, obj):
        """The organization whose grant a change to `obj` needs."""
        return obj.org

    def build(self, values: dict, org, explicit_org: bool, existing, batch: Batch):
        """Return the new or changed record for one row; raise ValidationError keyed by field."""
        raise NotImplementedError

    def save(self, created: list, updated: list, fields: set[str]) -> None:
        """Write one chunk: bulk inserts and bulk updates inside the import's transaction."""
        if created:
            insert(self.model, created)
        if updated and fields:
            update(self.model, updated, fields)

    def export_queryset(self, qs):
        """The queryset of an export, with whatever annotations its columns read."""
        return qs

    def column(self, field_name: str) -> Column | None:
        """The column that holds `field_name`."""
        return next((c for c in self.columns if c.field == field_name), None)


REGISTRY: dict[str, SheetKind] = {}


def register(kind_class: type[SheetKind]) -> type[SheetKind]:
    """Class decorator: make a sheet kind available to the import, the export and the templates."""
    REGISTRY[kind_class.kind] = kind_class()
    return kind_class


def get(kind: str) -> SheetKind:
    """The registered kind, or ValueError listing the known ones."""
    try:
        return REGISTRY[kind]
    except KeyError:
        raise ValueError(_("未知的表格类型“%(k)s”，可用：%(all)s。") % {"k": kind, "all": ", ".join(REGISTRY)}) from None


def kinds() -> list[SheetKind]:
    """Every registered sheet kind."""
    return list(REGISTRY.values())


def autodiscover() -> None:
    """Import every installed app's `sheets` module so its kinds register."""
    autodiscover_modules("sheets")


def _adapter(field, connection):
    """The one conversion a value of `field` needs before it goes to the database (None: none)."""
    ops = connection.ops
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        return ops.adapt_datetimefield_value
    if internal == "DateField":
        return ops.adapt_datefield_value
    if internal == "JSONField":
        # A value a caller already wrapped for psycopg (Jsonb) goes through as it is.
        return lambda v: v if type(v).__module__.startswith("psycopg") else field.get_db_prep_save(v, connection)
    if internal == "DecimalField":
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    if internal in {"CharField", "TextField", "SlugField", "EmailField", "BooleanField", "IntegerField",
                    "BigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField",
                    "ForeignKey", "BigAutoField", "AutoField"}:
        return None
    return lambda v: field.get_db_prep_save(v, connection)


def insert(model, objs: list) -> None:
    """Insert new records and set their primary keys: COPY on PostgreSQL, else multi-row INSERT … RETURNING.

    What bulk_create does, minus its per-value SQL compilation, which costs more than the
    database itself on a million-row import. Models only: no signals, no m2m.
    """
    from django.db import connections, router
    from django.utils import timezone

    connection = connections[router.db_for_write(model)]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                setattr(obj, f.attname, now)
    if connection.vendor == "postgresql":
        _copy(connection, model, fields, objs)
        return
    adapters = [(f.attname, _adapter(f, connection)) for f in fields]
    qn = connection.ops.quote_name
    head = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES ")
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning = f" RETURNING {qn(meta.pk.column)}"
    size = max(1, min(1000, connection.ops.bulk_batch_size(fields, objs)))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            part = objs[start:start + size]
            params = []
            for obj in part:
                for attname, adapt in adapters:
                    value = getattr(obj, attname)
                    params.append(value if adapt is None or value is None else adapt(value))
            cursor.execute(head + ", ".join([one] * len(part)) + returning, params)
            for obj, (pk,) in zip(part, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias


def _copy(connection, model, fields, objs: list) -> None:
    """PostgreSQL: take the ids from the table's sequence, then COPY the rows in (no SQL to parse)."""
    meta = model._meta
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, len(objs)])
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(qn(c) for c in [meta.pk.column, *(f.column for f in fields)])
        adapters = [(f.attname, _adapter(f, connection)) for f in fields]
        with cursor.cursor.copy(f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for pk, obj in zip(ids, objs, strict=True):
                row = [pk]
                for attname, adapt in adapters:
                    value = getattr(obj, attname)
                    row.append(value if adapt is None or value is None else adapt(value))
                copy.write_row(row)
    for pk, obj in zip(ids, objs, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def update(model, objs: list, names) -> None:
    """Write `names` of stored records: one prepared UPDATE … WHERE id = %s, executed for every record.

    bulk_update's CASE WHEN per field grows with the square of the batch on SQLite.
    """
    from django.db import connections, router

    connection = connections[router.db_for_write(model)]
    meta = model._meta
    fields = [meta.get_field(n) for n in sorted(names)]
    adapters = [(f.attname, _adapter(f, connection)) for f in fields]
    qn = connection.ops.quote_name
    sql = (f"UPDATE {qn(meta.db_table)} SET {', '.join(f'{qn(f.column)} = %s' for f in fields)} "
           f"WHERE {qn(meta.pk.column)} = %s")
    rows = []
    for obj in objs:
        row = []
        for attname, adapt in adapters:
            value = getattr(obj, attname)
            row.append(value if adapt is None or value is None else adapt(value))
        row.append(obj.pk)
        rows.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def set_fields(obj, values: dict, allowed: Iterable[str]) -> set[str]:
    """Copy the non-empty values of `allowed` fields onto obj; return the names that changed.

    Empty cells keep what is stored: a sheet that lacks a value does not erase one.
    """
    changed = set()
    allowed = allowed if isinstance(allowed, frozenset) else frozenset(allowed)
    # The row's values that are allowed (a row fills about half of a kind's fields): a set operation in C.
    for name in values.keys() & allowed:
        value = values[name]
        if value in (None, ""):
            continue
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.add(name)
    return changed


def run_validators(obj, names: Iterable[str], skip: Iterable[str] = ()) -> None:
    """Run the model fields' own validators (length, e-mail, region, country …) on the fields set."""
    errors = {}
    skip = set(skip)
    for name in names:
        if name in skip:
            continue
        value = getattr(obj, name)
        if value in (None, ""):
            continue
        try:
            obj._meta.get_field(name).run_validators(value)
        except ValidationError as e:
            errors[name] = e.messages
    if errors:
        raise ValidationError(errors)


ORG_CODE = Column("org_code", gettext_lazy("组织代码"), ("所属组织代码", "组织编码", "org", "org code", "org_code"),
                  normalize=normalize.org_code, source="org__code",
                  help=gettext_lazy("记录所属组织的代码；留空则用导入时选择的组织。须在您的管理范围内。"),
                  example="hz")
