"""Export any filtered list to .xlsx, with the headers of its import sheet so an export can be re-imported.

XlsxWriter in constant_memory mode writes each row as it is read, and the queryset is read
with values_list().iterator(), so memory stays flat however long the list. The data rows are
written as XML strings by `_RowWriter` (the same bytes as XlsxWriter's write_*(), at a third of
its cost per cell); XlsxWriter writes the header, the styles and the package. Personal data
(ID and passport numbers are decrypted on read) is masked unless the user may see it for the
row's organization AND states the purpose of the export (PIPL: sensitive personal information
only for a specified purpose); an export that shows any is logged as a reveal with that
purpose, and every export is a named audit entry ("core.export.completed").
"""
from __future__ import annotations

import datetime as dt
import math
import re
from types import SimpleNamespace

import xlsxwriter
from django.core.files import File
from django.utils.translation import gettext as _
from xlsxwriter.utility import _preserve_whitespace, _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from accounts.access import PERSONAL, paths_for
from core import jobs
from core.audit import log_action
from core.importing import sheets
from core.models import Job
from core.personal import mask_value

CHUNK = 2000


def filtered_queryset(kind: sheets.SheetKind, user, filters: dict | None = None):
    """The kind's records inside the user's scope, through its FilterSet as the list page filters them."""
    qs = kind.model.objects.visible_to(user)
    if hasattr(qs, "active"):
        qs = qs.active()
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    if kind.filterset is not None:
        request = SimpleNamespace(user=user, GET=filters)
        filterset = kind.filterset(filters, queryset=qs, request=request)
        if not filterset.is_valid():
            raise ValueError(_("筛选条件无效：%(e)s") % {"e": filterset.errors.as_text()})
        qs = filterset.qs
    if not qs.query.order_by:
        qs = qs.order_by("pk")
    return kind.export_queryset(qs)


def export(kind_name: str, user, out, filters: dict | None = None, progress=None, purpose: str = "") -> dict:
    """Write the filtered list of `kind_name` visible to `user` to `out` (a path or file); return the counts.

    Personal columns are in clear only where the user's grant allows it and a `purpose` is
    stated; otherwise they are masked (33**************34, 138****5678).
    """
    kind = sheets.get(kind_name)
    purpose = (purpose or "").strip()[:200]
    qs = filtered_queryset(kind, user, filters)
    columns = kind.columns
    sources = [c.export_source for c in columns]
    path_source = "path" if kind.model.scope_path == "path" else kind.model.scope_path
    allowed = paths_for(user, PERSONAL) if purpose else []
    personal = [i for i, c in enumerate(columns) if c.personal]

    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "default_date_format": "yyyy-mm-dd",
                                   "strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet(str(kind.title))
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7"})
    ws.text_format = wb.add_format({"quote_prefix": True})
    for i, col in enumerate(columns):
        ws.write_string(0, i, str(col.header), bold)
        ws.set_column(i, i, max(12, len(str(col.header)) * 2 + 4))
    rows_out = _RowWriter(wb, ws, len(columns))
    # (index, mask field or None, render or None) per column; renders are label look-ups, memoised per export.
    plan = [(i, col.field if col.personal else None, _memo(col.render) if col.render is not None else None)
            for i, col in enumerate(columns)]
    mask = mask_value
    rows = revealed = 0
    for row in qs.values_list(*sources, path_source).iterator(chunk_size=CHUNK):
        org_path = row[-1] or ""
        clear = allowed is None or any(org_path.startswith(p) for p in allowed)
        if clear and personal and any(row[i] not in (None, "") for i in personal):
            revealed += 1
        rows += 1
        values = []
        for i, mask_field, render in plan:
            value = row[i]
            if value is None or value == "":
                values.append(None)
            elif mask_field is not None and not clear:
                values.append(mask(mask_field, value))
            elif render is not None:
                values.append(render(value))
            else:
                values.append(value)
        rows_out.write(rows, values)
        if progress and rows % CHUNK == 0:
            progress(rows)
    rows_out.finish()
    ws.freeze_panes(1, 0)
    wb.close()
    summary = {"kind": kind.kind, "rows": rows, "revealed": revealed, "filters": filters or {}, "purpose": purpose}
    _audit(kind, user, filters or {}, summary)
    return summary


# A text cell starting with one of these is a formula to a spreadsheet that re-reads it (CSV, an edited cell):
# such cells are written as strings with Excel's quote prefix (shown as text, value unchanged, so the
# export can still be re-imported). OWASP "CSV injection".
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def formula_like(value) -> bool:
    """Whether a text would be taken for a formula by a spreadsheet."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


# One regular expression decides whether a text needs more than being put between tags: XML's
# specials, control characters (Excel's _xHHHH_ escapes), a literal _xHHHH_, leading or trailing
# whitespace. Such texts go through XlsxWriter's own escaping; the others (nearly all) are written as they are.
_NEEDS_ESCAPING = re.compile(r"[&<>\x00-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()
_LEAP_BUG_END = dt.date(1900, 3, 1)  # Excel counts a 29 February 1900: serials from here on are exact


def _column_letters(n: int) -> list[str]:
    return [xl_col_to_name(i) for i in range(n)]


def _memo(render, limit: int = 10000):
    """`render` remembered per value for one export (renders are label look-ups: a handful of values)."""
    cache: dict = {}

    def memoised(value):
        try:
            return cache[value]
        except KeyError:
            out = render(value)
            if len(cache) < limit:
                cache[value] = out
            return out
        except TypeError:  # an unhashable value
            return render(value)

    return memoised


class _RowWriter:
    """Rows of a constant_memory worksheet written as XML, one string per row.

    XlsxWriter's write_*() cost ~12 µs a cell (dimension checks, a cell object, attribute
    escaping, a file write per cell), two thirds of an export's time. This writes the same
    <row>/<c> elements, with the same escaping, number format and styles, into the worksheet's
    row-data file, then leaves the workbook's assembly to XlsxWriter. The header row is
    written through XlsxWriter before the first call. tests/test_io_speed.py reads the file back.
    """

    def __init__(self, wb, ws, ncols: int):
        if not ws.constant_memory or ws.row_data_fh is None:
            raise RuntimeError("_RowWriter needs a constant_memory worksheet")
        ws._write_single_row(1)  # flush the header row
        self.ws = ws
        self.fh = ws.row_data_fh
        self.letters = _column_letters(ncols)
        # In the order XlsxWriter's own writes numbered them (dates are a people sheet's first styled cells).
        self.date_style = f' s="{wb.default_date_format._get_xf_index()}"'
        self.text_style = f' s="{ws.text_format._get_xf_index()}"'
        self.last = 0
        self.row_max = ws.xls_rowmax - 1
        self.buffer: list[str] = []

    def write(self, row: int, values: list) -> None:
        """Write one row (0-based `row`, as XlsxWriter counts) of values; None and "" leave a cell empty."""
        if row > self.row_max:
            return  # past Excel's last row: dropped, as XlsxWriter's write_*() would
        r = str(row + 1)
        cells = []
        for letter, value in zip(self.letters, values, strict=False):  # a short row: the rest empty
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                cells.append(self._string(letter + r, value, value.startswith(FORMULA_PREFIXES)))
            elif kind is bool:
                cells.append(f'<c r="{letter}{r}" t="b"><v>{int(value)}</v></c>')
            elif kind is int or kind is float:
                if kind is float and not math.isfinite(value):
                    raise TypeError("NAN/INF not supported in write_number()")
                cells.append(f'<c r="{letter}{r}"><v>{value:.16G}</v></c>')
            elif kind is dt.date and value >= _LEAP_BUG_END:
                cells.append(f'<c r="{letter}{r}"{self.date_style}><v>{value.toordinal() - _EXCEL_EPOCH}</v></c>')
            elif isinstance(value, dt.date):
                moment = value.replace(tzinfo=None) if isinstance(value, dt.datetime) else \
                    dt.datetime.combine(value, dt.time())
                serial = self.ws._convert_date_time(moment)
                cells.append(f'<c r="{letter}{r}"{self.date_style}><v>{serial:.16G}</v></c>')
            elif isinstance(value, bool):
                cells.append(f'<c r="{letter}{r}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                cells.append(f'<c r="{letter}{r}"><v>{value:.16G}</v></c>')
            else:
                # Strings stay strings: an 18-digit ID number must not become 3.30782E+17.
                text = str(value)
                if text:
                    cells.append(self._string(letter + r, text, isinstance(value, str) and formula_like(text)))
        if cells:
            self.buffer.append(f'<row r="{r}">{"".join(cells)}</row>')
            self.last = row
            if len(self.buffer) >= 500:
                self.fh.write("".join(self.buffer))
                self.buffer.clear()

    def _string(self, ref: str, value: str, formula: bool) -> str:
        style = self.text_style if formula else ""
        if len(value) > 16383 or _NEEDS_ESCAPING.search(value):
            if len(value) > 16383 and _utf16_len(value) > 32767:
                value = _utf16_truncate(value, 32767)
            value = Worksheet._escape_control_characters(value)
            space = ' xml:space="preserve"' if _preserve_whitespace(value) else ""
            value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{value}</t></is></c>'
        return f'<c r="{ref}"{style} t="inlineStr"><is><t>{value}</t></is></c>'

    def finish(self) -> None:
        """Write what is buffered and tell XlsxWriter how far the data reaches."""
        self.fh.write("".join(self.buffer))
        self.buffer.clear()
        ws = self.ws
        if self.last:
            ws.dim_rowmax = max(ws.dim_rowmax or 0, self.last)
            ws.previous_row = self.last + 1


def _audit(kind, user, filters: dict, summary: dict) -> None:
    """Log the export on the organization it was filtered to, else on the top of the user's scope."""
    from orgs.models import Organization

    code = filters.get(kind.org_filter)
    target = Organization.objects.filter(code=code).first() if code else None
    if target is None:
        paths = paths_for(user)
        roots = Organization.objects.filter(depth=1) if paths is None else Organization.objects.filter(path__in=paths)
        target = roots.order_by("path").first()
    if target is not None:
        data = {"kind": kind.kind, "filters": filters, "rows": summary["rows"],
                "personal_data_rows": summary["revealed"], "purpose": summary["purpose"]}
        log_action(target, "core.export.completed", user, data)
        if summary["revealed"]:
            from auditlog.models import LogEntry

            LogEntry.objects.log_create(
                target, action=LogEntry.Action.ACCESS, actor=user, changes={}, force_log=True,
                additional_data={"action": "core.personal_data.revealed", "purpose": summary["purpose"],
                                 "via": "export",
                                 "kind": kind.kind, "rows": summary["revealed"],
                                 "fields": [c.field for c in kind.columns if c.personal]},
            )


def start_export(*, by, kind: str, filters: dict | None = None, purpose: str = "") -> Job:
    """Queue an export of the filtered list for the worker (personal data in clear only with a purpose)."""
    title = _("导出%(kind)s") % {"kind": sheets.get(kind).title}
    params = {"kind": kind, "filters": filters or {}}
    if (purpose or "").strip():
        params["purpose"] = purpose.strip()[:200]
    return jobs.start("export", by=by, title=title, params=params)


@jobs.handler("export")
def export_job(job: Job, ctx: jobs.JobContext) -> dict:
    """Write the export to a temporary file and keep it as the job's output file."""
    import tempfile

    params = job.params
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        summary = export(params["kind"], job.created_by, tmp.name, params.get("filters"),
                         progress=lambda n: ctx.progress(n), purpose=params.get("purpose", ""))
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        storage = job.output_file.storage
        name = storage.get_available_name(
            job.output_file.field.generate_filename(job, f"{params['kind']}-{stamp}.xlsx"))
        with open(tmp.name, "rb") as f:
            try:
                job.output_file.name = storage.save(name, File(f))
            except OSError:
                # A full disk leaves a truncated file behind: remove it, the job is marked failed.
                if storage.exists(name):
                    storage.delete(name)
                raise
    Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name)
    ctx.progress(summary["rows"], summary["rows"], force=True)
    return {"rows": summary["rows"], "revealed": summary["revealed"]}
