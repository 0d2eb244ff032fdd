"""The import benchmark's sheet and its reference (core.bench_import): no timing here, only what the figures rely on."""
import datetime as dt

from core import bench_import, search
from core.importing.pipeline import run_import
from core.models import SearchEntry
from core.validators import validate_id_number
from registry.models import Person


def test_the_benchmark_sheet_is_all_new_valid_people(users, tree, tmp_path):
    path = tmp_path / "new-people.xlsx"
    bench_import.write_people_sheet(path, 600)
    report = run_import("people", path, by=users["zj_admin"], org=tree["zj"])
    # Every row is imported as a new person: the import's figure is rows written, not rows rejected.
    assert (report.rows, report.created, report.updated, report.rejected) == (600, 600, 0, [])
    people = list(Person.objects.all())
    assert len({p.id_number for p in people}) == 600
    for p in people[:50]:
        validate_id_number(p.id_number)
        assert p.birth_date == dt.date(int(p.id_number[6:10]), int(p.id_number[10:12]), int(p.id_number[12:14]))
    abroad = [p for p in people if p.country]
    assert 350 < len(abroad) < 450 and all(p.phone.startswith(("+39", "+34", "+33")) for p in abroad)


def test_the_bare_insert_puts_the_same_rows_into_the_person_table_and_keeps_none(users, tree, tmp_path,
                                                                                django_assert_max_num_queries):
    path = tmp_path / "new-people.xlsx"
    bench_import.write_people_sheet(path, 300)
    with django_assert_max_num_queries(16):  # bulk: the same with 300 rows as with a million
        result = bench_import.bare_insert(path, tree["zj"].pk)
    assert result["rows"] == 300 and result["insert_rows_per_s"] > 0 and result["read_rows_per_s"] > 0
    assert 0 < result["with_entries_rows_per_s"] <= result["rows_per_s"]
    # Rolled back: the benchmark database keeps its scale, and nothing is left in the search index.
    assert not Person.objects.exists() and not SearchEntry.objects.filter(model="registry.person").exists()
    assert not search.search(Person.objects.all(), users["zj_admin"], "王")


def test_the_watch_sees_the_child_s_own_memory_not_this_process_s():
    import subprocess
    import sys

    from core.bench_import import Watch

    ballast = bytearray(300 * 2**20)  # this process's memory, which a forked child's peak RSS would inherit
    ballast[::4096] = b"x" * len(ballast[::4096])
    code = "import os, time\nb = bytearray(120 * 2**20); b[::4096] = b'x' * len(b[::4096])\n" \
           "pid = os.fork()\nif pid == 0:\n    c = bytearray(60 * 2**20); c[::4096] = b'y' * len(c[::4096]); time.sleep(1.5); os._exit(0)\n" \
           "time.sleep(1.5); os.waitpid(pid, 0)"
    proc = subprocess.Popen([sys.executable, "-c", code])
    with Watch(proc.pid, interval=0.1) as watch:
        proc.wait()
    # Its own 120 MB and its forked child's 60 MB (their shared pages counted once), not this process's 300 MB.
    assert 170 <= watch.peak_mb < 300
    del ballast


def test_the_watch_measures_the_database_server_s_cpu_on_postgresql(db):
    from django.db import connection

    from core.bench_import import Watch

    if connection.vendor != "postgresql":
        with Watch() as watch:
            pass
        assert watch.server_cpu_seconds is None  # SQLite works inside the measured process
        return
    with Watch() as watch, connection.cursor() as cursor:
        cursor.execute("SELECT sum(length(md5(g::text))) FROM generate_series(1, 1000000) g")
    assert watch.server_cpu_seconds > 0.05


def test_the_load_test_sampler_gives_each_family_its_cpu_even_after_a_process_ends():
    import os
    import subprocess
    import sys
    import time

    from core.bench_import import family
    from loadtest.cpu import Sampler

    assert family(b"/srv/.venv/bin/python /srv/.venv/bin/granian --interface wsgi shanghui.wsgi:application") == "granian"
    assert family(b".venv/bin/python manage.py worker --no-startup-delay") == "worker"
    assert family(b"postgres: postgres shanghui_load 127.0.0.1(5432) idle") == "postgres"
    sampler = Sampler()
    # A process whose command line says locust burns 0.8 s of CPU and ends before the last look.
    busy = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.8:\n    pass"
    proc = subprocess.Popen([sys.executable, "-c", busy, "locust"])
    sampler.poll({proc.pid: (os.getpid(), b"python -m pytest", 0)})  # as if seen between fork and exec
    clock, deadline = os.sysconf("SC_CLK_TCK"), time.monotonic() + 20
    while sampler.last.get(proc.pid, 0) < 0.3 * clock and time.monotonic() < deadline:
        sampler.poll()
        time.sleep(0.02)
    proc.wait()
    result = sampler.result()
    assert result["cpu_seconds"]["locust"] >= 0.3  # seen running, kept after it ended
    assert 0 <= result["busy_percent"] <= 100
