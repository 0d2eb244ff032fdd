"""The import benchmark (`manage.py bench`, its "io" part): a sheet of new people, and its reference.

The issue asks for import rows/s "beside a bare bulk insert of the same rows". The reference reads
the same sheet with python-calamine and inserts its cells as they stand into the person table (the
same table, with the same indexes), in a transaction that is rolled back: no normalising, no
validation, no matching, no encryption; then, timed apart, a search entry for each row holding its
names as they stand (no tokenising), since the import keeps the search index current. What the
import costs beyond that is Shanghui's own work. On PostgreSQL the server's CPU is measured too
(`Watch`, from /proc, when the server runs on this machine): its index upkeep shares the same cores.
"""
from __future__ import annotations

import datetime as dt
import os
import random
import resource
import time
from pathlib import Path

from django.db import connection, transaction

from core.validators import make_id_number

# A county's sheet: names drawn from common surnames and given-name characters (161,088 distinct
# two- and three-character names), two people in three abroad with a phone of their country.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志海燕晓东文斌辉玉兰红梅飞鹏宇浩"
# Country, a mobile number's pattern, and the range of its operator digits (all valid numbers there).
ABROAD = (("意大利", "+39 3{:02d} {:07d}", (20, 50)), ("西班牙", "+34 6{:02d} {:06d}", (20, 50)),
          ("法国", "+33 6 {:02d} {:06d}", (10, 30)))
REGION = "110101"  # no demo person is born here: every ID number of the sheet is new to the registry


def _pinyin(chars: str) -> dict[str, str]:
    from pypinyin import lazy_pinyin

    return {c: lazy_pinyin(c)[0].capitalize() for c in chars}


def people_rows(count: int, seed: int = 7, region: str = REGION):
    """`count` rows of new people (header first): valid ID numbers that agree with birth date and gender,
    each of them born in `region` (sheets of different regions share no ID number)."""
    rng = random.Random(seed)
    spell = _pinyin(SURNAMES + GIVEN)
    yield ["姓名", "外文名", "类别", "性别", "出生日期", "身份证号", "手机", "居住国", "祖籍地", "地址"]
    start = dt.date(1950, 1, 1)
    for i in range(count):
        surname = rng.choice(SURNAMES)
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        male = i % 2
        born = start + dt.timedelta(days=i // 500)
        id_number = make_id_number(region, born, (i % 500) * 2 + male)
        if i % 3:
            country, pattern, operators = ABROAD[i % len(ABROAD)]
            phone = pattern.format(rng.randrange(*operators), rng.randrange(10 ** 6))
            foreign = "".join(spell[c] for c in given).capitalize() + " " + spell[surname]
            category = "华侨"
        else:
            country, phone, foreign, category = "", f"138{rng.randrange(10 ** 8):08d}", "", "侨眷"
        yield [surname + given, foreign, category, "男" if male else "女", born.isoformat(), id_number, phone,
               country, "浙江省金华市义乌市", f"稠城街道{rng.randrange(1, 400)}号"]


def write_people_sheet(path: Path, count: int, seed: int = 7, region: str = REGION) -> None:
    """Write the sheet of `count` new people as .xlsx (XlsxWriter's constant-memory mode, as our exports)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("人员")
    for r, row in enumerate(people_rows(count, seed, region)):
        sheet.write_row(r, 0, row)
    book.close()


def _postgres_local() -> bool:
    return connection.vendor == "postgresql" and connection.settings_dict.get("HOST") in ("127.0.0.1", "localhost", "")


def processes() -> dict[int, tuple[int, bytes, int]]:
    """Every process of this machine: pid → (parent pid, its command line's first 256 bytes with spaces
    between the arguments, CPU ticks of user and system time)."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                command = f.read(256).replace(b"\0", b" ")
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        found[int(name)] = (int(fields[1]), command, int(fields[11]) + int(fields[12]))
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


FAMILIES = ("granian", "worker", "locust", "postgres")


def family(command: bytes) -> str:
    """Which family a command line (as `processes()` gives it) belongs to; `other` for the rest."""
    if command.startswith(b"postgres"):
        return "postgres"
    for name, mark in (("granian", b"granian"), ("worker", b"manage.py worker"), ("locust", b"locust")):
        if mark in command:
            return name
    return "other"


class CpuByFamily:
    """CPU seconds of every process of the machine since this was made, summed by family (`family()`).

    `poll()` notes each process's ticks so far; a process that ends keeps what was last seen, so the
    backends of closed connections count if they lived through one poll.
    """

    def __init__(self):
        found = processes()
        self.first = {pid: ticks for pid, (_parent, _command, ticks) in found.items()}
        self.last: dict[int, int] = {}
        self.families: dict[int, str] = {}
        self.poll(found)

    def poll(self, found: dict | None = None) -> None:
        """Note every process's CPU ticks so far (`found`: a `processes()` already read)."""
        for pid, (_parent, command, ticks) in (found if found is not None else processes()).items():
            self.last[pid] = ticks
            self.families[pid] = family(command)  # as last seen: a child polled between fork and exec changes

    def seconds(self) -> dict[str, float]:
        """CPU seconds by family, every family named (0 when none of its processes ran)."""
        used = dict.fromkeys((*FAMILIES, "other"), 0.0)
        clock = os.sysconf("SC_CLK_TCK")
        for pid, ticks in self.last.items():
            used[self.families[pid]] += (ticks - self.first.get(pid, 0)) / clock
        return used


class Watch:
    """While a benchmarked process runs: the peak memory of its process tree, and the database server's CPU.

    Memory is the proportional set size (PSS) of the process and its children, summed: a forked
    reading process shares pages with its parent, which the sum of RSS would count twice. The
    resource usage that wait4 returns will not do: its peak RSS is inherited through fork from this
    benchmark process, which holds the whole demo dataset when it has just built it. The server's
    CPU is that of every PostgreSQL process of this machine, including the backends that end with
    the benchmarked process (seen every quarter second until they do); None on SQLite, whose work is
    inside the benchmarked process's own CPU.
    """

    def __init__(self, pid: int | None = None, interval: float = 0.25):
        import threading

        self.pid, self.interval, self.peak_kib = pid, interval, 0
        self.server = _postgres_local()
        self._cpu = CpuByFamily() if self.server else None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._poll()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._poll()

    def _poll(self) -> None:
        found = processes()
        if self.pid is not None:
            tree, grown = {self.pid}, True
            while grown:
                more = {p for p, (parent, _c, _t) in found.items() if parent in tree} - tree
                tree |= more
                grown = bool(more)
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(p) for p in tree if p in found))
        if self._cpu is not None:
            self._cpu.poll(found)

    @property
    def peak_mb(self) -> int:
        """Peak PSS of the watched process tree, in MB."""
        return round(self.peak_kib / 1024)

    @property
    def server_cpu_seconds(self) -> float | None:
        """CPU seconds the database server used while watched; None on SQLite."""
        if self._cpu is None:
            return None
        return round(self._cpu.seconds()["postgres"], 1)


def cpu_seconds() -> float:
    """CPU time of this process (user + system): a step's cost apart from other load on the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Rollback(Exception):
    pass


def bare_insert(path: Path, org_id: int) -> dict:
    """Read the sheet with python-calamine, then insert its cells as they stand into the person table, rolled back.

    The sheet's headers name the columns (姓名 → name, …, matched as the import matches them);
    every other column takes the value a new Person has. The ID number goes in as it stands, and its
    lookup hash stays empty: a bare insert knows nothing of encryption. Coded columns (类别, 性别, 居住国,
    祖籍地) hold their codes, worked out once per distinct cell before the insert is timed.
    """
    from python_calamine import CalamineWorkbook

    from core import search
    from core.importing import sheets
    from registry.models import Person

    started, cpu = time.perf_counter(), cpu_seconds()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    read_s, read_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    header, rows = rows[0], rows[1:]
    kind = sheets.get("people")
    # Headers matched as the import matches them (`Column.names`, reduced by `header_key`).
    names = {name: column.field for column in kind.columns for name in column.names}
    by_header = {h: names[sheets.header_key(h)] for h in header if sheets.header_key(h) in names}
    meta = Person._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    template = Person(org_id=org_id)
    now = dt.datetime.now(dt.UTC)
    defaults = {}
    for f in fields:
        value = now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else \
            f.get_db_prep_save(getattr(template, f.attname), connection)
        defaults[f.column] = value
    placed = {meta.get_field(by_header[h]).column: i for i, h in enumerate(header) if h in by_header}
    columns = [f.column for f in fields]
    source = [placed.get(c) for c in columns]
    base = [defaults[c] for c in columns]
    # Sheet cells go in as they stand; an empty cell takes the new record's value.
    prepared = [[row[s] if s is not None and row[s] != "" else b for s, b in zip(source, base, strict=True)] for row in rows]
    # Except a coded column (a choice, a country or region code), whose label no loader can store as it is:
    # converted by its column's normaliser once per distinct cell, before the clock starts.
    for i, f in enumerate(fields):
        column = kind.column(f.name)
        if source[i] is None or column is None or column.normalize is None or not (f.choices or f.max_length
                                                                                     and f.max_length <= 6):
            continue
        codes = {}
        for row in prepared:
            value = row[i]
            if value not in codes:
                codes[value] = column.normalize(value) if isinstance(value, str) else value
            row[i] = codes[value]
    watch, started, cpu = Watch(), time.perf_counter(), cpu_seconds()
    try:
        with watch, transaction.atomic():
            _insert(meta.db_table, columns, prepared)
            insert_s, insert_cpu = time.perf_counter() - started, cpu_seconds() - cpu
            entries = _bare_entries(rows, header, by_header)
            started, cpu = time.perf_counter(), cpu_seconds()
            # As the import does it: on SQLite the full-text index is filled once at the end.
            with search.bulk_loading():
                _insert("core_searchentry", ["model", "object_id", "tokens"], entries)
            entries_s, entries_cpu = time.perf_counter() - started, cpu_seconds() - cpu
            raise _Rollback
    except _Rollback:
        pass
    n = len(prepared)
    result = {"rows": n, "read_seconds": round(read_s, 1), "read_cpu_seconds": round(read_cpu, 1),
              "read_rows_per_s": round(n / read_s), "insert_seconds": round(insert_s, 1),
              "insert_cpu_seconds": round(insert_cpu, 1), "insert_rows_per_s": round(n / insert_s),
              "rows_per_s": round(n / (read_s + insert_s)),
              "entries_seconds": round(entries_s, 1), "entries_cpu_seconds": round(entries_cpu, 1),
              "with_entries_rows_per_s": round(n / (read_s + insert_s + entries_s))}
    if watch.server_cpu_seconds is not None:
        result["server_cpu_seconds"] = watch.server_cpu_seconds
    return result


def _bare_entries(rows: list, header: list, by_header: dict) -> list[list]:
    """Each row's search entry as a bare loader would write it: its names as they stand, not tokenised.

    Ids far above any record's keep one entry in eight in PostgreSQL's sampled index, as real ids do.
    """
    names = [i for i, h in enumerate(header) if by_header.get(h) in ("name", "foreign_name")]
    return [["registry.person", 10**12 + number, " ".join(str(row[i]) for i in names if row[i])]
            for number, row in enumerate(rows)]


def _insert(table: str, columns: list[str], rows: list[list]) -> None:
    """Rows as they stand into a table: COPY on PostgreSQL, `executemany` in batches of 20,000 on SQLite."""
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {qn(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        for start in range(0, len(rows), 20_000):
            cursor.executemany(sql, rows[start:start + 20_000])
