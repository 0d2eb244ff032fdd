"""The person's copy of their data (PIPL art. 45): a zip of JSON and a workbook, built on demand.

Nothing is stored: the file is produced when an authorised member of staff downloads it, and
every download is an audit entry (ACCESS) naming who, whose and why, like a reveal.
"""
from __future__ import annotations

import io
import json
import zipfile

import xlsxwriter
from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.collect import audit_entries, audit_row, related_records, row

README = """Shanghui — personal data export / 个人信息副本

data.json   every record held about the person, by kind of record (model), in clear
data.xlsx   the same, one sheet per kind of record
audit       the audit log's entries about the person (changes, reveals of the data)
"""


def person_data(person) -> dict:
    """{"person": …, "generated_at": …, "records": {label: [rows]}, "audit": [entries]}."""
    records = {}
    for label, objs in sorted(related_records(person).items()):
        records[label] = [row(o) for _pk, o in sorted(objs.items())]
    return {
        "person_id": person.pk,
        "generated_at": timezone.now().isoformat(),
        "records": records,
        "audit": [audit_row(e) for e in audit_entries(person)],
    }


def counts(data: dict) -> dict[str, int]:
    """Rows per kind of record in an export (what the request's outcome records)."""
    out = {label: len(rows) for label, rows in data["records"].items()}
    out["auditlog.logentry"] = len(data["audit"])
    return out


def _title(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except LookupError:
        return label


def _cell(value) -> str | float | int | bool | None:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def workbook(data: dict) -> bytes:
    """One sheet per kind of record, a header row of column names; text is never read as a formula."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                      "strings_to_urls": False})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7"})
    sheets = dict(data["records"])
    sheets["auditlog.logentry"] = data["audit"]
    used = set()
    for label, rows in sheets.items():
        name = label.replace(".", "_")[:28]
        while name in used:
            name = name[:27] + "_"
        used.add(name)
        ws = wb.add_worksheet(name)
        columns = list(dict.fromkeys(k for r in rows for k in r))
        ws.write_string(0, 0, _title(label), bold)
        for c, col in enumerate(columns):
            ws.write_string(1, c, col, bold)
        for r, record in enumerate(rows, start=2):
            for c, col in enumerate(columns):
                value = _cell(record.get(col))
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                elif value is not None:
                    ws.write(r, c, value)
    wb.close()
    return buffer.getvalue()


def export_zip(person) -> tuple[bytes, dict]:
    """The zip (data.json, data.xlsx, README.txt) and the data it holds."""
    data = person_data(person)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("README.txt", README)
        z.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=1))
        z.writestr("data.xlsx", workbook(data))
    return buffer.getvalue(), data


def filename(person) -> str:
    """A download name that carries no personal data: the record's number and the date."""
    return _("个人信息副本") + f"-{person.pk}-{timezone.localdate():%Y%m%d}.zip"


def zip_response(content: bytes, name: str):
    """The copy as a download (staff and member pages and APIs alike): never cached."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response
