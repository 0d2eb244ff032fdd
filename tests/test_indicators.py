"""Indicators against a hand-counted fixture: subtree, period, year over year, scope, CLI and API."""
import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from registry import services
from registry.models import Person
from stats.indicators import REGISTRY, evaluate


@pytest.fixture
def records(users, tree):
    by = users["zj_admin"]
    made = []
    for name, org, cat, country, year in [
        ("甲", "hz", "overseas_chinese", "IT", 2024), ("乙", "hz", "overseas_chinese", "IT", 2025),
        ("丙", "sc", "relative", "", 2025), ("丁", "wz", "overseas_chinese", "ES", 2025),
    ]:
        p = services.create_person(by=by, org=tree[org], name=name, category=cat, country=country)
        Person.objects.filter(pk=p.pk).update(created_at=timezone.make_aware(dt.datetime(year, 3, 1)))
        made.append(p)
    m1 = services.add_membership(by=by, org=tree["hz"], person=made[0], joined_on=dt.date(2024, 2, 1))
    services.add_membership(by=by, org=tree["hz"], person=made[1], joined_on=dt.date(2025, 2, 1))
    services.add_membership(by=by, org=tree["wz"], person=made[3], joined_on=dt.date(2025, 2, 1),
                            left_on=dt.date(2025, 6, 1))
    services.record_payment(by=by, membership=m1, year=2024, amount=Decimal("500"), paid_on=dt.date(2024, 5, 1))
    services.record_payment(by=by, membership=m1, year=2025, amount=Decimal("800"), paid_on=dt.date(2025, 5, 1))
    return made


Y2025 = {"start": dt.date(2025, 1, 1), "end": dt.date(2025, 12, 31)}


def test_people_count_with_year_over_year(users, tree, records):
    r = evaluate("registry.people.count", user=users["zj_admin"], **Y2025)
    assert (r.value, r.previous, r.change) == (4, 1, 300.0)
    r = evaluate("registry.people.count", user=users["zj_admin"], org=tree["hz"], **Y2025)
    assert (r.value, r.previous) == (3, 1)


def test_breakdowns_and_period_figures(users, tree, records):
    by = users["zj_admin"]
    assert evaluate("registry.people.by_category", user=by, **Y2025).value == {"overseas_chinese": 3, "relative": 1}
    assert evaluate("registry.people.by_country", user=by, **Y2025).value == {"IT": 2, "ES": 1}
    assert evaluate("registry.people.registered", user=by, **Y2025).value == 3
    assert evaluate("registry.members.joined", user=by, **Y2025).value == 2
    assert evaluate("registry.members.current", user=by, **Y2025).value == 2
    r = evaluate("registry.dues.collected", user=by, **Y2025)
    assert (r.value, r.previous, r.change) == (Decimal("800"), Decimal("500"), 60.0)


def test_a_user_sees_only_their_subtree(users, tree, records):
    assert evaluate("registry.people.count", user=users["wz_staff"], **Y2025).value == 1
    assert evaluate("registry.people.count", user=users["hz_staff"], org=tree["zj"], **Y2025).value == 3
    assert evaluate("registry.people.count", user=users["nobody"], **Y2025).value == 0


def test_every_registered_indicator_computes(users, tree, records):
    for key in REGISTRY:
        evaluate(key, user=users["hz_staff"], **Y2025)


def test_cli_prints_the_stable_json(users, tree, records):
    out = StringIO()
    call_command("indicator", "registry.people.count", "--org", "hz", "--from", "2025-01-01", "--to",
                 "2025-12-31", "--format", "json", stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["key"] == "registry.people.count" and doc["value"] == 3 and doc["unit"] == "人"
    out = StringIO()
    call_command("indicator", "--list", "--format", "json", stdout=out)
    assert "registry.dues.collected" in {r["key"] for r in json.loads(out.getvalue())}


def test_api_per_indicator_is_scoped(api, users, tree, records):
    response = api("hz_staff").get("/api/indicators/registry.people.count/",
                                   {"from": "2025-01-01", "to": "2025-12-31"})
    assert response.status_code == 200 and response.json()["value"] == 3
    assert api("hz_staff").get("/api/indicators/registry.people.count/", {"org": "wz"}).status_code == 404
    assert api("hz_staff").get("/api/indicators/nope/").status_code == 404
    assert api().get("/api/indicators/").status_code in (401, 403)
