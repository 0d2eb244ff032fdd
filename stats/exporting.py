"""Indicator tables to .xlsx (XlsxWriter): one row per figure, one sheet per breakdown."""
from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from stats import labels
from stats.indicators import REGISTRY, Scope, records_url


def _num(value):
    return float(value) if value is not None and not isinstance(value, int | float) else value


def indicator_table(results, *, user, org, site: str = "") -> bytes:
    """The results as a workbook: key, title, value, a year before, change, unit, definition, link to rows."""
    buffer = io.BytesIO()
    # Names and labels come from users: text is never turned into a formula (formula injection).
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "bg_color": "#F2DCDB"})
    sheet = book.add_worksheet(_("指标"))
    headers = [_("指标代码"), _("指标"), _("数值"), _("上年同期"), _("同比（%）"), _("单位"), _("统计期"),
               _("定义"), _("明细")]
    sheet.write_row(0, 0, headers, bold)
    row = 1
    breakdowns = []
    for r in results:
        if isinstance(r.value, dict):
            breakdowns.append(r)
            continue
        sheet.write_row(row, 0, [r.key, r.title, _num(r.value), _num(r.previous), r.change, r.unit,
                                 f"{r.start}~{r.end}", r.description])
        if r.url:
            sheet.write_url(row, 8, site + r.url, string=_("查看明细"))
        row += 1
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 22)
    sheet.set_column(7, 7, 60)
    for r in breakdowns:
        indicator = REGISTRY[r.key]
        scope = Scope(user, org, r.start, r.end)
        ws = book.add_worksheet(r.title[:31])
        ws.write_row(0, 0, [pgettext("indicator table heading", "项目"), _("代码"), _("数值"), _("上年同期"), _("明细")], bold)
        previous = r.previous if isinstance(r.previous, dict) else {}
        for i, (code, value) in enumerate(r.value.items(), start=1):
            ws.write_row(i, 0, [labels.label(indicator, code), code, _num(value), _num(previous.get(code))])
            url = records_url(indicator, scope, code)
            if url:
                ws.write_url(i, 4, site + url, string=_("查看明细"))
        ws.write(len(r.value) + 2, 0, r.description)
        ws.set_column(0, 0, 24)
    book.close()
    return buffer.getvalue()
