"""Dashboard timings for `manage.py bench`: call `bench_dashboard(user, timed=timed)` from there.

Measures the snapshot refresh of the top organizations, then the dashboard page of the largest
one served from snapshots, and the same page computed live (no snapshots), through the web client.
"""
from __future__ import annotations

import datetime as dt
import time


def bench_dashboard(user, *, timed, repeat: int = 5, org=None) -> dict:
    """{"refresh_s", "dashboard_snapshot": timed(...), "dashboard_live": timed(...)} for `org` (default: a root)."""
    from django.test import Client

    from orgs.models import Organization
    from stats.jobs import snapshot_orgs
    from stats.models import Snapshot
    from stats.services import refresh_snapshots

    org = org or Organization.objects.filter(depth=1).order_by("path").first()
    year = dt.date.today().year
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    url = f"/stats/{org.code}/?year={year}"

    def page(i):
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")

    Snapshot.objects.filter(org=org).delete()
    live = timed(page, max(1, repeat // 2), warmup=0)
    started = time.perf_counter()
    refresh_snapshots(by=user, orgs=snapshot_orgs(org, depth=1), year=year)
    refresh_s = round(time.perf_counter() - started, 2)
    return {"org": org.code, "refresh_s": refresh_s, "dashboard_snapshot": timed(page, repeat),
            "dashboard_live": live}
