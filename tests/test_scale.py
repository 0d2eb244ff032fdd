"""Province scale: the demo's bulk paths (COPY, executemany), its search index, cached home counts, query counts."""
import datetime as dt
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from core import counts
from core.models import SearchEntry
from core.search import search
from orgs.models import Organization
from registry import services
from registry.management.commands.demo import fast_insert
from registry.models import DuesPayment, Enterprise, Membership, Person
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent


def fingerprint() -> dict:
    """The demo's records by natural keys (no ids, no timestamps), comparable across databases."""
    def rows(qs, *fields):
        return sorted(json.dumps(r, default=str, ensure_ascii=False) for r in qs.values_list(*fields))

    person = ("org__code", "name", "gender", "birth_date", "category", "country", "home_region", "id_number",
              "passport_number", "phone", "email", "wechat", "address", "languages", "industries", "notes",
              "is_new_overseas", "foreign_name")
    return {
        "people": rows(Person.objects.all(), *person),
        "tags": rows(Person.tags.through.objects.all(), "person__name", "person__birth_date", "tag__name"),
        "enterprises": rows(Enterprise.objects.all(), "org__code", "name", "credit_code", "kind", "industry",
                            "country", "region", "size", "legal_person__name", "main_products", "phone", "address"),
        "memberships": rows(Membership.objects.all(), "org__code", "person__name", "person__birth_date",
                            "enterprise__name", "role", "joined_on", "left_on"),
        "dues": rows(DuesPayment.objects.all(), "org__code", "membership__person__name", "membership__enterprise__name",
                     "year", "amount", "paid_on", "receipt_number"),
        "search": sorted(SearchEntry.objects.values_list("model", flat=True)),
    }


@pytest.fixture
def demo(db, monkeypatch):
    """A small demo written by the bulk paths of this database."""
    monkeypatch.setenv("SHANGHUI_DEMO_PASSWORD", "demo-pass-123")
    out = io.StringIO()
    call_command("demo", people=300, seed=11, format="json", stdout=out)
    return json.loads(out.getvalue())


def test_this_databases_bulk_path_writes_the_same_records_as_sqlites(demo, tmp_path):
    """The same seed gives the same records through this database's bulk path (COPY on PostgreSQL) and
    through executemany in a child process on a fresh SQLite file; on SQLite this proves the demo is
    reproducible from its seed."""
    script = (
        "import json, django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "call_command('demo', people=300, seed=11, format='json', stdout=open('/dev/null', 'w'))\n"
        "from tests.test_scale import fingerprint\n"
        "print(json.dumps(fingerprint()))\n"
    )
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", SHANGHUI_DEMO_PASSWORD="x",
               DJANGO_SETTINGS_MODULE="shanghui.settings", PYTHONPATH=str(ROOT))
    child = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                           check=True)
    on_sqlite = json.loads(child.stdout.strip().splitlines()[-1])
    here = fingerprint()
    for table in on_sqlite:
        assert here[table] == on_sqlite[table], table


def test_fast_insert_stores_what_the_orm_stores(tree):
    """Dates, decimals, booleans, defaults and timestamps come back as the ORM writes them (both databases)."""
    m = Membership.objects.create(org=tree["wzc"], person=Person.objects.create(
        org=tree["wzc"], name="甲", category="relative"), joined_on=dt.date(2020, 1, 2))
    rows = [{"org_id": tree["wzc"].pk, "name": "林小雨", "category": "overseas_chinese", "country": "IT",
             "birth_date": dt.date(1980, 2, 29), "is_new_overseas": True}]
    fast_insert(Person, rows)
    person = Person.objects.get(pk=rows[0]["id"])
    assert (person.name, person.birth_date, person.is_new_overseas, person.notes, person.id_number) == (
        "林小雨", dt.date(1980, 2, 29), True, "", None)
    assert person.created_at is not None and person.merged_into_id is None
    payment = [{"org_id": tree["wzc"].pk, "membership_id": m.pk, "year": 2025, "amount": Decimal("1234.50"),
                "paid_on": dt.date(2025, 3, 1)}]
    fast_insert(DuesPayment, payment)
    assert DuesPayment.objects.get(pk=payment[0]["id"]).amount == Decimal("1234.50")
    # The sequence moved past the ids given: the ORM's next row does not collide.
    assert Person.objects.create(org=tree["wzc"], name="乙", category="relative").pk > rows[0]["id"]


def test_demo_search_index_finds_demo_people(demo):
    """Every person, enterprise and organization has its entry; names, pinyin and traditional forms find them."""
    assert SearchEntry.objects.filter(model="registry.person").count() == Person.objects.count() == 300
    assert SearchEntry.objects.filter(model="registry.enterprise").count() == Enterprise.objects.count()
    assert SearchEntry.objects.filter(model="orgs.organization").count() == Organization.objects.count()
    admin = f.user("root-admin", superuser=True)
    person = Person.objects.filter(name__regex=r"^.{3}$").order_by("pk")[10]
    assert person in search(Person.objects.all(), admin, person.name)
    assert person in search(Person.objects.all(), admin, person.name[1:])
    from pypinyin import lazy_pinyin

    assert person in search(Person.objects.all(), admin, "".join(lazy_pinyin(person.name)))
    enterprise = Enterprise.objects.order_by("pk").first()
    assert enterprise in search(Enterprise.objects.all(), admin, enterprise.name)


def test_search_index_stays_live_after_the_demo(demo):
    """The bulk load put back the index's trigger: a person registered afterwards is found at once."""
    admin = f.user("root-admin", superuser=True)
    org = Organization.objects.get(code="ywql")
    person = services.create_person(by=admin, org=org, name="欧阳娜娜", category="relative")
    assert [p.pk for p in search(Person.objects.all(), admin, "欧阳娜")] == [person.pk]


def test_home_counts_of_a_large_scope_are_cached_and_labelled(client, users, tree, monkeypatch):
    """Past EXACT_BELOW the counts come from the cache and the page says "约"."""
    cache.clear()
    monkeypatch.setattr(counts, "EXACT_BELOW", 1)
    services.create_person(by=users["zj_admin"], org=tree["hz"], name="王一", category="relative")
    client.force_login(users["hz_staff"])
    first = client.get(reverse("home")).content.decode()
    assert 'data-count="people">1<' in first and "data-counts-approximate" not in first
    services.create_person(by=users["zj_admin"], org=tree["hz"], name="王二", category="relative")
    second = client.get(reverse("home")).content.decode()
    assert "data-counts-approximate" in second and "约" in second
    assert 'data-count="people"><span class="approx">约</span>1<' in second  # counted before 王二
    cache.clear()


def test_expired_home_counts_are_counted_again_by_one_request_while_the_others_show_the_last(
        client, users, tree, monkeypatch, django_assert_num_queries):
    """When a large scope's counts expire, the request that takes the recount counts; a home page opened
    meanwhile shows the last counts, labelled "约" with their time, without counting (no stall of the server)."""
    cache.clear()
    monkeypatch.setattr(counts, "EXACT_BELOW", 1)
    services.create_person(by=users["zj_admin"], org=tree["hz"], name="王一", category="relative")
    first = counts.scope_counts(users["hz_staff"])
    assert first["people"] == 1 and not first["approximate"]
    services.create_person(by=users["zj_admin"], org=tree["hz"], name="王二", category="relative")
    key = counts._key(users["hz_staff"])
    cache.delete(key)  # expired
    cache.add(key + ":counting", 1, 60)  # another request is counting
    with django_assert_num_queries(0):
        meanwhile = counts.scope_counts(users["hz_staff"])
    assert (meanwhile["people"], meanwhile["approximate"]) == (1, True)
    cache.delete(key + ":counting")  # that recount is done, or died
    again = counts.scope_counts(users["hz_staff"])
    assert (again["people"], again["approximate"]) == (2, False)
    assert cache.get(key + ":counting") is None and counts.scope_counts(users["hz_staff"])["people"] == 2
    cache.clear()


def test_home_counts_of_a_small_scope_are_exact(client, users, tree):
    """Below EXACT_BELOW nothing is cached and no "约" is shown."""
    cache.clear()
    services.create_person(by=users["zj_admin"], org=tree["hz"], name="王一", category="relative")
    client.force_login(users["hz_staff"])
    client.get(reverse("home"))
    services.create_person(by=users["zj_admin"], org=tree["hz"], name="王二", category="relative")
    body = client.get(reverse("home")).content.decode()
    assert 'data-count="people">2<' in body and "data-counts-approximate" not in body


@pytest.mark.parametrize("n", [2, 20])
def test_home_query_count_does_not_grow(client, users, tree, django_assert_max_num_queries, n):
    """The home page runs the same few queries however many people there are."""
    cache.clear()
    for i in range(n):
        services.create_person(by=users["zj_admin"], org=tree["hz"], name=f"李{i}", category="relative",
                               country="IT")
    client.force_login(users["hz_staff"])
    with django_assert_max_num_queries(15):  # counts + 5 "my work" panels; tests/test_home.py pins each role
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("n", [1, 10])
def test_person_detail_query_count_does_not_grow(client, users, tree, django_assert_max_num_queries, n):
    """Memberships, positions, enterprises and dues on the detail page cost the same queries at 1 and 10."""
    by = users["zj_admin"]
    person = services.create_person(by=by, org=tree["wzc"], name="周大福", category="overseas_chinese")
    for i in range(n):
        services.add_membership(by=by, person=person, org=tree["wzc"] if i == 0 else
                                f.org(f"c{i}", f"商会{i}", tree["wz"], kind="chamber", region="330300"))
        services.create_enterprise(by=by, org=tree["wzc"], name=f"温州周氏贸易{i}有限公司", legal_person=person)
    client.force_login(users["zj_admin"])
    # A fixed cost beside the rows: session, second factor, the member-account and privacy panels.
    with django_assert_max_num_queries(20):
        assert client.get(reverse("registry:person-detail", args=[person.pk])).status_code == 200


def test_api_count_is_bounded_then_cached(api, users, tree, monkeypatch):
    """Past COUNT_CAP the API's `count` is counted once and served from the cache, flagged approximate."""
    from core import pagination

    cache.clear()
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    for i in range(4):
        services.create_person(by=users["zj_admin"], org=tree["hz"], name=f"赵{i}", category="relative")
    c = api("hz_staff")
    first = c.get("/api/people/").json()
    assert (first["count"], first["count_approximate"]) == (4, False)
    services.create_person(by=users["zj_admin"], org=tree["hz"], name="赵9", category="relative")
    second = c.get("/api/people/").json()
    assert (second["count"], second["count_approximate"]) == (4, True)
    monkeypatch.setattr(pagination, "COUNT_CAP", 100)
    third = c.get("/api/people/").json()
    assert (third["count"], third["count_approximate"]) == (5, False)
    cache.clear()
