"""Faults: a killed worker, a full disk, and the database restarted under an import and a burst of requests.

Each case checks the three promises: nothing half-written, a clear error where the user
looks (the job's page, the HTTP answer), and recovery without restarting Shanghui.
"""
import csv
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import jobs
from core.models import Job, JobStatus
from core.validators import make_id_number
from tests.importing import wait_until_writing, writer_holds_lock

ROOT = Path(__file__).resolve().parent.parent


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    return env | {"DJANGO_SETTINGS_MODULE": "shanghui.settings", "HTTPS": "0"} | extra


def _manage(env, *args, timeout=300):
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True, timeout=timeout)


def _sheet(path: Path, rows: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(["姓名", "类别", "身份证号", "手机", "居住国"])
        for i in range(rows):
            born = dt.date(1950, 1, 1) + dt.timedelta(days=i % 20000)
            w.writerow([f"李{i}", "华侨", make_id_number(["330782", "330102", "330302", "110101"][i % 4], born,
                                                          (i // 20000) * 50 + i % 50), f"139{i:08d}", "意大利"])
    return path


START_IMPORT = """
from django.core.files import File
from django.contrib.auth.models import User
from core.importing.tasks import start_import
from orgs.models import Organization
with open({sheet!r}, "rb") as f:
    job = start_import(by=User.objects.get(username="admin"), kind="people", upload=File(f, name="big.csv"),
                       org=Organization.objects.get(code="yw"))
print(job.pk)
"""


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_killed_worker_marks_the_job_failed_and_it_can_run_again(tmp_path):
    db = tmp_path / "db.sqlite3"
    env = _env(DATABASE_URL=f"sqlite:///{db}", SHANGHUI_VAR_DIR=str(tmp_path / "var"),
               JOB_HEARTBEAT_SECONDS="1", JOB_STALE_SECONDS="3")
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "shell", "-c", "from tests import factories as f; f.org('yw', '义乌市侨联'); "
                                "f.user('admin', superuser=True)")
    sheet = _sheet(tmp_path / "big.csv", 40_000)
    job_id = int(_manage(env, "shell", "-c", START_IMPORT.format(sheet=str(sheet))).stdout.strip().splitlines()[-1])

    def status():
        con = sqlite3.connect(db, timeout=30)
        try:
            return con.execute("SELECT status, error FROM core_job WHERE id = ?", (job_id,)).fetchone()
        finally:
            con.close()

    worker = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "worker", "--no-startup-delay"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(lambda: status()[0] == "running", 120, "the worker to start the import")
        assert wait_until_writing(lambda: writer_holds_lock(db), worker), "the import never started writing"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()

    assert status()[0] == "running"  # nobody has noticed yet
    time.sleep(4)  # longer than JOB_STALE_SECONDS without a heartbeat
    recovered = json.loads(_manage(env, "jobs", "recover", "--format", "json").stdout)
    assert recovered == {"failed": [job_id]}
    state, error = status()
    assert state == "failed" and "后台进程中断" in error
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM registry_person").fetchone() == (0,)
    con.close()

    again = json.loads(_manage(env, "jobs", "retry", str(job_id), "--format", "json").stdout)
    _manage(env, "db_worker", "--batch", "--no-startup-delay", timeout=600)
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT status FROM core_job WHERE id = ?", (again["job"],)).fetchone() == ("succeeded",)
        assert con.execute("SELECT count(*) FROM registry_person").fetchone() == (40_000,)
    finally:
        con.close()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs mounted for the test: the media directory of a machine whose disk is full."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_fails_the_export_cleanly_and_it_runs_again_once_there_is_room(tiny_disk, settings, users, tree):
    from core.exporting import start_export
    from registry import services as reg

    settings.MEDIA_ROOT = str(tiny_disk)
    for i in range(40):
        reg.create_person(by=users["zj_admin"], org=tree["hz"], name=f"导出{i}", category="relative")
    filler = tiny_disk / "filler"
    filler.write_bytes(b"\0" * 60 * 1024)  # leave about 4 KiB: less than the export needs

    job = jobs.run(start_export(by=users["hz_staff"], kind="people"))
    assert job.status == JobStatus.FAILED
    assert "磁盘空间不足" in job.error
    leftovers = [p for p in tiny_disk.rglob("*") if p.is_file() and p != filler]
    assert leftovers == [], "a truncated export was left on the disk"

    filler.unlink()
    again = jobs.run(jobs.retry(job, by=users["hz_staff"]))
    assert again.status == JobStatus.SUCCEEDED and again.output_file
    assert again.params["retry_of"] == job.pk


def test_retry_is_refused_to_others_and_for_running_jobs(users, tree):
    from django.core.exceptions import PermissionDenied

    job = Job.objects.create(kind="export", title="x", created_by=users["hz_staff"], status=JobStatus.FAILED)
    with pytest.raises(PermissionDenied):
        jobs.retry(job, by=users["wz_staff"])
    job.status = JobStatus.RUNNING
    job.save()
    with pytest.raises(PermissionDenied):
        jobs.retry(job, by=users["hz_staff"])


def test_a_running_job_without_heartbeat_is_failed_when_its_page_is_opened(client, users, tree, settings):
    settings.JOB_STALE_SECONDS = 1
    job = Job.objects.create(kind="export", title="x", created_by=users["hz_staff"], status=JobStatus.RUNNING,
                             started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    client.force_login(users["hz_staff"])
    page = client.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "后台进程中断" in page.content.decode()
    assert f"/jobs/{job.pk}/retry/" in page.content.decode()


# --- The database restarted under a burst of requests and under an import ---------------------------------
#
# This runs against its own PostgreSQL database whatever DATABASE_URL the suite uses (only a server
# can be restarted), and restarts the machine's PostgreSQL: the suite's own connections are closed
# afterwards so the tests that follow reconnect.

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
FAULTS_DB = "shanghui_faults"


def _pg_restart():
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
                   check=True, capture_output=True, timeout=120)


def _pg_ready():
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode == 0


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def faults_site(tmp_path):
    """Shanghui on its own PostgreSQL database, served by granian, with a worker; yields (url, token, env)."""
    import psycopg
    from django.db import connections

    with psycopg.connect(PG_ADMIN, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {FAULTS_DB} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {FAULTS_DB}")
    env = _env(DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{FAULTS_DB}",
               SHANGHUI_VAR_DIR=str(tmp_path / "var"), JOB_HEARTBEAT_SECONDS="1", JOB_STALE_SECONDS="3",
               ALLOWED_HOSTS="127.0.0.1")
    _manage(env, "migrate", "--noinput", "-v", "0", timeout=600)
    _manage(env, "collectstatic", "--noinput", "-v", "0")  # pages render with the manifest's names, as deployed
    token = _manage(env, "shell", "-c", (
        "from tests import factories as f; from registry import services as r; from rest_framework.authtoken.models "
        "import Token; yw = f.org('yw', '义乌市侨联'); u = f.user('admin', superuser=True); "
        "[r.create_person(by=u, org=yw, name=f'张{i}', category='relative') for i in range(30)]; "
        "print(Token.objects.create(user=u).key)")).stdout.strip().splitlines()[-1]
    port = _free_port()
    server = subprocess.Popen([str(ROOT / ".venv/bin/granian"), "--interface", "wsgi", "shanghui.wsgi:application",
                               "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--blocking-threads", "4"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "worker", "--no-startup-delay"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:

        _wait(lambda: _get(url + "/login/")[0] == 200, 60, "granian to answer")
        yield {"url": url, "token": token, "env": env, "worker": worker}
    finally:
        for proc in (server, worker):
            proc.terminate()
        for proc in (server, worker):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        _wait(_pg_ready, 60, "PostgreSQL to be back")
        connections.close_all()  # the suite's own connections died with the restart
        with psycopg.connect(PG_ADMIN, autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {FAULTS_DB} WITH (FORCE)")


def _get(url, token=None):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError as e:  # refused or reset: never expected from granian, reported as such
        return 0, str(e)


def _faults_query(sql: str):
    import psycopg

    with psycopg.connect(f"postgres://postgres@127.0.0.1:5432/{FAULTS_DB}") as con:
        return con.execute(sql).fetchall()


def test_database_restart_under_a_burst_of_requests_and_an_import(faults_site, tmp_path):
    import threading

    site = faults_site
    people = site["url"] + "/api/people/?page_size=5"
    assert _get(people, site["token"])[0] == 200

    # A burst: four clients asking without pause while the database restarts under them.
    answers, stop = [], threading.Event()

    def client():
        while not stop.is_set():
            answers.append(_get(people, site["token"]))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    # … and an all-or-nothing import of 40,000 rows running in the worker.
    sheet = _sheet(tmp_path / "big.csv", 40_000)
    job_id = int(_manage(site["env"], "shell", "-c", START_IMPORT.format(sheet=str(sheet))).stdout.strip().splitlines()[-1])
    _wait(lambda: _faults_query(f"SELECT status FROM core_job WHERE id = {job_id}") == [("running",)], 120,
          "the import to start")
    # A transaction that has written (it has an xid): held for a second, the import is inside its write.
    assert wait_until_writing(lambda: _faults_query(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL"
    ) != [(0,)], site["worker"]), "the import never started writing"
    _pg_restart()
    _wait(_pg_ready, 60, "PostgreSQL to come back")
    time.sleep(1)
    stop.set()
    for t in threads:
        t.join(timeout=60)

    statuses = {status for status, _body in answers}
    assert statuses <= {200, 503}, f"unexpected answers during the restart: {statuses}"
    down = [body for status, body in answers if status == 503]
    assert all("数据库暂时不可用" in body for body in down), down[:1]
    # Recovery without restarting Shanghui: the same granian answers again.
    _wait(lambda: _get(people, site["token"])[0] == 200, 30, "the API to answer again")

    # The import wrote nothing, and its job ends failed with a clear error once it is noticed.
    _manage(site["env"], "jobs", "recover")
    (status, error), = _faults_query(f"SELECT status, error FROM core_job WHERE id = {job_id}")
    assert status == "failed", status
    assert "数据库连接中断" in error or "后台进程中断" in error
    assert _faults_query("SELECT count(*) FROM registry_person") == [(30,)]

    # The same worker, never restarted, runs the import again to the end.
    assert site["worker"].poll() is None, "the worker died with the database"
    again = json.loads(_manage(site["env"], "jobs", "retry", str(job_id), "--format", "json").stdout)["job"]
    _wait(lambda: _faults_query(f"SELECT status FROM core_job WHERE id = {again}")[0][0] in ("succeeded", "failed"),
          300, "the retried import")
    assert _faults_query(f"SELECT status FROM core_job WHERE id = {again}") == [("succeeded",)]
    assert _faults_query("SELECT count(*) FROM registry_person") == [(40_030,)]
