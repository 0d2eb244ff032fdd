"""The import pipeline: read, normalise, validate, match, then one all-or-nothing write.

One pass over the file inside one transaction: rows are normalised (for a large sheet by a second
process, core.importing.cleaning), then validated, matched against stored records per chunk of
CHUNK rows, and written with bulk inserts and updates.
At the end the transaction commits, or rolls back for a dry run and for an all-or-nothing
import with rejected rows, so a process that dies half-way leaves nothing written.

Per-record audit diffs are not written for bulk imports: auditlog's signals do not fire on
bulk_create/bulk_update, and a diff per row of a million-row sheet would dwarf the data.
One named entry per import ("core.import.completed", with its counts) is written instead.
"""
from __future__ import annotations

import logging
from array import array
from collections.abc import Callable
from contextlib import closing, contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models.base import ModelState
from django.utils.translation import gettext as _

from accounts.access import can
from core.audit import log_action
from core.importing import sheets
from core.importing.cleaning import cleaned_rows
from core.importing.reader import Sheet
from core.scoping import CHANGE

log = logging.getLogger(__name__)
CHUNK = 2000
HEADER_SCAN = 10
# Rejected cells kept with their row, value and message (the report, the annotated copy, the job's
# result). Past this only counted: a million-row sheet of masked values would otherwise hold
# millions of messages (1.4 GB at 800,000 rows). The first ones are what a secretary fixes first.
MAX_REJECTED = 50_000
# SQLite's page cache during an import (KiB): its default 2 MB makes every insert into the
# person table's ten indexes miss; 64 MB halves the insert time of a large sheet.
SQLITE_CACHE_KIB = 65536


@dataclass
class Report:
    """The outcome of an import: counts and every rejected cell."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    rejected: list[dict] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False
    header_row: int = 0
    columns: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    rejected_total: int = 0  # rejected cells, the ones past MAX_REJECTED included
    _rows_counted: int = 0
    _rows_pending: set = field(default_factory=set)

    @property
    def rejected_rows(self) -> int:
        """How many rows were rejected (a row can have several bad cells)."""
        if not self.rejected_total:
            return len({r["row"] for r in self.rejected})
        return self._rows_counted + len(self._rows_pending)

    @property
    def rejected_unlisted(self) -> int:
        """Rejected cells counted but not listed (past MAX_REJECTED)."""
        return max(self.rejected_total - len(self.rejected), 0)

    def count_rejected_rows(self) -> None:
        """Fold the rows rejected so far into the count (called once a chunk's rows are all decided)."""
        self._rows_counted += len(self._rows_pending)
        self._rows_pending.clear()

    def as_dict(self) -> dict:
        """The JSON document of `manage.py import --format json` and the job's result."""
        out = {"rows": self.rows, "created": self.created, "updated": self.updated, "rejected": self.rejected}
        if self.rejected_unlisted:
            out["rejected_rows"] = self.rejected_rows
            out["rejected_unlisted"] = self.rejected_unlisted
        return out


class _Rollback(Exception):
    """Undo the import's transaction (dry run, or rejected rows in all-or-nothing mode)."""


def _reject(report: Report, row: int, column: str, value, message: str) -> None:
    report.rejected_total += 1
    report._rows_pending.add(row)
    if len(report.rejected) >= MAX_REJECTED:
        return
    shown = "" if value is None else str(value)
    report.rejected.append({"row": row, "column": str(column), "value": shown[:200], "message": str(message)})


def find_header(rows, kind: sheets.SheetKind):
    """Read rows until the header (the row naming most of the kind's columns, within the first 10).

    Returns (header row number, {cell index: Column}, the header cells, rows iterator positioned after it).
    """
    names = {name: col for col in kind.columns for name in col.names}
    best = None
    scanned = []
    for number, cells in rows:
        scanned.append((number, cells))
        mapping = {}
        for i, cell in enumerate(cells):
            col = names.get(sheets.header_key(cell))
            if col is not None and col not in mapping.values():
                mapping[i] = col
        if mapping and (best is None or len(mapping) > len(best[1])):
            best = (number, mapping, cells)
        if len(scanned) >= HEADER_SCAN or (best and len(best[1]) == len(kind.columns)):
            break
    if best is None:
        raise ValidationError(
            _("没有找到表头：第一行应为列名，如 %(h)s。") % {"h": "、".join(str(c.header) for c in kind.columns[:4])}
        )
    number, mapping, cells = best
    missing = [str(c.header) for c in kind.columns if c.required and c not in mapping.values()]
    if missing:
        raise ValidationError(_("表格缺少必填列：%(m)s。") % {"m": "、".join(missing)})
    leftover = [(n, c) for n, c in scanned if n > number]
    return number, mapping, cells, _chain(leftover, rows)


def _file_headers(mapping, cells) -> list[str]:
    from core.importing.normalize import text

    return [text(cells[i]) or str(col.header) for i, col in mapping.items()]


def _chain(first, rest):
    yield from first
    yield from rest


class _Orgs:
    """Organizations named by code in a sheet, looked up and permission-checked once each."""

    def __init__(self, user, default):
        from orgs.models import Organization

        self.user = user
        self.default = default
        self.model = Organization
        self._by_code: dict[str, object] = {}
        self._allowed: dict[int, bool] = {}

    def get(self, code: str):
        """The organization with this code, or a rejection message."""
        if not code:
            if self.default is None:
                return None, _("请填写组织代码，或在导入时选择组织。")
            return self.default, None
        org = self._by_code.get(code)
        if org is None:
            # Not remembered when missing: an organizations sheet may create it a few rows later.
            org = self._by_code[code] = self.model.objects.filter(code=code).first()
        if org is None or not self.allowed(org):
            # An organization outside the user's scope reads the same as one that does not exist.
            return None, _("组织代码“%(c)s”不存在或不在您的管理范围内。") % {"c": code}
        return org, None

    def allowed(self, org) -> bool:
        """Whether the user may change records of `org` (asked once per organization)."""
        if org.pk not in self._allowed:
            self._allowed[org.pk] = can(self.user, CHANGE, org)
        return self._allowed[org.pk]


def run_import(kind_name: str, path, *, by, org=None, dry_run: bool = False, valid_only: bool = False,
               progress: Callable | None = None, filename: str | None = None,
               chunk_size: int | None = None) -> Report:
    """Import the sheet at `path` as `kind_name` on behalf of `by`.

    `org` is the default organization of rows without an 组织代码. `progress(done, total=None,
    final=False)` is called every chunk and may raise to abort (a cancel). With `dry_run` nothing
    is kept; otherwise the valid rows are written in one transaction, which is kept only if
    no row was rejected, unless `valid_only` asks to keep the valid rows anyway.
    Raises ValidationError when the file cannot be read at all (no header, missing column).
    """
    kind = sheets.get(kind_name)
    if org is not None and not can(by, CHANGE, org):
        raise PermissionDenied(_("您无权在“%(org)s”中导入数据。") % {"org": org})
    chunk_size = chunk_size or kind.chunk_size or CHUNK
    sheet = Sheet(path, filename)
    total = sheet.total()
    report = Report(dry_run=dry_run)
    orgs = _Orgs(by, org)
    header_row, mapping, header_cells, rows = find_header(sheet.rows(), kind)
    report.header_row = header_row
    # Rejections name the column as the user's sheet heads it (身份证号码, not our 身份证号).
    report.headers = {col.field: header for col, header in zip(mapping.values(), _file_headers(mapping, header_cells),
                                                                 strict=True)}
    report.columns = {report.headers[col.field]: i for i, col in mapping.items()}
    org_column = kind.column("org_code")
    seen = SeenKeys()
    touched_orgs: dict[int, object] = {}
    if progress:
        progress(0, max(total - header_row, 0), final=True)
    try:
        cleaned = cleaned_rows(rows, mapping, kind, data_rows=total - header_row)
        with _sqlite_cache(), transaction.atomic(), _bulk_search(kind), closing(cleaned):
            chunk = []
            for number, values, bad, rejections, hints in cleaned:
                for name, raw, message in rejections:
                    _reject(report, number, _header(report, kind.column(name)), raw, message)
                report.rows += 1
                org_code = kind.org_code(values)
                explicit = bool(org_code)
                row_org, message = orgs.get(org_code)
                if message:
                    header = report.headers.get("org_code") or (org_column.header if org_column else _("组织代码"))
                    _reject(report, number, header, org_code, message)
                    continue
                key = kind.match_key(values, row_org)
                if key is not None:
                    first = seen.add(key, number)
                    if first is not None:
                        col = kind.column(kind.match_field) if kind.match_field else None
                        _reject(report, number, _header(report, col), values.get(kind.match_field, ""),
                                _("与第 %(n)d 行重复。") % {"n": first})
                        continue
                chunk.append((number, values, row_org, explicit, bad, hints))
                if len(chunk) >= chunk_size:
                    _write_chunk(kind, chunk, by, orgs, report, touched_orgs)
                    report.count_rejected_rows()
                    chunk = []
                    if progress:
                        progress(number - header_row, None)
            if chunk:
                _write_chunk(kind, chunk, by, orgs, report, touched_orgs)
            report.count_rejected_rows()
            if progress:
                # The last report is inside the transaction: a cancel arriving now still undoes everything.
                progress(max(total - header_row, report.rows), final=True)
            if dry_run or (report.rejected and not valid_only):
                raise _Rollback
            report.written = True
            _audit(kind, by, org, touched_orgs, report, valid_only)
    except _Rollback:
        if not dry_run:
            report.created = report.updated = 0
    return report


class SeenKeys:
    """The match keys met so far in the file, each with the first row that had it (duplicates inside the file).

    A dict of a million ID numbers holds ~125 bytes a key (the string, the row number's int, the
    slot); here ~48: open addressing over arrays of hashes and row numbers, and the keys themselves
    as repr() bytes in one buffer, compared on a hash match, so a duplicate is never a mere collision.
    Keys are what match_key() returns: strings, numbers, dates and tuples of them.
    """

    def __init__(self, size: int = 1 << 12):
        self._slots = array("i", [-1]) * size  # entry number, -1 for a free slot
        self._hashes = array("q")
        self._rows = array("i")
        self._ends = array("Q")
        self._keys = bytearray()

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, key, row: int) -> int | None:
        """Remember `key` at `row` and return None, or return the first row of a key already met."""
        h = hash(key)
        encoded = repr(key).encode("utf-8", "surrogatepass")
        slots, mask = self._slots, len(self._slots) - 1
        i = h & mask
        while (entry := slots[i]) >= 0:
            if self._hashes[entry] == h and self._key(entry) == encoded:
                return self._rows[entry]
            i = (i + 1) & mask
        slots[i] = len(self._rows)
        self._hashes.append(h)
        self._rows.append(row)
        self._keys += encoded
        self._ends.append(len(self._keys))
        if 2 * len(self._rows) > len(slots):
            self._grow()
        return None

    def _key(self, entry: int) -> bytes:
        return self._keys[self._ends[entry - 1] if entry else 0:self._ends[entry]]

    def _grow(self) -> None:
        slots = self._slots = array("i", [-1]) * (2 * len(self._slots))
        mask = len(slots) - 1
        for entry, h in enumerate(self._hashes):
            i = h & mask
            while slots[i] >= 0:
                i = (i + 1) & mask
            slots[i] = entry


def _write_chunk(kind, chunk, by, orgs, report, touched_orgs) -> None:
    """Build and write one chunk of rows; rows that fail validation are rejected, the rest written."""
    batch = sheets.Batch(rows=chunk, user=by)
    kind.prepare(batch)
    keys = [k for k in (kind.match_key(row[1], row[2]) for row in chunk if not row[4]) if k is not None]
    stored = kind.existing(keys, batch)
    created, updated, fields = [], [], set()
    known_names = {}
    for number, values, org, explicit, bad, hints in chunk:
        if hints and "names" in hints:
            known_names.update(hints["names"])
        key = kind.match_key(values, org)
        current = stored.get(key) if key is not None else None
        if current is not None and not orgs.allowed(kind.owner(current)):
            col = kind.column(kind.match_field)
            _reject(report, number, _header(report, col), values.get(kind.match_field, ""),
                    _("该记录已在您无权管理的组织中登记，不能修改。"))
            continue
        try:
            obj, changed = kind.build(values, org, explicit, current, batch)
        except ValidationError as e:
            _reject_error(report, number, kind, values, e, skip=bad)
            continue
        if bad:
            # Built only to report every bad cell of the row at once; the row itself is rejected.
            continue
        if current is not None and not orgs.allowed(kind.owner(obj)):
            _reject(report, number, _header(report, kind.column("org_code")), values.get("org_code", ""),
                    _("不能把记录移到您无权管理的组织。"))
            continue
        owner = kind.owner(obj)
        if owner is not None:
            touched_orgs.setdefault(owner.pk, owner)
        if current is None:
            created.append(obj)
        else:
            report.updated += 1
            if changed:
                updated.append(obj)
                fields |= changed
    kind.save(created, updated, fields)
    if kind.indexed:
        _index(created, updated, known_names)
    report.created += len(created)


def _index(created: list, updated: list, known_names: dict | None = None) -> None:
    """The chunk's search entries in one bulk insert (COPY on PostgreSQL); a changed record's entry replaced.

    What core.search.index does, minus a DELETE for records that are new and one model
    instance per entry; on SQLite the FTS index is filled once at the end (`_bulk_search`).
    """
    from core import search
    from core.models import SearchEntry

    objs = created + updated
    if not objs:
        return
    entry = search.REGISTRY[objs[0]._meta.label_lower]
    if updated:
        SearchEntry.objects.filter(model=entry.label, object_id__in=[o.pk for o in updated]).delete()
    blank = {k: v for k, v in SearchEntry(model=entry.label).__dict__.items() if k != "_state"}
    rows = []
    for obj in objs:
        row = SearchEntry.__new__(SearchEntry)
        row.__dict__ = {**blank, "_state": ModelState(), "object_id": obj.pk, "tokens": search.document(obj, entry, known_names)}
        rows.append(row)
    sheets.insert(SearchEntry, rows)


@contextmanager
def _bulk_search(kind):
    """Around the import's transaction: SQLite's FTS index filled once at the end, not row by row."""
    if not kind.indexed:
        yield
        return
    from core import search

    with search.bulk_loading():
        yield


@contextmanager
def _sqlite_cache():
    """A larger SQLite page cache while the import runs (see SQLITE_CACHE_KIB), the previous one after."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(SQLITE_CACHE_KIB)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _header(report: Report, col) -> str:
    """The column's header as the sheet writes it."""
    if col is None:
        return ""
    return report.headers.get(col.field) or str(col.header)


def _reject_error(report, number, kind, values, error: ValidationError, skip=()) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            if name in skip:
                continue
            col = kind.column(name)
            header = _header(report, col) if col else (_("整行") if name == "__all__" else name)
            _reject(report, number, header, values.get(name, ""), " ".join(errors))
    else:
        _reject(report, number, _("整行"), "", " ".join(error.messages))


def _audit(kind, by, org, touched_orgs, report, valid_only) -> None:
    """One named audit entry per import, on the chosen organization (or each organization written)."""
    targets = [org] if org is not None else list(touched_orgs.values())[:50]
    data = {"kind": kind.kind, "rows": report.rows, "created": report.created, "updated": report.updated,
            "rejected_rows": report.rejected_rows, "valid_only": valid_only}
    for target in targets:
        log_action(target, "core.import.completed", by, data)
