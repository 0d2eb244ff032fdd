"""The fast paths of the export and the import write and read what the slow ones did.

No timings here (speed is measured by `manage.py bench`): these check that the export's
row writer produces the same cells as XlsxWriter's own write_*() calls, and that the
import's bulk search indexing, bounded rejection list and single sheet load keep behaviour.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

import pytest
import xlsxwriter

from core.exporting import FORMULA_PREFIXES, _RowWriter, formula_like

TRICKY = [
    "plain", "王小明", "=1+1", "+86 138", "-5", "@sum", "\uff1dA1", " leading", "trailing ", "a & b < c > d",
    'quote "x"', "ctrl\x01char", "_x0041_", "tab\tinside", "line\nbreak", "x" * 40000, "𠀀" * 20000, "",
]
VALUES = [
    *TRICKY, None, 0, 7, -3, 12345678901234567, 1.5, 0.1, True, False, dt.date(1985, 3, 5), dt.date(1900, 1, 15),
    dt.date(1900, 3, 1), dt.datetime(2024, 5, 6, 7, 8, 9), dt.datetime(2024, 5, 6, tzinfo=dt.UTC), Decimal("-12.50"),
]


def _old_write(ws, row, col, value):
    """The export's former per-cell path, kept here as the reference."""
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
        ws.write_string(row, col, str(value))


def _book(path, rows, fast: bool):
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "default_date_format": "yyyy-mm-dd",
                                         "strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet("t")
    bold = wb.add_format({"bold": True})
    ws.text_format = wb.add_format({"quote_prefix": True})
    width = max(len(r) for r in rows)
    for i in range(width):
        ws.write_string(0, i, f"h{i}", bold)
    if fast:
        writer = _RowWriter(wb, ws, width)
        for n, row in enumerate(rows, start=1):
            writer.write(n, row)
        writer.finish()
    else:
        # The reference touches the date format first, as the fast writer numbers it.
        for n, row in enumerate(rows, start=1):
            for i, value in enumerate(row):
                _old_write(ws, n, i, value)
    ws.freeze_panes(1, 0)
    wb.close()
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml"), z.read("xl/styles.xml")


def test_row_writer_writes_what_xlsxwriter_wrote(tmp_path):
    # A date first in the first row, as in a people sheet, so both number the styles alike.
    rows = [[dt.date(2000, 1, 1), *VALUES], list(reversed(VALUES)), [None, None, ""], [None, "=cmd|' /C calc'!A0"]]
    fast = _book(tmp_path / "fast.xlsx", rows, fast=True)
    slow = _book(tmp_path / "slow.xlsx", rows, fast=False)
    assert fast[1] == slow[1]
    assert fast[0] == slow[0]


def test_row_writer_reads_back(tmp_path):
    from python_calamine import CalamineWorkbook

    rows = [[v for v in TRICKY if len(v) < 100], [dt.date(1985, 3, 5), 3, True, "=2"]]
    _book(tmp_path / "f.xlsx", rows, fast=True)
    data = CalamineWorkbook.from_path(str(tmp_path / "f.xlsx")).get_sheet_by_index(0).to_python()
    assert [c for c in data[1] if c != ""] == [v for v in TRICKY if v and len(v) < 100]
    assert data[2][:4] == [dt.date(1985, 3, 5), 3, True, "=2"]
    assert data[3:] == []  # no row for the empty third row


def test_row_writer_refuses_nan(tmp_path):
    wb = xlsxwriter.Workbook(str(tmp_path / "n.xlsx"), {"constant_memory": True, "default_date_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet()
    ws.text_format = wb.add_format({"quote_prefix": True})
    with pytest.raises(TypeError):
        _RowWriter(wb, ws, 1).write(1, [float("nan")])
    wb.close()


def test_formula_prefixes_cover_full_width():
    assert formula_like("\uff0b1") and not formula_like("1+1") and "=" in FORMULA_PREFIXES


# ---- the import ---------------------------------------------------------------------------------------------

PEOPLE_HEAD = ["姓名", "类别", "身份证号", "手机", "居住国", "组织代码"]


def _people_rows(n, start=0):
    from tests import factories as f

    return [[f"测试{start + i}", "华侨", f.id_number(), "+39 333 123 4567" if i % 2 else "13812345678", "IT", ""]
            for i in range(n)]


def test_imported_people_are_found_by_search_and_updates_replace_their_entry(users, tree, tmp_path):
    from core import search
    from core.importing.pipeline import run_import
    from core.models import SearchEntry
    from registry.models import Person
    from tests.importing import write_xlsx

    rows = _people_rows(30)
    report = run_import("people", write_xlsx(tmp_path / "p.xlsx", [PEOPLE_HEAD, *rows]), by=users["hz_staff"],
                        org=tree["hz"], chunk_size=7)
    assert (report.created, report.rejected) == (30, [])
    assert SearchEntry.objects.filter(model="registry.person").count() == 30
    # The full-text index (SQLite's FTS5 table, filled once at the end) finds them.
    assert len(search.search_ids(Person.objects.all(), users["hz_staff"], "测试17")) >= 1
    rows[3][0] = "改名字"
    report = run_import("people", write_xlsx(tmp_path / "q.xlsx", [PEOPLE_HEAD, *rows]), by=users["hz_staff"],
                        org=tree["hz"])
    assert (report.created, report.updated, report.rejected) == (0, 30, [])
    assert SearchEntry.objects.filter(model="registry.person").count() == 30
    assert search.search_ids(Person.objects.all(), users["hz_staff"], "改名字") == [Person.objects.get(name="改名字").pk]
    assert search.search_ids(Person.objects.all(), users["hz_staff"], "测试3") != [
        Person.objects.get(name="改名字").pk]


def test_a_dry_run_leaves_the_search_index_working(users, tree, tmp_path):
    from core import search
    from core.importing.pipeline import run_import
    from registry.models import Person
    from tests.importing import write_xlsx

    path = write_xlsx(tmp_path / "p.xlsx", [PEOPLE_HEAD, *_people_rows(5)])
    report = run_import("people", path, by=users["hz_staff"], org=tree["hz"], dry_run=True)
    assert (report.created, Person.objects.count()) == (5, 0)
    # The insert trigger dropped for the bulk load is back: a person saved now is searchable.
    person = Person.objects.create(name="试运行后", category="华侨", org=tree["hz"])
    assert search.search_ids(Person.objects.all(), users["hz_staff"], "试运行后") == [person.pk]


def test_rejections_past_the_limit_are_counted_not_listed(users, tree, tmp_path, monkeypatch):
    from core.importing import pipeline
    from registry.models import Person
    from tests.importing import write_xlsx

    monkeypatch.setattr(pipeline, "MAX_REJECTED", 4)
    rows = _people_rows(12)
    for row in rows[:10]:
        row[2] = row[2][:2] + "**************" + row[2][-2:]  # a masked export read back
        row[3] = "138****5678"
    report = pipeline.run_import("people", write_xlsx(tmp_path / "p.xlsx", [PEOPLE_HEAD, *rows]),
                                 by=users["hz_staff"], org=tree["hz"], valid_only=True, chunk_size=3)
    assert len(report.rejected) == 4 and report.rejected_total == 20 and report.rejected_rows == 10
    assert report.as_dict()["rejected_unlisted"] == 16 and report.as_dict()["rejected_rows"] == 10
    assert report.created == 2 and Person.objects.count() == 2


def test_the_sheet_is_read_once(tmp_path, monkeypatch):
    from core.importing import reader, xlsx
    from tests.importing import FIXTURES, write_xlsx

    # An .xlsx is opened (its shared strings read) once; total() reads only the sheet's <dimension>.
    path = write_xlsx(tmp_path / "p.xlsx", [PEOPLE_HEAD, *_people_rows(3)])
    opens = []
    monkeypatch.setattr(xlsx.XlsxSheet, "_open", lambda self, f=xlsx.XlsxSheet._open: opens.append(1) or f(self))
    sheet = reader.Sheet(path)
    assert sheet.total() == 4 and len(list(sheet.rows())) == 4 and opens == [1]
    # python-calamine, which reads a whole sheet at once (.xls), reads it once.
    loads = []
    original = reader.Sheet._calamine_sheet
    monkeypatch.setattr(reader.Sheet, "_calamine_sheet", lambda self: loads.append(1) or original(self))
    sheet = reader.Sheet(FIXTURES / "people_messy.xls")
    assert sheet.total() == 13 and len(list(sheet.rows())) == 13 and loads == [1]


def test_rows_and_columns_are_numbered_as_the_user_sees_them(users, tree, tmp_path):
    """A sheet whose table starts at C3 (two empty rows, two empty columns): row 5 is row 5."""
    from core.importing.pipeline import run_import
    from core.importing.reader import Sheet
    from tests.importing import write_xlsx

    rows = [[], [], ["", "", *PEOPLE_HEAD], ["", "", *_people_rows(1)[0]], ["", "", "王二", "不是类别", "", "", "IT", ""]]
    path = write_xlsx(tmp_path / "p.xlsx", rows)
    sheet = Sheet(path)
    read = list(sheet.rows())
    assert sheet.total() == 5 and [n for n, _c in read] == [1, 2, 3, 4, 5]
    assert read[2][1][2:4] == ["姓名", "类别"] and read[4][1][2] == "王二"
    report = run_import("people", path, by=users["hz_staff"], org=tree["hz"], dry_run=True)
    assert report.header_row == 3 and [(r["row"], r["column"]) for r in report.rejected] == [(5, "类别")]
    assert report.columns["类别"] == 3
