"""A large sheet is read and normalised by a second process (core.importing.cleaning): same report, same records."""
import dataclasses
import datetime as dt
import gc
import multiprocessing
import os
import signal

import pytest

from core import search
from core.importing import cleaning, sheets
from core.importing.pipeline import run_import
from core.importing.reader import UnreadableSheet
from core.models import SearchEntry
from core.validators import make_id_number
from registry.models import Person
from tests.importing import FIXTURES, write_csv

HEAD = ["姓名", "类别", "身份证号", "手机", "居住国", "外文名"]


@pytest.fixture
def in_child(monkeypatch):
    """Every sheet read by a child process, however small; the list records each time one was."""
    calls = []
    real = cleaning._in_child

    def spy(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(cleaning, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(cleaning, "_in_child", spy)
    return calls


def people_rows(n: int) -> list[list]:
    """n valid people, distinct ID numbers, half of them abroad."""
    base = dt.date(1960, 1, 1)
    return [[f"王{i}", "华侨", make_id_number("330782", base + dt.timedelta(days=i), 1),
             "+39 333 1234567" if i % 2 else "13812345678", "意大利", f"Wang {i}"] for i in range(n)]


def test_messy_sheet_gives_the_same_report_and_records_from_a_second_process(users, tree, in_child, monkeypatch):
    monkeypatch.setattr(cleaning, "PARALLEL_ROWS", 10**9)
    here_report = run_import("people", FIXTURES / "people_messy.xlsx", by=users["hz_staff"], org=tree["hz"],
                             dry_run=True)
    assert not in_child

    monkeypatch.setattr(cleaning, "PARALLEL_ROWS", 0)
    report = run_import("people", FIXTURES / "people_messy.xlsx", by=users["hz_staff"], org=tree["hz"],
                        valid_only=True)
    assert len(in_child) == 1
    assert report.rejected == here_report.rejected and (report.rows, report.created) == (10, 4)
    wang = Person.objects.get(name="王小明")
    assert (wang.id_number, wang.phone, wang.country, wang.birth_date) == (
        "33078219850305009X", "+393331234567", "IT", dt.date(1985, 3, 5))
    # The names' search tokens were worked out by the child: the entries are what indexing here writes.
    entry = search.REGISTRY["registry.person"]
    for person in Person.objects.all():
        stored = SearchEntry.objects.get(model="registry.person", object_id=person.pk).tokens
        assert stored == search.document(person, entry)
    assert [p.name for p in search.search(Person.objects.all(), users["hz_staff"], "wangxiaoming")] == ["王小明"]


def test_a_sheet_unreadable_half_way_raises_in_the_importing_process(users, tree, tmp_path, in_child):
    path = write_csv(tmp_path / "p.csv", [HEAD, *people_rows(30_000)])
    with open(path, "ab") as out:
        out.write("陈静,华侨,,13812345678,意大利,\n".encode("gb18030"))  # not UTF-8, 1.8 MB into a UTF-8 file
    with pytest.raises(UnreadableSheet, match="编码"):
        run_import("people", path, by=users["hz_staff"], org=tree["hz"])
    assert in_child and not multiprocessing.active_children()
    assert not Person.objects.exists()


def test_a_reading_process_killed_half_way_fails_the_import_clearly(users, tree, tmp_path, in_child, monkeypatch):
    rows = people_rows(5000)
    rows[3000][4] = "KILL"

    def country_or_die(value):
        if value == "KILL":
            os.kill(os.getpid(), signal.SIGKILL)  # the child's own pid: the fork copied this function
        return sheets.normalize.country(value)

    kind = sheets.get("people")
    columns = [dataclasses.replace(c, normalize=country_or_die) if c.field == "country" else c for c in kind.columns]
    monkeypatch.setattr(type(kind), "columns", columns)
    path = write_csv(tmp_path / "p.csv", [HEAD, *rows])
    with pytest.raises(cleaning.ReaderFailed, match="未写入任何数据"):
        run_import("people", path, by=users["hz_staff"], org=tree["hz"])
    assert not multiprocessing.active_children()
    assert not Person.objects.exists() and not SearchEntry.objects.filter(model="registry.person").exists()


def test_a_cancelled_import_ends_its_reading_process(users, tree, tmp_path, in_child):
    gc.unfreeze()  # nothing frozen before: the import freezes the heap for its fork, and gives it back after
    path = write_csv(tmp_path / "p.csv", [HEAD, *people_rows(5000)])
    calls = []

    class Cancelled(Exception):
        pass

    def progress(done, total=None, final=False):
        calls.append(done)
        if done:
            raise Cancelled

    with pytest.raises(Cancelled):
        run_import("people", path, by=users["hz_staff"], org=tree["hz"], progress=progress)
    assert calls == [0, 2000]
    assert in_child and not multiprocessing.active_children()
    assert gc.get_freeze_count() == 0
    assert not Person.objects.exists()
