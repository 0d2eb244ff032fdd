"""Helpers of the import and export tests: write sheets, read workbooks back."""
from __future__ import annotations

import csv
import sqlite3
import time
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


def writer_holds_lock(db) -> bool:
    """Whether another connection holds the SQLite database's write lock (a write transaction is open)."""
    con = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as e:
        if "locked" not in str(e):
            raise
        return True
    finally:
        con.close()


def wait_until_writing(is_writing, process, timeout: float = 120) -> bool:
    """Wait until `is_writing()` has held for a whole second while `process` runs: an import is then inside
    its all-or-nothing transaction, seconds from its commit, whatever the speed of the machine. False if the
    process ended or the time ran out first."""
    held_since = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if is_writing():
            held_since = held_since or time.monotonic()
            if time.monotonic() - held_since >= 1:
                return True
        else:
            held_since = None
        time.sleep(0.05)
    return False
