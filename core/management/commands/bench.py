"""`manage.py bench [--people N] [--repeat N] [--format json]`: Shanghui's speed at province scale.

Builds (or reuses, when the same scale is already there) a demo province of `--people`
people (default `BENCH_PEOPLE` or 1,000,000) on the database of DATABASE_URL, then measures
each figure beside a reference taken in the same run on the same data, so that a reader sees
Shanghui's overhead, not only a time:

- search through the API (token, Django's test client, the whole request: middleware,
  filters, serialisation) beside the same full-text query in raw SQL;
- the filtered people list and the person detail page through the web UI beside the same
  queries in raw SQL;
- the demo build time (records per second);
- export and import rows/s and peak memory (each in its own process: `manage.py export`,
  `manage.py import --dry-run`), when core.exporting and core.importing are installed; the import
  of a sheet of new people beside a bare bulk insert of the same rows (core.bench_import).

Without DATABASE_URL the benchmark runs on its own SQLite file (var/bench.sqlite3), never on
the demo database.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext as _

from core.bench_import import cpu_seconds
from shanghui.startup import freeze_loaded_objects

PARTS = ["search", "list", "detail", "io", "pairing", "directory", "dashboard"]
BENCH_USER = "bench"
BENCH_ORG = "zjql"  # 浙江省侨联: the largest subtree, so the scope filter is as wide as it gets
TWO_CHAR_WORDS = ["建国", "志强", "秀英", "丽华", "海燕", "国强", "桂英", "晓东"]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of the values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def timed(fn, repeat: int, warmup: int = 2) -> dict:
    """p50/p95 in milliseconds of `fn(i)` over `repeat` calls after `warmup` calls."""
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(repeat):
        started = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(statistics.median(samples), 2), "p95_ms": round(percentile(samples, 95), 2),
            "n": repeat}


def raw(sql: str, params) -> None:
    """Execute one query and fetch every row, as the reference for an ORM-built page."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()


def verified_login(client, user) -> None:
    """Log `client` in as `user` with the second factor passed, as after the right TOTP code.

    The bench user may see personal data, so its pages require two-factor; the session gets the
    user's confirmed TOTP device bound by `django_otp.login`, exactly what the login step does.
    """
    from django.contrib.auth.signals import user_logged_in
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def verify(sender, request, user, **kwargs):
        device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
                  or TOTPDevice.objects.create(user=user, name="bench", confirmed=True))
        request.user = user
        otp_login(request, device)

    user_logged_in.connect(verify, dispatch_uid="bench-verified-login")
    try:
        client.force_login(user)
    finally:
        user_logged_in.disconnect(dispatch_uid="bench-verified-login")


def machine() -> dict:
    """Cores, memory and software of this machine."""
    memory = None
    try:
        with open("/proc/meminfo") as f:
            memory = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cores": os.cpu_count(), "memory_gb": memory, "python": platform.python_version(),
            "database": connection.vendor, "database_version": _db_version()}


def _db_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        return cursor.fetchone()[0].split(" on ")[0]


class Command(BaseCommand):
    """Build or reuse a province-scale dataset and print the figures beside their references."""

    help = _("在独立的数据库上生成省级规模数据并测量搜索、列表、详情、导入导出的速度。")

    def add_arguments(self, parser):
        """--people, --repeat, --no-io and --format."""
        parser.add_argument("--people", type=int, default=int(os.environ.get("BENCH_PEOPLE", 1_000_000)),
                            help=_("人员数量（默认 BENCH_PEOPLE 或 1,000,000）"))
        parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 40)),
                            help=_("每项测量的请求次数"))
        parser.add_argument("--no-io", action="store_true", help=_("不测导入导出"))
        parser.add_argument("--format", choices=["text", "json"], default="text", help=_("输出格式"))
        parser.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""),
                            help=_("只测这些部分，逗号分隔：%(parts)s（默认全部）") % {"parts": ",".join(PARTS)})

    def handle(self, *args, people, repeat, no_io, format, only, **options):
        """Re-run on the bench file without DATABASE_URL; otherwise build or reuse, then measure."""
        if not os.environ.get("DATABASE_URL"):
            return self._rerun_on_bench_file()
        self.verbose = format == "text"
        parts = [p.strip() for p in only.split(",") if p.strip()] or PARTS
        unknown = sorted(set(parts) - set(PARTS))
        if unknown:
            raise CommandError(_("没有这些部分：%(parts)s") % {"parts": ", ".join(unknown)})
        if no_io and "io" in parts:
            parts = [p for p in parts if p != "io"]
        # The pages render with the hashed static names of the manifest, as in production.
        if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
            call_command("collectstatic", "--noinput", verbosity=0)
        # A new, empty database (createdb bench) gets its tables here, as the SQLite bench file does.
        call_command("migrate", "--noinput", verbosity=0)
        report = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "machine": machine(), "people": people}
        report["build"] = self.dataset(people)
        from django.contrib.auth import get_user_model

        self.user = get_user_model().objects.get(username=BENCH_USER)
        self.user_paths = None
        # Measured as a granian worker serves (shanghui/wsgi.py): the loaded objects frozen.
        freeze_loaded_objects()
        report["search"] = self.bench_search(repeat) if "search" in parts else {}
        report["list"] = self.bench_list(repeat) if "list" in parts else {}
        report["detail"] = self.bench_detail(repeat) if "detail" in parts else None
        report["io"] = self.bench_io() if "io" in parts else None
        from django.apps import apps

        if apps.is_installed("pairing") and "pairing" in parts:
            from pairing import bench as pairing_bench

            self.log("pairing optimizer ...")
            report["pairing"] = pairing_bench.run_isolated(large=True)
        if apps.is_installed("directory") and "directory" in parts:
            from directory import bench as directory_bench

            self.log("directory ...")
            report["directory"] = directory_bench.run(int(os.environ.get("BENCH_PRODUCTS", 100_000)), repeat,
                                                      log=self.log)
        if apps.is_installed("stats") and "dashboard" in parts:
            from stats import bench as stats_bench

            self.log("dashboard volume (cases, participations) ...")
            volume = stats_bench.build_volume(int(os.environ.get("BENCH_CASES", 1_000_000)),
                                              int(os.environ.get("BENCH_PARTICIPATIONS", 500_000)), log=self.log)
            self.log("dashboard ...")
            report["dashboard"] = stats_bench.bench_dashboard(self.user, timed=timed, repeat=max(5, repeat // 4))
            report["dashboard"]["volume"] = volume
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            self.print_text(report)

    def _rerun_on_bench_file(self):
        path = Path(settings.BASE_DIR) / "var" / "bench.sqlite3"
        path.parent.mkdir(exist_ok=True)
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{path}")
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, check=True,
                       cwd=settings.BASE_DIR)
        code = subprocess.run([sys.executable, "manage.py", "bench", *sys.argv[2:]], env=env,
                              cwd=settings.BASE_DIR).returncode
        if code:
            raise CommandError(_("基准测试失败。"))

    def log(self, message: str) -> None:
        """Progress on stderr (stdout carries the figures or the JSON document)."""
        if self.verbose:
            self.stderr.write(message)

    # ---- dataset ------------------------------------------------------------------------

    def dataset(self, people: int) -> dict:
        """Reuse the data when it has this scale; otherwise empty the bench database and build it."""
        from django.contrib.auth import get_user_model

        from orgs.models import Organization
        from registry.models import Person

        User = get_user_model()
        name = f"bench-{connection.vendor}-{connection.settings_dict['NAME']}".replace("/", "_")
        meta_file = Path(settings.BASE_DIR) / "var" / f"{name}.json"
        if Organization.objects.exists():
            if not User.objects.filter(username=BENCH_USER).exists():
                raise CommandError(_("这个数据库不是基准测试生成的（没有 bench 用户），请换一个数据库。"))
            with connection.cursor() as cursor:
                cursor.execute("SELECT MAX(id) FROM registry_person")
                existing = cursor.fetchone()[0] or 0
            if existing == people and Person.objects.filter(pk=people).exists():
                previous = json.loads(meta_file.read_text()) if meta_file.exists() else {}
                self.log(_("沿用已有的 %(n)s 人数据。") % {"n": people})
                return {**previous, "reused": True}
            self.log(_("清空基准测试数据库……"))
            call_command("flush", "--noinput", "--include-logs", verbosity=0)
        self.log(_("生成 %(n)s 人的数据……") % {"n": people})
        started, cpu = time.monotonic(), cpu_seconds()
        out = _Capture()
        call_command("demo", people=people, format="json", stdout=out)
        seconds = round(time.monotonic() - started, 1)
        cpu = round(cpu_seconds() - cpu, 1)
        counts = json.loads(out.text)["counts"]
        from accounts import services as accounts

        bench, _pw = accounts.create_user(by=None, username=BENCH_USER, password=None, check_password=False)
        accounts.grant_role(by=None, user=bench, org=Organization.objects.get(code=BENCH_ORG),
                            role="administrator", personal_data=True)
        rows = sum(counts.values())
        build = {"seconds": seconds, "cpu_seconds": cpu, "people": counts["registry.Person"], "rows": rows,
                 "rows_per_s": round(rows / seconds), "counts": counts, "reused": False}
        meta_file.parent.mkdir(exist_ok=True)
        meta_file.write_text(json.dumps(build))
        return build

    # ---- search -------------------------------------------------------------------------

    def samples(self, n: int = 20) -> list:
        """People spread over the table, inside the bench user's scope."""
        from registry.models import Person

        step = max(1, Person.objects.order_by("-pk").values_list("pk", flat=True)[0] // n)
        qs = Person.objects.visible_to(self.user).active().filter(name__regex=r"^.{3}$")
        found = []
        for start in range(1, step * n, step):
            p = qs.filter(pk__gte=start).order_by("pk").only("pk", "name", "org").first()
            if p:
                found.append(p)
        return found

    def bench_search(self, repeat: int) -> dict:
        """API search (p50/p95) beside the same FTS5/tsvector query in raw SQL, per kind of query."""
        import opencc
        from django.test import Client
        from pypinyin import lazy_pinyin
        from rest_framework.authtoken.models import Token

        from accounts.access import paths_for
        from core import search

        token, _created = Token.objects.get_or_create(user=self.user)
        client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token.key}")
        s2t = opencc.OpenCC("s2t")
        people = self.samples()
        kinds = {
            "name_fragment": [p.name[1:] for p in people],
            "pinyin": ["".join(lazy_pinyin(p.name)) for p in people],
            "traditional": [s2t.convert(p.name) for p in people],
            "surname_1char": ["王"],
            "word_2char": TWO_CHAR_WORDS,
        }
        paths = paths_for(self.user)
        results = {}
        for kind, queries in kinds.items():
            self.log(_("搜索：%(k)s") % {"k": kind})
            hits = []

            def through_api(i, queries=queries, hits=hits):
                response = client.get("/api/people/", {"q": queries[i % len(queries)]}, secure=True)
                if response.status_code != 200:
                    raise CommandError(f"/api/people/ answered {response.status_code}")
                hits.append(response.json()["count"])

            def in_sql(i, queries=queries):
                terms = search.query_terms(queries[i % len(queries)])
                # What search runs, in raw SQL: FTS5's MATCH; PostgreSQL's sampled index, then all of it.
                with connection.cursor() as cursor, search._planner_kept_on_the_index(cursor):
                    search._matching_ids(cursor, "registry.person", terms, paths, search.MAX_CANDIDATES)

            api = timed(through_api, repeat)
            results[kind] = {"example": queries[0], "api": api, "sql": timed(in_sql, repeat),
                             "hits_median": statistics.median(hits)}
        return results

    # ---- list and detail ----------------------------------------------------------------

    def web_client(self):
        """A logged-in browser stand-in (Django's test client)."""
        from django.test import Client

        client = Client(HTTP_HOST="127.0.0.1")
        verified_login(client, self.user)
        return client

    def bench_list(self, repeat: int) -> dict:
        """Filtered people list pages through the web UI beside the list query in raw SQL."""
        from types import SimpleNamespace

        from registry.filters import PersonFilter
        from registry.models import Person

        client = self.web_client()
        filters = {
            "category_country": {"category": "overseas_chinese", "country": "IT"},
            "org_subtree_region": {"org": "qtql", "home_region": "331121"},
            "page_5_category": {"category": "relative", "page": "5"},
        }
        results = {}
        for name, params in filters.items():
            self.log(_("列表：%(k)s") % {"k": name})
            qs = Person.objects.visible_to(self.user).active().select_related("org").order_by("-id")
            data = {k: v for k, v in params.items() if k != "page"}
            page = int(params.get("page", 1))
            fs = PersonFilter(data, queryset=qs, request=SimpleNamespace(user=self.user, GET=data))
            sql, sql_params = fs.qs[(page - 1) * 50:page * 50 + 1].query.sql_with_params()

            def through_web(i, params=params):
                response = client.get(reverse("registry:person-list"), params, secure=True)
                if response.status_code != 200:
                    raise CommandError(f"{reverse('registry:person-list')} answered {response.status_code}")

            results[name] = {"params": params, "web": timed(through_web, repeat),
                             "sql": timed(lambda i, s=sql, p=sql_params: raw(s, p), repeat)}
        return results

    def bench_detail(self, repeat: int) -> dict:
        """Person detail pages through the web UI beside the person's row and memberships in raw SQL."""
        client = self.web_client()
        ids = [p.pk for p in self.samples(40)]

        def through_web(i):
            url = reverse("registry:person-detail", args=[ids[i % len(ids)]])
            response = client.get(url, secure=True)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")

        def in_sql(i):
            pk = ids[i % len(ids)]
            raw("SELECT p.*, o.* FROM registry_person p JOIN orgs_organization o ON o.id = p.org_id "
                "WHERE p.id = %s", [pk])
            raw("SELECT m.*, o.* FROM registry_membership m JOIN orgs_organization o ON o.id = m.org_id "
                "WHERE m.person_id = %s", [pk])

        self.log(_("详情页"))
        return {"web": timed(through_web, repeat), "sql": timed(in_sql, repeat)}

    # ---- import and export --------------------------------------------------------------

    def bench_io(self) -> dict | None:
        """Export every person of the scope, then import that file (dry run), each in its own process."""
        base = Path(settings.BASE_DIR)
        if not (base / "core" / "exporting.py").exists() or not (base / "core" / "importing").exists():
            return None
        results = {}
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "people.xlsx"
            self.log(_("导出……"))
            # In clear (the purpose is logged), so that the import matches every row by its ID number
            # as a re-imported sheet would; a masked sheet would be rejected row by row.
            results["export"] = self._child(["export", "people", "--out", str(out), "--user", BENCH_USER,
                                             "--purpose", "benchmark", "--format", "json"])
            if out.exists():
                self.log(_("导入（试运行）……"))
                results["import_dry_run"] = self._child(["import", "people", str(out), "--user", BENCH_USER,
                                                         "--dry-run", "--format", "json"])
            results.update(self.bench_import_new(Path(tmp)))
        return results

    def bench_import_new(self, tmp: Path) -> dict:
        """A sheet of BENCH_IMPORT_ROWS new people imported (dry run: written, then rolled back), beside
        a bare bulk insert of the same rows (core.bench_import)."""
        from core import bench_import
        from orgs.models import Organization

        count = int(os.environ.get("BENCH_IMPORT_ROWS", 1_000_000))
        sheet = tmp / "new-people.xlsx"
        self.log(_("生成 %(n)s 名新人员的导入表……") % {"n": count})
        bench_import.write_people_sheet(sheet, count)
        self.log(_("导入新人员（试运行）……"))
        result = self._child(["import", "people", str(sheet), "--user", BENCH_USER, "--org", BENCH_ORG,
                              "--dry-run", "--format", "json"])
        self.log(_("同一批行的裸批量插入……"))
        bare = bench_import.bare_insert(sheet, Organization.objects.get(code=BENCH_ORG).pk)
        return {"import_new_dry_run": result, "bare_insert_same_rows": bare}

    def _child(self, args: list[str]) -> dict:
        """Run a manage.py command in a child process: wall time, CPU, rows/s, peak memory (PSS of its
        process tree) and, on PostgreSQL on this machine, the server's CPU meanwhile."""
        from core.bench_import import Watch

        started = time.monotonic()
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            proc = subprocess.Popen([sys.executable, "manage.py", *args], stdout=out, stderr=err,
                                    cwd=settings.BASE_DIR, env=os.environ.copy())
            with Watch(proc.pid) as watch:
                _pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            seconds = time.monotonic() - started
            out.seek(0)
            err.seek(0)
            text, error = out.read().decode(), err.read().decode()
        result = {"seconds": round(seconds, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
                  "peak_pss_mb": watch.peak_mb}
        if watch.server_cpu_seconds is not None:
            result["server_cpu_seconds"] = watch.server_cpu_seconds
        try:
            summary = json.loads(text.strip().splitlines()[-1])
            rows = summary["rows"]
        except (ValueError, KeyError, IndexError, TypeError):
            return {**result, "error": error.strip().splitlines()[-1:] or ["exit " + str(proc.returncode)]}
        # An import exits 1 when it rejected rows; its summary still says how many rows it read.
        rejected = summary.get("rejected_rows", summary.get("rejected")) if isinstance(summary, dict) else None
        if isinstance(rejected, list):
            rejected = len(rejected)
        return {**result, "rows": rows, "rows_per_s": round(rows / seconds),
                **({"rejected": rejected} if rejected else {})}

    # ---- output -------------------------------------------------------------------------

    def print_text(self, report: dict) -> None:
        """One line per figure, with its reference."""
        m, b = report["machine"], report["build"]
        w = self.stdout.write
        w(f"Shanghui bench {report['date']}: {m['cores']} cores, {m['memory_gb']} GB, "
          f"{m['database']} {m['database_version']}, {report['people']:,} people")
        if b.get("seconds"):
            w(f"demo build: {b['seconds']} s wall, {b.get('cpu_seconds')} s CPU (Python process), "
              f"{b.get('rows', 0):,} rows ({b.get('rows_per_s', 0):,} rows/s)"
              + (" [reused]" if b.get("reused") else ""))
        for kind, r in report["search"].items():
            w(f"search {kind:15} {r['example']!r:16} API p50 {r['api']['p50_ms']:7.1f} ms p95 "
              f"{r['api']['p95_ms']:7.1f} ms | raw SQL p50 {r['sql']['p50_ms']:6.1f} p95 {r['sql']['p95_ms']:6.1f} ms"
              f" | hits {r['hits_median']}")
        for name, r in report["list"].items():
            w(f"list   {name:20} web p50 {r['web']['p50_ms']:7.1f} ms p95 {r['web']['p95_ms']:7.1f} ms | "
              f"raw SQL p50 {r['sql']['p50_ms']:6.1f} p95 {r['sql']['p95_ms']:6.1f} ms")
        d = report["detail"]
        if d:
            w(f"detail {'person':20} web p50 {d['web']['p50_ms']:7.1f} ms p95 {d['web']['p95_ms']:7.1f} ms | "
              f"raw SQL p50 {d['sql']['p50_ms']:6.1f} p95 {d['sql']['p95_ms']:6.1f} ms")
        if report["io"] is None:
            w("export/import: not measured (--no-io, or not among --only)")
        else:
            for name, r in report["io"].items():
                w(f"{name:14} {json.dumps(r, ensure_ascii=False)}")
            new, bare = report["io"].get("import_new_dry_run"), report["io"].get("bare_insert_same_rows")
            if new and bare and "rows_per_s" in new:
                w(f"import of {new['rows']:,} new people {new['rows_per_s']:,} rows/s | bare bulk insert of the same "
                  f"rows {bare['rows_per_s']:,} rows/s (python-calamine read {bare['read_rows_per_s']:,} rows/s, "
                  f"insert {bare['insert_rows_per_s']:,} rows/s), {bare['with_entries_rows_per_s']:,} rows/s "
                  f"with a search entry each")
        if report.get("pairing"):
            from pairing import bench as pairing_bench

            for line in pairing_bench.lines(report["pairing"]):
                w(line)
        if report.get("directory"):
            from directory import bench as directory_bench

            for line in directory_bench.lines(report["directory"]):
                w(line)
        if report.get("dashboard"):
            d = report["dashboard"]
            w(f"dashboard {d['org']}: snapshot refresh {d['refresh_s']} s | page from snapshots p50 "
              f"{d['dashboard_snapshot']['p50_ms']:.1f} ms p95 {d['dashboard_snapshot']['p95_ms']:.1f} ms | live p50 "
              f"{d['dashboard_live']['p50_ms']:.1f} ms p95 {d['dashboard_live']['p95_ms']:.1f} ms | "
              f"added {d['volume']['cases']:,} cases, {d['volume']['participations']:,} participations")


class _Capture:
    """A stdout stand-in that keeps what a command writes."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        """Keep the text."""
        self.text += text

    def flush(self):
        """Nothing buffered."""
