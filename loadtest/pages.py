"""Each page of the load test's mix alone (`make loadtest-pages`): CPU milliseconds and queries per request.

Load-test runs drift by ±20 % from one minute to the next on a shared machine and cannot see a change of
a few percent; one page at a time, in one process, can. Run it in two checkouts in turn (the old and the
new code, same database) and compare medians (docs/benchmarks.md). Uses the sessions and token that
loadtest/prepare.py wrote; the pages are the locustfile's, through Django's test client on `shanghui_load`.

    PAGES=list,person LOAD_PAGE_REQUESTS=40 make loadtest-pages
"""
import ast
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loadtest.settings")

import django  # noqa: E402

django.setup()

from django.core.signals import request_started  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402


def _locustfile_searches() -> list[str]:
    """The mix's search words, read from the locustfile's source: importing it would import locust,
    which patches the standard library for gevent."""
    tree = ast.parse((ROOT / "loadtest" / "locustfile.py").read_text(encoding="utf-8"))
    return next(ast.literal_eval(node.value) for node in tree.body
                if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "SEARCHES")


SEARCHES = _locustfile_searches()
CREDENTIALS = json.loads((ROOT / "var" / "loadtest" / "credentials.json").read_text())
REQUESTS = int(os.environ.get("LOAD_PAGE_REQUESTS", 30))


def _query() -> str:
    return random.choice(SEARCHES + CREDENTIALS["names"][:20])


PAGES = {
    "list": lambda staff, public: staff.get("/registry/people/"),
    "person": lambda staff, public: staff.get(f"/registry/people/{random.choice(CREDENTIALS['person_ids'])}/"),
    "search": lambda staff, public: staff.get("/registry/people/", {"q": _query()}),
    "api": lambda staff, public: staff.get("/api/people/", {"q": _query()},
                                           HTTP_AUTHORIZATION=f"Token {CREDENTIALS['token']}"),
    "home": lambda staff, public: staff.get("/"),
    "intake": lambda staff, public: public.get("/intake/"),
    "catalogue": lambda staff, public: public.get("/catalogue/"),
}


def measure(name: str, staff: Client, public: Client) -> tuple[float, int]:
    """Median CPU ms of REQUESTS requests of the page (after five to warm up), and its queries."""
    page = PAGES[name]
    for _ in range(5):
        response = page(staff, public)
        if response.status_code != 200:
            raise SystemExit(f"{name}: HTTP {response.status_code} (run loadtest/prepare.py again?)")
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: (queries.append(sql), execute(sql, *args))[1]):
        page(staff, public)
    spent = []
    for _ in range(REQUESTS):
        started = time.process_time()
        page(staff, public)
        spent.append(time.process_time() - started)
    return 1000 * statistics.median(spent), len(queries)


def main() -> None:
    """Print one line per page: median CPU ms, queries."""
    request_started.disconnect(reset_queries)
    staff = Client(HTTP_HOST="127.0.0.1")
    staff.cookies[CREDENTIALS["session_cookie"]] = random.choice(CREDENTIALS["sessions"])
    public = Client(HTTP_HOST="127.0.0.1")  # one client: making one loads the whole middleware
    names = [n for n in os.environ.get("PAGES", ",".join(PAGES)).split(",") if n]
    for name in names:
        cpu, queries = measure(name, staff, public)
        print(f"{name:10} {cpu:6.1f} ms CPU  {queries:2} queries", flush=True)


if __name__ == "__main__":
    main()
