"""The streaming .xlsx reader gives the cells python-calamine gives, row by row, without keeping the sheet."""
from __future__ import annotations

import datetime as dt
import io
import tracemalloc
import zipfile

import openpyxl
import pytest
import xlsxwriter
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from python_calamine import CalamineWorkbook

from core.importing.reader import Sheet, UnreadableSheet
from core.importing.xlsx import DATE, DURATION, SharedStrings, XlsxSheet, number_format_kind
from tests.importing import FIXTURES


def calamine_rows(path) -> list[list]:
    """The rows as python-calamine reads them, leading empty columns put back (as the reader did before)."""
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    pad = [""] * (sheet.start[1] if sheet.start else 0)
    return [pad + row for row in sheet.iter_rows()]


def streamed_rows(path) -> list[list]:
    return [cells for _n, cells in Sheet(path).rows()]


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.xlsx")), ids=lambda p: p.name)
def test_committed_sheets_read_as_python_calamine_reads_them(path):
    sheet = Sheet(path)
    assert streamed_rows(path) == calamine_rows(path)
    assert sheet.total() == len(calamine_rows(path))


TYPED_ROWS = [
    ["姓名", "出生日期", "登记时间", "时刻", "人数", "比例", "是否新侨", "备注", "时长"],
    ["王小明", dt.date(1985, 3, 5), dt.datetime(2024, 5, 6, 7, 8, 9), dt.time(13, 30), 3, 0.25, True, "a & b < c",
     dt.timedelta(hours=30, minutes=5)],
    ["陈静", dt.date(1900, 1, 1), dt.datetime(1900, 2, 28, 12, 0), dt.time(0, 0, 1), -2.5, 1e20, False, "  两端空格  ",
     dt.timedelta(0)],
    [None, None, None, None, None, None, None, None, None],
    ["第一行\n第二行", dt.date(2099, 12, 31), dt.datetime(1985, 3, 5), dt.time(23, 59, 59), 0, 123456789012345678, None,
     "=1+1 不是公式", None],
]


def _openpyxl_book(path, rows, offset_rows=0, offset_cols=0):
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, row in enumerate(rows, start=1 + offset_rows):
        for j, value in enumerate(row, start=1 + offset_cols):
            if value is None:
                continue
            cell = ws.cell(row=i, column=j, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
    wb.save(path)
    return path


def _xlsxwriter_book(path, rows):
    wb = xlsxwriter.Workbook(str(path))  # not constant_memory: shared strings, as Excel and WPS write them
    ws = wb.add_worksheet()
    formats = {dt.datetime: wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
               dt.date: wb.add_format({"num_format": 'yyyy"年"m"月"d"日"'}),
               dt.time: wb.add_format({"num_format": 21}), dt.timedelta: wb.add_format({"num_format": "[h]:mm:ss"})}
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if isinstance(value, str):
                ws.write_string(i, j, value)
            elif value is not None:
                ws.write(i, j, value, formats.get(type(value)))
    wb.close()
    return path


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_strings_dates_numbers_and_booleans_as_python_calamine_reads_them(tmp_path, writer):
    # openpyxl 3.1 writes inline strings; XlsxWriter (like Excel and WPS) shared strings.
    path = tmp_path / "typed.xlsx"
    path = _openpyxl_book(path, TYPED_ROWS) if writer == "openpyxl" else _xlsxwriter_book(path, TYPED_ROWS)
    with zipfile.ZipFile(path) as z:
        assert ("xl/sharedStrings.xml" in z.namelist()) == (writer == "xlsxwriter")
    rows = streamed_rows(path)
    assert rows == calamine_rows(path)
    assert rows[1][:7] == ["王小明", dt.date(1985, 3, 5), dt.datetime(2024, 5, 6, 7, 8, 9), dt.time(13, 30), 3.0, 0.25,
                           True]
    assert rows[1][8] == dt.timedelta(hours=30, minutes=5) and rows[2][1:4] == [
        dt.date(1900, 1, 1), dt.datetime(1900, 2, 28, 12, 0), dt.time(0, 0, 1)]
    assert rows[3] == [""] * 9 and rows[4][4] == 0.0 and rows[4][7] == "=1+1 不是公式"


def test_inline_strings_rich_text_formulas_and_errors_as_python_calamine_reads_them(tmp_path):
    # XlsxWriter's constant_memory mode writes inline strings (Excel and WPS write shared ones).
    path = tmp_path / "inline.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("名单")
    bold = wb.add_format({"bold": True})
    dates = {fmt: wb.add_format({"num_format": fmt}) for fmt in
             ["yyyy\"年\"m\"月\"d\"日\"", "yyyy-mm-dd hh:mm", "[h]:mm:ss", "0.00%", "@", "mm:ss", "m/d/yy"]}
    ws.write_row(0, 2, ["姓名", "出生日期", "备注"])
    ws.write_string(1, 2, "王小明")
    ws.write_number(1, 3, 31111, dates["yyyy\"年\"m\"月\"d\"日\""])
    ws.write_rich_string(1, 4, "红色", bold, "加粗", "普通")
    ws.write_boolean(1, 5, False)
    ws.write_formula(1, 6, '="公式"&"结果"', None, "公式结果")
    ws.write_formula(1, 7, "=1/0", None, "#DIV/0!")
    ws.write_formula(1, 8, "=NA()", None, "#N/A")
    ws.write_number(3, 3, 31111.75, dates["yyyy-mm-dd hh:mm"])
    ws.write_number(3, 4, 1.5, dates["[h]:mm:ss"])
    ws.write_number(3, 5, 0.5, dates["0.00%"])
    ws.write_number(3, 6, 5, dates["@"])
    ws.write_number(3, 7, 0.01, dates["mm:ss"])
    ws.write_number(3, 8, 45000, dates["m/d/yy"])
    ws.write_string(5, 10, "最后一格")
    # Plain inline strings are read by the fast pattern; with a style, spaces to keep or entities too.
    ws.write_string(5, 0, " 前后空格 ", bold)
    ws.write_string(5, 1, "A&B <c>")
    ws.write_string(5, 2, "陈静", bold)
    wb.close()
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
        assert b't="inlineStr"' in sheet and b"<r>" in sheet and "xl/sharedStrings.xml" not in z.namelist()
        assert b'xml:space="preserve"> ' in sheet and b"&amp;" in sheet
    rows = streamed_rows(path)
    assert rows == calamine_rows(path)
    assert rows[0][:5] == ["", "", "姓名", "出生日期", "备注"] and rows[1][2:9] == ["王小明", dt.date(1985, 3, 5), "红色加粗普通", False, "公式结果", "", ""]
    assert rows[3][3:9] == [dt.datetime(1985, 3, 5, 18, 0), dt.timedelta(days=1.5), 0.5, 5.0, dt.time(0, 14, 24),
                            dt.date(2023, 3, 15)]
    assert rows[5][10] == "最后一格" and len(rows) == 6 and {len(r) for r in rows} == {11}
    assert rows[5][:3] == [" 前后空格 ", "A&B <c>", "陈静"]


def test_the_1904_date_system(tmp_path):
    path = tmp_path / "mac.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"date_1904": True, "default_date_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet()
    ws.write_datetime(0, 0, dt.date(1985, 3, 5))
    ws.write_datetime(0, 1, dt.datetime(2024, 1, 2, 3, 4, 5))
    wb.close()
    assert streamed_rows(path) == calamine_rows(path) == [[dt.date(1985, 3, 5), dt.datetime(2024, 1, 2, 3, 4, 5)]]


def test_rich_text_in_shared_strings(tmp_path):
    path = tmp_path / "rich.xlsx"
    wb = openpyxl.Workbook()
    wb.active["B2"] = CellRichText(["王", TextBlock(InlineFont(b=True), "小明"), " 华侨"])
    wb.active["B3"] = "普通"
    wb.save(path)
    assert streamed_rows(path) == calamine_rows(path) == [["", ""], ["", "王小明 华侨"], ["", "普通"]]


def test_gaps_leading_rows_and_columns_keep_the_positions_the_user_sees(tmp_path):
    rows = [["姓名", None, "类别"], [], [], ["王二", None, "华侨"], [None, None, None, None, None, "远处"]]
    path = _openpyxl_book(tmp_path / "gaps.xlsx", rows, offset_rows=2, offset_cols=3)
    read = list(Sheet(path).rows())
    assert [cells for _n, cells in read] == calamine_rows(path)
    assert [n for n, _c in read] == [1, 2, 3, 4, 5, 6, 7]
    assert read[2][1][3:6] == ["姓名", "", "类别"] and read[5][1][3] == "王二" and read[6][1][8] == "远处"
    assert Sheet(path).total() == 7


# ---- sheets as other writers lay them out -------------------------------------------------------------

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _handmade(path, sheet_data: str, shared: str = "", dimension: str = "") -> str:
    """A workbook whose first sheet is xl/worksheets/data.xml (named second in the zip), as some writers do."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument'
                   '.spreadsheetml.sheet.main+xml"/></Types>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                   f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{NS}" xmlns:r="{R_NS}"><sheets>'
                   '<sheet name="名单" sheetId="2" r:id="rId5"/><sheet name="说明" sheetId="1" r:id="rId4"/>'
                   '</sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG}">'
                   f'<Relationship Id="rId4" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId5" Type="{rel}/worksheet" Target="/xl/worksheets/data.xml"/>'
                   f'<Relationship Id="rId6" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
                   '<is><t>说明页，不是名单</t></is></c></row></sheetData></worksheet>')
        z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{NS}">{shared}</sst>')
        z.writestr("xl/worksheets/data.xml", f'<worksheet xmlns="{NS}">{dimension}<sheetData>{sheet_data}</sheetData>'
                   '</worksheet>')
    return path


def test_the_first_sheet_is_found_through_the_workbook_and_phonetic_runs_are_left_out(tmp_path):
    shared = ('<si><t>王小明</t></si><si><r><t>陈</t></r><r><rPr><b/></rPr><t xml:space="preserve">静 </t></r>'
              '<rPh sb="0" eb="1"><t>チン</t></rPh></si><si><t/></si>')
    # Cells without r attributes follow the previous one; a row without r follows the previous row.
    data = ('<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c r="E1" t="s"><v>2</v></c><c><v>7</v></c></row>'
            '<row><c r="B2"><v>1.5</v></c></row><row r="4"><c r="A4" s="0"/></row><row r="5"/>')
    path = _handmade(tmp_path / "book.xlsx", data, shared)
    assert streamed_rows(path) == calamine_rows(path) == [
        ["王小明", "陈静 ", "", "", "", 7.0], ["", 1.5, "", "", "", ""]]


def test_total_comes_from_the_dimension_or_from_counting(tmp_path):
    data = '<row r="2"><c r="B2"><v>1</v></c></row><row r="9"><c r="C9"><v>2</v></c></row>'
    counted = Sheet(_handmade(tmp_path / "counted.xlsx", data))
    stated = Sheet(_handmade(tmp_path / "stated.xlsx", data, dimension='<dimension ref="B2:C9"/>'))
    one_cell = Sheet(_handmade(tmp_path / "one.xlsx", data, dimension='<dimension ref="A1"/>'))
    assert counted.total() == stated.total() == one_cell.total() == 9
    assert XlsxSheet(stated.path).dimension() == (9, 3) and XlsxSheet(one_cell.path).dimension() is None
    assert [c for _n, c in stated.rows()] == calamine_rows(stated.path)


def test_damaged_workbooks_are_unreadable_with_a_message(tmp_path):
    whole = _handmade(tmp_path / "whole.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>')
    bad_xml = tmp_path / "cut.xlsx"  # the sheet's XML cut short, as a writer that died leaves it
    with zipfile.ZipFile(whole) as src, zipfile.ZipFile(bad_xml, "w") as out:
        for name in src.namelist():
            data = src.read(name)
            out.writestr(name, data[:data.index(b"<row r=\"2\"")] if name.endswith("data.xml") else data)
    with pytest.raises(UnreadableSheet, match="无法读取表格文件"):
        list(Sheet(bad_xml).rows())
    bad_index = _handmade(tmp_path / "index.xlsx", '<row r="1"><c r="A1" t="s"><v>3</v></c></row>')
    with pytest.raises(UnreadableSheet):
        list(Sheet(bad_index).rows())
    no_sheet = tmp_path / "empty.xlsx"
    with zipfile.ZipFile(no_sheet, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(UnreadableSheet):
        Sheet(no_sheet).total()


def test_an_old_xls_named_xlsx_is_unreadable_with_a_message(tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_bytes((FIXTURES / "people_messy.xls").read_bytes())
    with pytest.raises(UnreadableSheet, match="无法读取表格文件"):
        Sheet(path).total()


def test_number_formats_are_dates_as_python_calamine_decides():
    for code in ["yyyy-mm-dd", 'yyyy"年"m"月"d"日"', "h:mm AM/PM", "m/d/yy;@", "[Red]yyyy"]:
        assert number_format_kind(code) == DATE, code
    for code in ["[h]:mm:ss", "[mm]:ss", "[ss].000"]:
        assert number_format_kind(code) == DURATION, code
    for code in ["0.00%", "@", "General", '"年"0', "#,##0_);[Red](#,##0)", "0.00\\m", "[>=100][Magenta].00"]:
        assert number_format_kind(code) == 0, code


# ---- memory ---------------------------------------------------------------------------------------------


def test_shared_strings_are_one_buffer_not_a_list_of_strings():
    source = io.BytesIO(f'<sst xmlns="{NS}">{"".join(f"<si><t>姓名{i}</t></si>" for i in range(1000))}</sst>'.encode())
    strings = SharedStrings(source)
    assert len(strings) == 1000 and strings[0] == "姓名0" and strings[999] == "姓名999"
    assert isinstance(strings.data, bytearray) and strings.offsets.itemsize == 4


def test_many_shared_strings_wait_in_a_temporary_file(tmp_path, monkeypatch):
    from core.importing import xlsx

    monkeypatch.setattr(xlsx, "SPILL", 1000)
    monkeypatch.setattr(xlsx, "CHUNK", 4096)
    texts = [f"姓名{i} &amp; <b>" if i % 7 else f"{i}" for i in range(3000)]
    xml = "".join(f"<si><t>{t}</t></si>" if "<b>" not in t else f"<si><r><t>{t.replace('<b>', '')}</t></r></si>"
                  for t in texts)
    strings = SharedStrings(io.BytesIO(f'<sst xmlns="{NS}">{xml}</sst>'.encode()))
    assert strings._file is not None and len(strings.data) == 0
    assert [strings[i] for i in range(3000)] == [t.replace("&amp;", "&").replace("<b>", "") for t in texts]
    path = _xlsxwriter_book(tmp_path / "spilled.xlsx", [[f"身份证{i}", f"地址{i}"] for i in range(3000)])
    assert streamed_rows(path) == calamine_rows(path)


def _peak_while_reading(path) -> int:
    sheet = Sheet(path)
    tracemalloc.start()
    count = sum(1 for _row in sheet.rows())
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count, peak


def test_rows_are_streamed_not_kept(tmp_path, monkeypatch):
    from core.importing import xlsx

    monkeypatch.setattr(xlsx, "CHUNK", 1 << 16)  # the XML is read in chunks of 64 KB instead of 1 MB
    peaks = {}
    for rows in (5_000, 20_000):
        path = tmp_path / f"{rows}.xlsx"
        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        ws = wb.add_worksheet()
        for i in range(rows):
            ws.write_row(i, 0, [f"姓名{i}", "华侨", f"3307821985{i:08d}", f"138{i:08d}", "IT", i])
        wb.close()
        count, peaks[rows] = _peak_while_reading(path)
        assert count == rows
    # Kept, 15,000 more rows would take about 8 MB (six cells of 60-80 bytes and a list each); streamed,
    # what is alive at once is a chunk of the XML, its cells and one row, whatever the length of the sheet.
    assert peaks[20_000] < peaks[5_000] + 1_000_000, peaks
    assert peaks[20_000] < 3_000_000, peaks


# ---- the import's memory besides the reader -------------------------------------------------------------


def test_duplicate_keys_inside_a_file_are_told_exactly_in_little_memory():
    from core.importing.pipeline import SeenKeys

    seen = SeenKeys(size=8)
    first = {}
    keys = [f"3307821985{i:08d}" for i in range(5000)] + [(7, "33078219850305009X"), (7, "X"), dt.date(2024, 1, 1)]
    keys += [-1, -2]  # equal hashes in CPython: a collision, not a duplicate
    for row, key in enumerate(keys * 2, start=1):
        assert seen.add(key, row) == first.get(key)
        first.setdefault(key, row)
    assert len(seen) == len(keys) and seen.add(-2, 99_999) == len(keys)
