"""Workbooks written for the user: the blank template of a sheet kind, and the annotated copy of an import."""
from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from core.importing.reader import Sheet
from core.importing.sheets import SheetKind

BAD = PatternFill("solid", fgColor="FFC7CE")
REQUIRED = PatternFill("solid", fgColor="FCE4D6")
HEAD = PatternFill("solid", fgColor="DDEBF7")
FULL_COPY_LIMIT = 200_000


def write_template(kind: SheetKind, out) -> None:
    """The blank sheet: headers (required ones marked), drop-down lists, and a sheet explaining each column."""
    wb = Workbook()
    ws = wb.active
    ws.title = str(kind.title)
    for i, col in enumerate(kind.columns, start=1):
        cell = ws.cell(row=1, column=i, value=str(col.header))
        cell.font = Font(bold=True)
        cell.fill = REQUIRED if col.required else HEAD
        ws.column_dimensions[cell.column_letter].width = max(12, len(str(col.header)) * 2 + 4)
        choices = getattr(col.normalize, "choices", None)
        if choices:
            formula = ",".join(str(label) for _v, label in choices)
            if len(formula) <= 250:
                dv = DataValidation(type="list", formula1=f'"{formula}"', allow_blank=True)
                dv.add(f"{cell.column_letter}2:{cell.column_letter}10000")
                ws.add_data_validation(dv)
        if col.field in {"id_number", "credit_code", "phone", "code", "org_code", "receipt_number"}:
            # Text cells, so that Excel keeps 18-digit numbers and leading zeros as typed.
            for row in range(2, 201):
                ws.cell(row=row, column=i).number_format = "@"
    ws.freeze_panes = "A2"
    help_ws = wb.create_sheet(_("填写说明"))
    help_ws.append([_("列名"), _("必填"), _("说明"), _("也可用的列名"), _("示例")])
    for cell in help_ws[1]:
        cell.font = Font(bold=True)
    for col in kind.columns:
        help_ws.append([str(col.header), _("是") if col.required else "", str(col.help), "、".join(col.aliases),
                        col.example])
    for letter, width in zip("ABCDE", (16, 6, 60, 40, 24), strict=True):
        help_ws.column_dimensions[letter].width = width
    help_ws.append([])
    help_ws.append([_("日期可写作 1985-03-05、1985/3/5、1985.3.5、1985年3月5日 或 19850305；全角数字和字母、多余空格会自动处理。")])
    help_ws.append([_("身份证号、统一社会信用代码相同的行会更新已登记的记录，而不是重复登记；留空的单元格不会清除已有信息。")])
    wb.save(out)


def write_annotated(path, filename: str, report, out) -> None:
    """A copy of the imported sheet with the rejected cells marked red, a note on each and an error column.

    Sheets above FULL_COPY_LIMIT rows keep only the header and the rejected rows (with their
    row numbers), so the copy stays quick to write and to open.
    """
    by_row: dict[int, list[dict]] = defaultdict(list)
    for r in report.rejected:
        by_row[r["row"]].append(r)
    sheet = Sheet(path, filename)
    full = sheet.total() <= FULL_COPY_LIMIT
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("导入结果"))
    width = 0
    for number, cells in sheet.rows():
        problems = by_row.get(number)
        if number == report.header_row:
            width = len(cells)
            head = [] if full else [_cell(ws, _("原行号"), bold=True)]
            ws.append(head + [_cell(ws, c, bold=True) for c in cells] + [_cell(ws, _("错误说明"), bold=True)])
            continue
        if not full and not problems:
            continue
        row = [_text(ws, c) for c in cells]
        row += [WriteOnlyCell(ws, value=None) for _i in range(width - len(cells))]
        if problems:
            for p in problems:
                i = report.columns.get(p["column"])
                if i is not None and i < len(row):
                    row[i].fill = BAD
                    row[i].comment = Comment(_xml_safe(p["message"]), "Shanghui")
            note = _text(ws, "；".join(f'{p["column"]}：{p["message"]}' for p in problems))
            note.fill = BAD
            row.append(note)
        ws.append(([] if full else [WriteOnlyCell(ws, value=number)]) + row)
    wb.save(out)


def _cell(ws, value, bold=False):
    cell = _text(ws, value)
    if bold:
        cell.font = Font(bold=True)
    return cell


def _text(ws, value) -> WriteOnlyCell:
    """A cell of the annotated copy: a text that looks like a formula (= + - @ …) stays text, quote-prefixed;
    control characters XML cannot hold become U+FFFD."""
    from core.exporting import formula_like

    value = _plain(value)
    cell = WriteOnlyCell(ws, value=_xml_safe(value) if isinstance(value, str) else value)
    if formula_like(cell.value):
        cell.data_type = "s"  # openpyxl would otherwise write "=…" as a formula
        cell.quotePrefix = True
    return cell


def _xml_safe(text: str) -> str:
    """Control characters a CSV may hold and XML may not, as U+FFFD."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def _plain(value):
    """Cell values openpyxl can write (calamine gives timedelta for bare times)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    import datetime as dt

    if isinstance(value, dt.date):
        return value
    return str(value)
