"""REST API: token, CRUD of each resource through the services, filters, masking, reveal, scope, schema."""
import datetime as dt

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle

from orgs.models import Organization
from registry import services
from registry.models import Enterprise, Membership, Person
from tests import factories as f

# --- helpers ---------------------------------------------------------------------------------


def person(by, org, name="王小明", **extra):
    """A person registered through the service."""
    data = {"org": org, "name": name, "category": "overseas_chinese", "country": "IT"}
    data.update(extra)
    return services.create_person(by=by, **data)


def enterprise(by, org, name="义乌小商品有限公司", **extra):
    """An enterprise registered through the service."""
    return services.create_enterprise(by=by, org=org, name=name, **extra)


def ids(response):
    """The ids on a list page."""
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- token -----------------------------------------------------------------------------------


def test_token_for_good_credentials_authenticates_later_calls(api, users):
    r = api().post("/api/auth/token/", {"username": "hz_staff", "password": "pw-hz_staff-123"}, format="json")
    assert r.status_code == 200
    token = r.json()["token"]
    c = api()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert c.get("/api/people/").status_code == 200


def test_token_refused_for_bad_password(api, users):
    r = api().post("/api/auth/token/", {"username": "hz_staff", "password": "wrong"}, format="json")
    assert r.status_code == 400
    assert "token" not in r.json()


def test_anonymous_calls_are_refused(api, users):
    assert api().get("/api/people/").status_code == 401


def test_account_locks_after_failure_limit_even_with_right_password(api, users):
    c = api()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        r = c.post("/api/auth/token/", {"username": "hz_staff", "password": "wrong"}, format="json")
        assert r.status_code in (400, settings.AXES_HTTP_RESPONSE_CODE)
        assert "token" not in r.json()
    r = c.post("/api/auth/token/", {"username": "hz_staff", "password": "pw-hz_staff-123"}, format="json")
    assert r.status_code == settings.AXES_HTTP_RESPONSE_CODE
    assert r["Content-Type"].startswith("application/json")
    assert "token" not in r.json()
    assert AccessAttempt.objects.get(username="hz_staff").failures_since_start >= settings.AXES_FAILURE_LIMIT


def test_token_endpoint_is_throttled(api, users, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "2/min"})
    c = api()
    for _ in range(2):
        assert c.post("/api/auth/token/", {"username": "x", "password": "y"}, format="json").status_code == 400
    r = c.post("/api/auth/token/", {"username": "x", "password": "y"}, format="json")
    assert r.status_code == 429
    assert "Retry-After" in r


# --- organizations ---------------------------------------------------------------------------


def test_organization_list_is_the_callers_subtree_with_parents(api, tree):
    r = api("hz_staff").get("/api/organizations/")
    rows = {row["code"]: row for row in r.json()["results"]}
    assert set(rows) == {"hz", "hz-sc"}
    assert rows["hz-sc"]["parent"] == "hz"
    assert rows["hz-sc"]["parent_id"] == tree["hz"].pk
    assert rows["hz"]["parent"] == "zj"


def test_organization_detail_and_out_of_scope_404(api, tree):
    c = api("hz_staff")
    assert c.get(f"/api/organizations/{tree['sc'].pk}/").json()["name"] == "上城区侨联"
    assert c.get(f"/api/organizations/{tree['wz'].pk}/").status_code == 404
    assert c.get("/api/organizations/999999/").status_code == 404


def test_organization_create_under_parent_by_code_or_id(api, tree):
    c = api("hz_admin")
    r = c.post("/api/organizations/", {"code": "hz-xh", "name": "西湖区侨联", "kind": "qiaolian",
                                       "parent": "hz"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["parent"] == "hz"
    org = Organization.objects.get(code="hz-xh")
    assert org.path.startswith(tree["hz"].path) and org.depth == 3
    r = c.post("/api/organizations/", {"code": "hz-sc-1", "name": "上城区侨胞之家", "kind": "service_point",
                                       "parent": tree["sc"].pk}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["parent"] == "hz-sc"


def test_organization_create_needs_a_visible_parent_and_manage_grant(api, tree):
    body = {"code": "x1", "name": "新单位", "kind": "chamber"}
    assert "parent" in api("hz_admin").post("/api/organizations/", body, format="json").json()
    r = api("hz_admin").post("/api/organizations/", {**body, "parent": "wz"}, format="json")
    assert r.status_code == 400 and "parent" in r.json()
    assert api("hz_staff").post("/api/organizations/", {**body, "parent": "hz"}, format="json").status_code == 403
    assert not Organization.objects.filter(code="x1").exists()


def test_organization_duplicate_code_names_the_field(api, tree):
    r = api("hz_admin").post("/api/organizations/", {"code": "wz", "name": "重复", "kind": "chamber",
                                                     "parent": "hz"}, format="json")
    assert r.status_code == 400
    assert "code" in r.json()


def test_organization_update_and_move(api, tree):
    c = api("hz_admin")
    r = c.patch(f"/api/organizations/{tree['sc'].pk}/", {"short_name": "上城"}, format="json")
    assert r.status_code == 200 and r.json()["short_name"] == "上城"
    child = c.post("/api/organizations/", {"code": "sc-1", "name": "小营侨胞之家", "kind": "service_point",
                                           "parent": "hz-sc"}, format="json").json()
    r = c.patch(f"/api/organizations/{child['id']}/", {"parent": "hz"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["parent"] == "hz"
    full = c.get(f"/api/organizations/{child['id']}/").json()
    full["name"] = "小营街道侨胞之家"
    r = c.put(f"/api/organizations/{child['id']}/", full, format="json")
    assert r.status_code == 200, r.content
    assert Organization.objects.get(pk=child["id"]).name == "小营街道侨胞之家"


def test_organization_put_round_trip_at_the_top_of_the_callers_subtree(api, tree):
    c = api("hz_admin")
    body = c.get(f"/api/organizations/{tree['hz'].pk}/").json()
    assert body["parent"] == "zj"  # above hz_admin's scope
    body["short_name"] = "杭州侨联"
    r = c.put(f"/api/organizations/{tree['hz'].pk}/", body, format="json")
    assert r.status_code == 200, r.content
    assert Organization.objects.get(pk=tree["hz"].pk).short_name == "杭州侨联"


def test_organization_viewer_cannot_write(api, tree):
    r = api("hz_viewer").patch(f"/api/organizations/{tree['sc'].pk}/", {"name": "改名"}, format="json")
    assert r.status_code == 403
    assert Organization.objects.get(pk=tree["sc"].pk).name == "上城区侨联"


def test_organization_filters_and_search(api, tree):
    c = api("zj_admin")
    assert {r["code"] for r in c.get("/api/organizations/?q=上城").json()["results"]} == {"hz-sc"}
    assert {r["code"] for r in c.get("/api/organizations/?under=wz").json()["results"]} == {"wz", "wz-chamber"}
    kind = c.get("/api/organizations/?kind=overseas_merchant_association").json()["results"]
    assert [r["code"] for r in kind] == ["wz-chamber"]
    assert {r["code"] for r in c.get("/api/organizations/?region=3301").json()["results"]} == {"hz", "hz-sc"}


# --- people ----------------------------------------------------------------------------------


def test_person_create_through_the_service_answers_masked(api, tree):
    number = f.id_number(born=dt.date(1985, 3, 5))
    r = api("hz_staff").post("/api/people/", {
        "org": "hz-sc", "name": "陈建国", "category": "overseas_chinese", "country": "IT",
        "id_number": number.lower(), "phone": "+39 333 123 4567", "email": "chen@example.com",
        "address": "浙江省杭州市上城区解放路1号", "tags": ["外贸", "电商"],
    }, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    p = Person.objects.get(pk=body["id"])
    assert p.id_number == number.upper() and p.birth_date == dt.date(1985, 3, 5)  # normalised by the service
    assert body["id_number"] == number[:2] + "*" * 14 + number[-2:]
    assert body["phone"] == "+39 333***4567"
    assert body["email"] == "c***@example.com"
    assert body["birth_date"] == "1985-**-**"
    assert body["address"].endswith("****")
    assert body["tags"] == ["外贸", "电商"]
    assert body["org"] == "hz-sc"
    assert LogEntry.objects.get_for_object(p).get(action=LogEntry.Action.CREATE).actor.username == "hz_staff"


def test_person_validation_errors_name_the_field(api, tree):
    number = f.id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    r = api("hz_staff").post("/api/people/", {"org": "hz", "name": "李四", "category": "relative",
                                              "id_number": wrong}, format="json")
    assert r.status_code == 400
    assert "id_number" in r.json()
    assert not Person.objects.exists()


def test_person_create_outside_scope_or_as_viewer_is_refused(api, tree):
    body = {"org": "wz", "name": "李四", "category": "relative"}
    r = api("hz_staff").post("/api/people/", body, format="json")
    assert r.status_code == 400 and "org" in r.json()
    assert api("hz_viewer").post("/api/people/", {**body, "org": "hz"}, format="json").status_code == 403
    assert not Person.objects.exists()


def test_duplicate_person_answers_409_with_existing_ids_and_reason(api, users, tree):
    number = f.id_number()
    first = person(users["hz_staff"], tree["hz"], id_number=number)
    r = api("hz_staff").post("/api/people/", {"org": "hz-sc", "name": "王晓明", "category": "relative",
                                              "id_number": number}, format="json")
    assert r.status_code == 409
    body = r.json()
    assert body["existing"] == [first.pk]
    assert body["reason"] and body["code"] == "duplicate"
    assert Person.objects.count() == 1


def test_duplicate_outside_scope_is_counted_not_shown(api, users, tree):
    number = f.id_number()
    person(users["wz_staff"], tree["wz"], id_number=number)
    r = api("hz_staff").post("/api/people/", {"org": "hz", "name": "王晓明", "category": "relative",
                                              "id_number": number}, format="json")
    assert r.status_code == 409
    assert r.json()["existing"] == [] and r.json()["existing_elsewhere"] == 1


def test_person_list_and_detail_mask_personal_data_even_with_the_grant(api, users, tree):
    p = person(users["hz_admin"], tree["sc"], id_number=f.id_number(), phone="13812345678",
               email="wang@example.com", passport_number="E12345678", address="杭州市上城区某路8号")
    c = api("hz_admin")
    row = c.get("/api/people/").json()["results"][0]
    detail = c.get(f"/api/people/{p.pk}/").json()
    for shown in (row, detail):
        assert shown["phone"] == "138****5678"
        assert shown["id_number"] != p.id_number and "*" in shown["id_number"]
        assert shown["passport_number"] == "E1*****78"
        assert shown["email"] == "w***@example.com"
        assert shown["birth_date"].endswith("-**-**")
        assert p.address not in str(shown)


def test_person_update_patch_and_put_round_trip_keeps_personal_data(api, users, tree):
    p = person(users["hz_staff"], tree["hz"], id_number=f.id_number(), phone="13812345678",
               email="wang@example.com", address="杭州市上城区某路8号")
    c = api("hz_staff")
    r = c.patch(f"/api/people/{p.pk}/", {"foreign_name": "Wang Xiaoming", "tags": ["侨领"]}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["tags"] == ["侨领"]
    body = c.get(f"/api/people/{p.pk}/").json()
    body["notes"] = "回访一次"
    r = c.put(f"/api/people/{p.pk}/", body, format="json")  # masked values sent back unchanged
    assert r.status_code == 200, r.content
    fresh = Person.objects.get(pk=p.pk)
    assert (fresh.id_number, fresh.phone, fresh.email, fresh.address, fresh.birth_date) == (
        p.id_number, p.phone, p.email, p.address, p.birth_date)
    assert fresh.notes == "回访一次" and fresh.foreign_name == "Wang Xiaoming"
    r = c.patch(f"/api/people/{p.pk}/", {"phone": "13900001111"}, format="json")
    assert r.status_code == 200 and Person.objects.get(pk=p.pk).phone == "+8613900001111"


def test_person_viewer_cannot_update(api, users, tree):
    p = person(users["hz_staff"], tree["hz"])
    r = api("hz_viewer").patch(f"/api/people/{p.pk}/", {"name": "改名"}, format="json")
    assert r.status_code == 403
    assert Person.objects.get(pk=p.pk).name == "王小明"


def test_merged_person_is_hidden(api, users, tree):
    keep = person(users["hz_staff"], tree["hz"])
    drop = person(users["hz_staff"], tree["hz"], name="王晓明")
    services.merge_people(by=users["hz_staff"], keep=keep, drop=drop)
    c = api("hz_staff")
    assert ids(c.get("/api/people/")) == {keep.pk}
    assert c.get(f"/api/people/{drop.pk}/").status_code == 404


def test_person_filters_and_search(api, users, tree):
    by = users["zj_admin"]
    a = person(by, tree["sc"], name="陈建国", category="overseas_chinese", home_region="330782",
               tags=["外贸"], is_new_overseas=True)
    b = person(by, tree["hz"], name="林美华", foreign_name="Linda Lin", category="relative", country="US")
    w = person(by, tree["wz"], name="陈静", category="overseas_chinese")
    c = api("zj_admin")
    assert ids(c.get("/api/people/?q=陈")) == {a.pk, w.pk}
    assert ids(c.get("/api/people/?q=linda")) == {b.pk}
    assert ids(c.get("/api/people/?category=relative")) == {b.pk}
    assert ids(c.get("/api/people/?country=US")) == {b.pk}
    assert ids(c.get("/api/people/?home_region=330000")) == {a.pk}
    assert ids(c.get("/api/people/?org=hz")) == {a.pk, b.pk}
    assert ids(c.get("/api/people/?tag=外贸")) == {a.pk}
    assert ids(c.get("/api/people/?is_new_overseas=true")) == {a.pk}
    assert ids(api("hz_staff").get("/api/people/?q=陈")) == {a.pk}
    names = [r["name"] for r in c.get("/api/people/?ordering=name&org=hz").json()["results"]]
    assert names == sorted(names)


# --- reveal ----------------------------------------------------------------------------------


def test_reveal_returns_clear_values_and_logs_purpose(api, users, tree):
    number = f.id_number()
    p = person(users["hz_admin"], tree["sc"], id_number=number, phone="13812345678")
    r = api("hz_admin").post(f"/api/people/{p.pk}/reveal/",
                             {"purpose": "核实入会资料", "fields": ["id_number", "phone"]}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["values"] == {"id_number": number, "phone": "+8613812345678"}
    entry = LogEntry.objects.get_for_object(p).get(action=LogEntry.Action.ACCESS)
    assert entry.actor == users["hz_admin"]
    assert entry.additional_data["purpose"] == "核实入会资料"
    assert entry.additional_data["fields"] == ["id_number", "phone"]


def test_reveal_all_fields_when_none_named(api, users, tree):
    p = person(users["hz_admin"], tree["hz"], phone="13812345678")
    r = api("hz_admin").post(f"/api/people/{p.pk}/reveal/", {"purpose": "电话回访"}, format="json")
    assert r.status_code == 200
    assert set(r.json()["values"]) == set(Person.personal_fields)


def test_reveal_refused_without_grant_or_purpose_and_not_logged(api, users, tree):
    p = person(users["hz_admin"], tree["hz"], phone="13812345678")
    url = f"/api/people/{p.pk}/reveal/"
    assert api("hz_staff").post(url, {"purpose": "核实", "fields": ["phone"]}, format="json").status_code == 403
    assert api("hz_admin").post(url, {"fields": ["phone"]}, format="json").status_code == 403
    assert api("hz_admin").post(url, {"purpose": "  ", "fields": ["phone"]}, format="json").status_code == 403
    assert api("wz_staff").post(url, {"purpose": "核实"}, format="json").status_code == 404
    assert api("hz_admin").post(url, {"purpose": "核实", "fields": ["name"]}, format="json").status_code == 400
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_enterprise_reveal(api, users, tree):
    e = enterprise(users["hz_admin"], tree["hz"], phone="057187654321")
    r = api("hz_admin").post(f"/api/enterprises/{e.pk}/reveal/", {"purpose": "联系企业", "fields": ["phone"]},
                             format="json")
    assert r.status_code == 200
    assert r.json()["values"]["phone"] == e.phone
    assert LogEntry.objects.get_for_object(e).filter(action=LogEntry.Action.ACCESS).count() == 1


# --- enterprises -----------------------------------------------------------------------------


def test_enterprise_create_update_and_masking(api, users, tree):
    p = person(users["hz_staff"], tree["hz"])
    c = api("hz_staff")
    code = f.credit_code()
    r = c.post("/api/enterprises/", {"org": "hz", "name": "杭州丝绸贸易有限公司", "credit_code": code.lower(),
                                     "industry": "F", "phone": "13812345678", "legal_person": p.pk,
                                     "address": "杭州市上城区某路8号", "tags": ["外贸"]}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert Enterprise.objects.get(pk=body["id"]).credit_code == code
    assert body["phone"] == "138****5678" and body["address"].endswith("****")
    assert body["legal_person"] == p.pk and body["tags"] == ["外贸"]
    r = c.patch(f"/api/enterprises/{body['id']}/", {"size": "small"}, format="json")
    assert r.status_code == 200 and r.json()["size"] == "small"
    r = c.post("/api/enterprises/", {"org": "hz", "name": "重复公司", "credit_code": code}, format="json")
    assert r.status_code == 400 and "credit_code" in r.json()
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    r = c.post("/api/enterprises/", {"org": "hz", "name": "错误公司", "credit_code": bad}, format="json")
    assert r.status_code == 400 and "credit_code" in r.json()


def test_enterprise_legal_person_must_be_visible(api, users, tree):
    w = person(users["wz_staff"], tree["wz"])
    r = api("hz_staff").post("/api/enterprises/", {"org": "hz", "name": "某公司", "legal_person": w.pk},
                             format="json")
    assert r.status_code == 400 and "legal_person" in r.json()


def test_enterprise_filters_and_viewer(api, users, tree):
    by = users["zj_admin"]
    a = enterprise(by, tree["sc"], name="杭州丝绸有限公司", industry="C", main_products="丝巾")
    b = enterprise(by, tree["hz"], name="杭州茶叶商行", industry="F", kind="sole_proprietor")
    c = api("hz_staff")
    assert ids(c.get("/api/enterprises/?q=丝巾")) == {a.pk}
    assert ids(c.get("/api/enterprises/?industry=F")) == {b.pk}
    assert ids(c.get("/api/enterprises/?kind=sole_proprietor")) == {b.pk}
    assert ids(c.get("/api/enterprises/?org=hz-sc")) == {a.pk}
    assert api("hz_viewer").patch(f"/api/enterprises/{a.pk}/", {"name": "x"}, format="json").status_code == 403
    assert api("wz_staff").get(f"/api/enterprises/{a.pk}/").status_code == 404


# --- memberships -----------------------------------------------------------------------------


def test_membership_create_update_and_filters(api, users, tree):
    p = person(users["hz_staff"], tree["hz"])
    e = enterprise(users["hz_staff"], tree["hz"])
    c = api("hz_staff")
    r = c.post("/api/memberships/", {"org": "hz-sc", "person": p.pk, "role": "director",
                                     "joined_on": "2020-01-01"}, format="json")
    assert r.status_code == 201, r.content
    m = r.json()
    assert m["member_name"] == "王小明" and m["is_current"] is True and m["org"] == "hz-sc"
    r = c.post("/api/memberships/", {"org": "hz-sc", "person": p.pk}, format="json")
    assert r.status_code == 400  # already a current member
    r = c.post("/api/memberships/", {"org": "hz", "person": p.pk, "enterprise": e.pk}, format="json")
    assert r.status_code == 400 and "non_field_errors" in r.json()
    e_m = c.post("/api/memberships/", {"org": "hz", "enterprise": e.pk}, format="json").json()

    r = c.patch(f"/api/memberships/{m['id']}/", {"left_on": "2024-06-30"}, format="json")
    assert r.status_code == 200 and r.json()["is_current"] is False
    full = c.get(f"/api/memberships/{m['id']}/").json()
    full["role"] = "vice_president"
    assert c.put(f"/api/memberships/{m['id']}/", full, format="json").status_code == 200
    assert Membership.objects.get(pk=m["id"]).role == "vice_president"
    r = c.patch(f"/api/memberships/{m['id']}/", {"org": "hz"}, format="json")
    assert r.status_code == 400 and "org" in r.json()
    r = c.patch(f"/api/memberships/{m['id']}/", {"left_on": "2019-01-01"}, format="json")
    assert r.status_code == 400

    assert ids(c.get("/api/memberships/?current=false")) == {m["id"]}
    assert ids(c.get("/api/memberships/?current=true")) == {e_m["id"]}
    assert ids(c.get(f"/api/memberships/?person={p.pk}")) == {m["id"]}
    assert ids(c.get("/api/memberships/?org=hz-sc")) == {m["id"]}
    assert ids(c.get("/api/memberships/?role=vice_president")) == {m["id"]}


def test_membership_of_invisible_person_or_by_viewer_is_refused(api, users, tree):
    w = person(users["wz_staff"], tree["wz"])
    r = api("hz_staff").post("/api/memberships/", {"org": "hz", "person": w.pk}, format="json")
    assert r.status_code == 400 and "person" in r.json()
    p = person(users["hz_staff"], tree["hz"])
    assert api("hz_viewer").post("/api/memberships/", {"org": "hz", "person": p.pk},
                                 format="json").status_code == 403
    assert not Membership.objects.exists()


def test_membership_put_round_trip_keeps_a_member_from_another_subtree(api, users, tree):
    w = person(users["zj_admin"], tree["wz"])
    m = services.add_membership(by=users["zj_admin"], org=tree["hz"], person=w)
    c = api("hz_staff")
    body = c.get(f"/api/memberships/{m.pk}/").json()
    body["role"] = "director"
    r = c.put(f"/api/memberships/{m.pk}/", body, format="json")
    assert r.status_code == 200, r.content
    assert Membership.objects.get(pk=m.pk).role == "director"


# --- query counts ----------------------------------------------------------------------------

# token with user and grants, COUNT, page, and the page's tag names where a resource has them.
LIST_QUERIES = {"organizations": 3, "people": 4, "enterprises": 4, "memberships": 3}


@pytest.fixture
def crowd(users, tree):
    """Twelve of each resource spread over the 杭州 subtree, with tags."""
    by = users["zj_admin"]
    for i in range(12):
        org = f.org(f"hz-sp-{i}", f"侨胞之家{i}", tree["sc"], kind="service_point")
        p = person(by, org, name=f"人员{i}", tags=["外贸", f"标签{i}"], phone=f"138000000{i:02d}")
        e = enterprise(by, org, name=f"企业{i}", tags=["电商"], legal_person=p)
        services.add_membership(by=by, org=org, person=p)
        services.add_membership(by=by, org=org, enterprise=e)


@pytest.mark.parametrize("prefix", sorted(LIST_QUERIES))
def test_list_query_count_does_not_grow_with_rows(api, crowd, prefix, django_assert_max_num_queries):
    c = api("hz_staff")
    with django_assert_max_num_queries(LIST_QUERIES[prefix]):
        r = c.get(f"/api/{prefix}/")
    assert r.status_code == 200 and len(r.json()["results"]) >= 12


def test_list_pages_give_each_record_its_own_tags_in_their_order(api, crowd, users, tree):
    """A list page reads its records' tag names in one query (core.api.TagNamesMixin): each record gets its
    own, in the order the tags relation gives them, none for an untagged record, on a search's page too."""
    from registry.models import Enterprise, Person

    untagged = person(users["zj_admin"], tree["sc"], name="人员无标签")
    c = api("hz_staff")
    for prefix, model, q in (("people", Person, "人员"), ("enterprises", Enterprise, "企业")):
        for params in ({}, {"q": q}):
            rows = c.get(f"/api/{prefix}/", params).json()["results"]
            assert len(rows) >= 12
            for row in rows:
                assert row["tags"] == [t.name for t in model.objects.get(pk=row["id"]).tags.all()]
            assert any(len(row["tags"]) == 2 for row in rows) or prefix == "enterprises"
    people = c.get("/api/people/", {"q": "人员"}).json()["results"]
    assert next(row["tags"] for row in people if row["id"] == untagged.pk) == []
    assert c.get(f"/api/people/{untagged.pk}/").json()["tags"] == []


# --- schema and docs -------------------------------------------------------------------------


def test_schema_is_valid_openapi(api, users):
    from drf_spectacular.validation import validate_schema

    r = api().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    schema = r.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/people/", "/api/people/{id}/reveal/", "/api/organizations/", "/api/enterprises/",
                 "/api/memberships/", "/api/auth/token/"):
        assert path in schema["paths"]
    validate_schema(schema)


def test_docs_page_relaxes_csp_for_itself_only(api, users):
    r = api().get("/api/docs/")
    assert r.status_code == 200
    policy = r["Content-Security-Policy"]
    assert "'unsafe-inline'" in policy.split("style-src")[1].split(";")[0]
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    script = api().get("/api/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
    assert "'unsafe-inline'" not in api("hz_staff").get("/api/people/").get("Content-Security-Policy", "")


def test_merge_through_the_api(api, users, tree):
    from registry import services as registry_services

    by = users["zj_admin"]
    keep = registry_services.create_person(by=by, org=tree["hz"], name="王小明", category="relative")
    drop = registry_services.create_person(by=by, org=tree["hz"], name="王曉明", category="relative")
    other = registry_services.create_person(by=by, org=tree["wz"], name="王晓明", category="relative")
    client = api("hz_staff")
    response = client.post(f"/api/people/{keep.pk}/merge/", {"drop": drop.pk}, format="json")
    assert response.status_code == 200 and "王曉明" in response.json()["former_names"]
    assert client.post(f"/api/people/{keep.pk}/merge/", {"drop": other.pk}, format="json").status_code == 404
    assert api("hz_viewer").post(f"/api/people/{keep.pk}/merge/", {"drop": drop.pk},
                                        format="json").status_code == 403
