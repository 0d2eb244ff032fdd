"""Helpers of the import and export tests: write sheets, read workbooks back."""
from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook, load_workbook

FIXTURES = Path(__file__).parent / "fixtures"


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    """A CSV file in the given encoding (utf-8, utf-8-sig, gb18030)."""
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    """An .xlsx written by openpyxl."""
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def read_xlsx(path) -> list[list]:
    """Every row of the first sheet of an .xlsx, as values."""
    ws = load_workbook(path, read_only=True).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]
