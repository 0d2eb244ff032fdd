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

    from core.management.commands.bench import verified_login
    from orgs.models import Organization
    from stats.jobs import snapshot_orgs
    from stats.models import Snapshot
    from stats.services import refresh_snapshots

    org = org or Organization.objects.filter(depth=1).order_by("path").first()
    year = dt.date.today().year
    client = Client(HTTP_HOST="127.0.0.1")
    verified_login(client, user)
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


def build_volume(cases: int, participations: int, log=print, seed: int = 7) -> dict:
    """Add `cases` cases and `participations` activity participations to the bench database, once.

    Rows are spread over the organizations that hold people and over this year and the last,
    with the shares a county office sees (most cases closed, a third of them with money at
    stake). Written with the demo's bulk writer (COPY on PostgreSQL) in chunks, so memory
    stays bounded; a second call with the same figures adds nothing.
    """
    import random
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from activities.models import Activity, Attendance, Registration, Session
    from cases.models import Case
    from orgs.models import Organization
    from registry.management.commands.demo import fast_insert

    rng = random.Random(seed)
    orgs = list(Organization.objects.filter(people__isnull=False).distinct().values_list("pk", flat=True)) or \
        list(Organization.objects.values_list("pk", flat=True))
    today = dt.date.today()
    first = dt.date(today.year - 1, 1, 1)
    span = (today - first).days or 1
    kinds = ["policy_consultation", "legal_consultation", "rights_protection", "labour_dispute",
             "consumer_dispute", "business_dispute"]
    built = {"cases": 0, "participations": 0}
    have = Case.objects.filter(number__startswith="B").count()
    chunk = 100_000
    for start in range(have, cases, chunk):
        rows = []
        for i in range(start, min(cases, start + chunk)):
            day = first + dt.timedelta(days=rng.randrange(span))
            submitted = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + i % 8)))
            closed = rng.random() < 0.7
            money = rng.random() < 0.35
            involved = Decimal(rng.randrange(1_000, 2_000_000)) if money else None
            rows.append({
                "org_id": rng.choice(orgs), "number": f"B{i:011d}", "kind": rng.choice(kinds),
                "channel": rng.choice(["public_web", "hotline", "walk_in", "member_portal"]),
                "status": "closed" if closed else rng.choice(["submitted", "accepted", "mediating"]),
                "priority": "normal", "applicant_name": f"申请人{i}", "language": "zh-hans",
                "subject": rng.choice(["货款纠纷", "劳务报酬", "政策咨询", "租赁合同", "侨房问题"]),
                "description": "", "submitted_at": submitted, "accepted_at": submitted,
                "closed_at": submitted + dt.timedelta(days=rng.randrange(1, 40)) if closed else None,
                "decided_at": submitted + dt.timedelta(days=rng.randrange(1, 30)) if closed else None,
                "outcome": rng.choice(["resolved", "resolved", "resolved", "not_resolved"]) if closed else "",
                "amount_involved": involved,
                "amount_recovered": (involved * Decimal(rng.randrange(0, 100)) / 100).quantize(Decimal("0.01"))
                if involved and closed else None,
                "is_spam": False,
            })
        with transaction.atomic():
            fast_insert(Case, rows)
        built["cases"] += len(rows)
        log(f"cases {start + len(rows):,}/{cases:,}")

    per_activity = 100
    have = Attendance.objects.filter(registration__activity__number__startswith="B").count()
    for start in range(have, participations, chunk):
        count = min(participations, start + chunk) - start
        activities, sessions, registrations, attendances = [], [], [], []
        for a in range(-(-count // per_activity)):
            day = first + dt.timedelta(days=rng.randrange(span))
            org = rng.choice(orgs)
            n = min(per_activity, count - a * per_activity)
            activities.append({"org_id": org, "number": f"B{start // per_activity + a:09d}",
                               "kind": rng.choice(["study_trip", "training", "public_welfare", "forum"]),
                               "title": f"基准活动{start // per_activity + a}", "start": day, "end": day,
                               "audience": "members", "registration_open": False, "participants": n,
                               "person_times": n, "hours": Decimal(0)})
        with transaction.atomic():
            fast_insert(Activity, activities)
            for act in activities:
                sessions.append({"org_id": act["org_id"], "activity_id": act["id"], "number": 1, "date": act["start"],
                                 "hours": Decimal(0)})
            fast_insert(Session, sessions)
            for act, ses in zip(activities, sessions, strict=True):
                for k in range(act["participants"]):
                    registrations.append({"org_id": act["org_id"], "activity_id": act["id"],
                                          "name": f"参加者{k}", "status": "registered", "channel": "staff",
                                          "_session": ses["id"]})
            fast_insert(Registration, registrations)  # "_session" is not a column: the writer ignores it
            for r in registrations:
                attendances.append({"org_id": r["org_id"], "registration_id": r["id"], "session_id": r["_session"],
                                    "method": "list"})
            fast_insert(Attendance, attendances)
        built["participations"] += len(attendances)
        log(f"participations {start + len(attendances):,}/{participations:,}")
    return built
