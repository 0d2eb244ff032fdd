"""Reading sheets row by row: .xlsx streamed by core.importing.xlsx, .xls, .xlsb and .ods with python-calamine,
.csv in UTF-8 or GB18030."""
from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

XLSX_SUFFIXES = {".xlsx", ".xlsm"}
EXCEL_SUFFIXES = XLSX_SUFFIXES | {".xls", ".xlsb", ".ods"}
SUFFIXES = EXCEL_SUFFIXES | {".csv", ".txt"}


class UnreadableSheet(ValueError):
    """The file is not a sheet we can read (wrong type, damaged, unknown encoding)."""


def csv_encoding(path: str | os.PathLike) -> str:
    """UTF-8 (with or without BOM) when the start of the file decodes as UTF-8, else GB18030."""
    with open(path, "rb") as f:
        head = f.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


class Sheet:
    """The first worksheet of a file: `rows()` yields (row number, cells), numbered as the user sees them."""

    def __init__(self, path: str | os.PathLike, name: str | None = None):
        self.path = Path(path)
        self.suffix = Path(name or self.path.name).suffix.lower()
        if self.suffix not in SUFFIXES:
            raise UnreadableSheet(_("不支持的文件类型“%(s)s”，请上传 .xlsx、.xls 或 .csv 文件。") % {"s": self.suffix})

    def total(self) -> int:
        """How many rows the file has (the header included), for the progress bar."""
        xlsx = self._xlsx()
        if xlsx is not None:
            return xlsx.total()
        if self.suffix in EXCEL_SUFFIXES:
            # Kept for rows(): python-calamine reads a whole sheet at once, so it is read once, not twice.
            sheet = self._loaded = self._calamine_sheet()
            return sheet.end[0] + 1 if sheet.end else 0
        with open(self.path, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))

    def _xlsx(self):
        """The streaming reader of an .xlsx (opened once, kept for rows()); None for other files.

        An .xlsx that is not a zip (an old .xls renamed, as happens) goes to python-calamine, which
        reads it by its content or says why it cannot.
        """
        if self.suffix not in XLSX_SUFFIXES:
            return None
        if "_xlsx_sheet" not in self.__dict__:
            from core.importing.xlsx import XlsxError, XlsxSheet

            try:
                self._xlsx_sheet = XlsxSheet(self.path) if zipfile.is_zipfile(self.path) else None
            except XlsxError as e:
                raise UnreadableSheet(_("无法读取表格文件：%(e)s") % {"e": e}) from e
        return self._xlsx_sheet

    def _calamine_sheet(self):
        from python_calamine import CalamineWorkbook

        try:
            return CalamineWorkbook.from_path(str(self.path)).get_sheet_by_index(0)
        except Exception as e:  # calamine raises its own error types for damaged or mislabelled files
            raise UnreadableSheet(_("无法读取表格文件：%(e)s") % {"e": e}) from e

    def rows(self) -> Iterator[tuple[int, list]]:
        """Stream the rows: (1-based row number, list of cell values)."""
        xlsx = self._xlsx()
        if xlsx is not None:
            from core.importing.xlsx import XlsxError

            try:
                yield from enumerate(xlsx.rows(), start=1)
            except XlsxError as e:
                raise UnreadableSheet(_("无法读取表格文件：%(e)s") % {"e": e}) from e
            return
        if self.suffix in EXCEL_SUFFIXES:
            sheet = self.__dict__.pop("_loaded", None) or self._calamine_sheet()
            # python-calamine's iter_rows() starts at the sheet's first row (leading empty rows come as empty
            # lists) but at the first used column: empty leading columns are put back, so that row numbers
            # and column positions are the ones the user sees (tests/test_io_speed.py pins this).
            pad = [""] * (sheet.start[1] if sheet.start else 0)
            for number, row in enumerate(sheet.iter_rows(), start=1):
                yield number, (pad + row) if pad else row
            return
        encoding = csv_encoding(self.path)
        with open(self.path, "rb") as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, newline="")
            try:
                sample = text.readline()
            except UnicodeDecodeError as e:
                raise UnreadableSheet(_("无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV。")) from e
            delimiter = "\t" if "\t" in sample and "," not in sample else ","
            lines = _chain([sample], text)
            try:
                for number, row in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
                    yield number, row
            except UnicodeDecodeError as e:
                raise UnreadableSheet(_("无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV。")) from e


def _chain(first, rest):
    yield from first
    yield from rest
