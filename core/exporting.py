"""Export any filtered list to .xlsx, with the headers of its import sheet so an export can be re-imported.

XlsxWriter in constant_memory mode writes each row as it is read, and the queryset is read
with values_list().iterator(), so memory stays flat however long the list. Personal data
(ID and passport numbers are decrypted on read) is masked unless the user may see it for the
row's organization AND states the purpose of the export (PIPL: sensitive personal information
only for a specified purpose); an export that shows any is logged as a reveal with that
purpose, and every export is a named audit entry ("core.export.completed").
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import xlsxwriter
from django.core.files import File
from django.utils.translation import gettext as _

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
    rows = revealed = 0
    for row in qs.values_list(*sources, path_source).iterator(chunk_size=CHUNK):
        org_path = row[-1] or ""
        clear = allowed is None or any(org_path.startswith(p) for p in allowed)
        if clear and personal and any(row[i] not in (None, "") for i in personal):
            revealed += 1
        rows += 1
        for i, col in enumerate(columns):
            value = row[i]
            if col.personal and not clear:
                value = mask_value(col.field, value)
            elif col.render is not None:
                value = col.render(value)
            _write(ws, rows, i, value)
        if progress and rows % CHUNK == 0:
            progress(rows)
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


def _write(ws, row: int, col: int, value) -> None:
    if value is None or value == "":
        return
    if formula_like(value):
        ws.write_string(row, col, value, ws.text_format)
        return
    if isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()) if not isinstance(value, dt.datetime)
                          else value.replace(tzinfo=None))
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value)
    else:
        # Strings stay strings: an 18-digit ID number must not become 3.30782E+17.
        ws.write_string(row, col, str(value))


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
