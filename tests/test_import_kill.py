"""An import killed half-way leaves nothing written: `manage.py import` in a subprocess, SIGKILLed mid-write."""
import csv
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from core.validators import make_id_number
from tests.importing import wait_until_writing, writer_holds_lock

ROOT = Path(__file__).resolve().parent.parent


def manage(env, *args, **kwargs):
    """Run manage.py with the given environment."""
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True, timeout=300, **kwargs)


def children(pid: int) -> list[int]:
    """The processes `pid` started."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def running(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie, ended but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_killed_import_leaves_nothing(tmp_path):
    db = tmp_path / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env |= {"DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "shanghui.settings", "HTTPS": "0"}
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "shell", "-c", "from tests import factories as f; f.org('yw', '义乌市侨联'); f.user('admin', superuser=True)")

    sheet = tmp_path / "big.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(["姓名", "类别", "身份证号", "手机", "居住国"])
        for i in range(80_000):
            born = dt.date(1950, 1, 1) + dt.timedelta(days=i % 20000)
            w.writerow([f"王{i}", "华侨", make_id_number(["330782", "330102", "330302", "110101", "440305"][i % 5],
                                                          born, i // 100_000 * 500 + (i // 20000) * 50 + i % 50),
                        f"138{i:08d}", "意大利"])

    proc = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "import", "people", str(sheet), "--org", "yw"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # The import holds SQLite's write lock from its first chunk to its commit, which waits for all 80,000
        # rows: the kill lands inside the transaction, whether the page cache spilled into the WAL or not.
        writing = wait_until_writing(lambda: writer_holds_lock(db), proc)
        assert proc.poll() is None, "the import finished before it could be killed"
        assert writing, "the import never started writing"
        readers = children(proc.pid)
        assert readers, "a sheet this large is read by a second process"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        # The reading process, orphaned, notices within seconds and ends (it would wait forever to send).
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(running(pid) for pid in readers):
            time.sleep(0.2)
        assert not any(running(pid) for pid in readers), "the reading process outlived the import"
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT count(*) FROM registry_person").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM core_searchentry WHERE model = 'registry.person'").fetchone() == (0,)
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        con.close()
