"""The web UI through Django's test client: scoping, masking, reveal, forms, inline validation."""
import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from registry import services
from registry.models import Person
from tests import factories as f


@pytest.fixture
def people(users, tree):
    by = users["zj_admin"]
    hz = services.create_person(by=by, org=tree["sc"], name="王小明", category="overseas_chinese", country="IT",
                                id_number=f.id_number(), phone="+39 333 123 4567", tags=["外贸"])
    wz = services.create_person(by=by, org=tree["wzc"], name="陈静", category="relative", country="ES")
    return {"hz": hz, "wz": wz}


def login(client, user):
    client.force_login(user)
    return client


def test_pages_need_login(client, tree):
    for url in [reverse("home"), reverse("orgs:tree"), reverse("registry:person-list")]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_login_page_logs_in(client, users):
    response = client.post(reverse("login"), {"username": "hz_staff", "password": "pw-hz_staff-123"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_account_locks_after_repeated_failures(client, users):
    for _ in range(5):
        client.post(reverse("login"), {"username": "hz_staff", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "hz_staff", "password": "pw-hz_staff-123"})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_home_counts_only_the_users_scope(client, users, people):
    body = login(client, users["hz_staff"]).get(reverse("home")).content.decode()
    assert 'data-count="people">1<' in body
    assert 'data-count="organizations">2<' in body


def test_person_list_shows_own_subtree_masked(client, users, people):
    body = login(client, users["hz_staff"]).get(reverse("registry:person-list")).content.decode()
    assert "王小明" in body and "陈静" not in body
    assert "+39 333***4567" in body and "3331234567" not in body


def test_person_list_filters_and_sorting(client, users, people, tree):
    c = login(client, users["zj_admin"])
    assert "陈静" not in c.get(reverse("registry:person-list"), {"country": "IT"}).content.decode()
    assert "王小明" not in c.get(reverse("registry:person-list"), {"category": "relative"}).content.decode()
    assert "陈静" not in c.get(reverse("registry:person-list"), {"org": "hz"}).content.decode()
    assert "陈静" not in c.get(reverse("registry:person-list"), {"tag": "外贸"}).content.decode()
    body = c.get(reverse("registry:person-list"), {"q": "小明"}).content.decode()
    assert "王小明" in body and "陈静" not in body
    assert c.get(reverse("registry:person-list"), {"ordering": "-name"}).status_code == 200


def test_person_list_filter_form_follows_the_query_and_the_language(client, users, people):
    """The filter form is kept once rendered, yet each query shows its own choice and each language its labels."""
    c = login(client, users["zj_admin"])
    url = reverse("registry:person-list")
    for _ in range(2):
        relatives = c.get(url, {"category": "relative"}).content.decode()
        assert '<option value="relative" selected>' in relatives and "陈静" in relatives
        assert '<select name="country" class="form-select"' in relatives and ">意大利</option>" in relatives
        overseas = c.get(url, {"category": "overseas_chinese"}).content.decode()
        assert '<option value="overseas_chinese" selected>' in overseas
        assert '<option value="relative" selected>' not in overseas
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = c.get(url, {"category": "relative"}).content.decode()
    assert "Country of residence" in english and "居住国" not in english
    assert '<select name="country" class="form-select"' in english and ">Italy</option>" in english
    assert '<option value="relative" selected>Relative of overseas Chinese</option>' in english
    assert "<td>Relative of overseas Chinese</td>" in english  # the row's category, in English too


def test_menu_is_kept_yet_follows_the_users_grants_language_and_section(client, users, people):
    """The menu is rendered once per combination and kept, yet each user sees only the entries their grants
    give, with the current page marked, in their language."""
    people_link = f'class="nav-link active" href="{reverse("registry:person-list")}"'
    for _ in range(2):
        admin = login(client, users["zj_admin"]).get(reverse("home")).content.decode()
        assert "账号安全" in admin and f'href="{reverse("import")}">导入' in admin
        assert people_link not in admin
        viewer = login(client, users["hz_viewer"]).get(reverse("registry:person-list")).content.decode()
        assert "账号安全" not in viewer and f'href="{reverse("import")}">导入' not in viewer
        assert people_link in viewer
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("registry:person-list")).content.decode()
    assert f'{people_link}>People</a>' in english and ">人员</a>" not in english


def test_htmx_list_request_returns_only_the_results(client, users, people):
    response = login(client, users["zj_admin"]).get(reverse("registry:person-list"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="results"' in body and "<nav" not in body.split('id="results"')[0]


def test_other_subtree_answers_404(client, users, people):
    c = login(client, users["hz_staff"])
    assert c.get(reverse("registry:person-detail", args=[people["wz"].pk])).status_code == 404
    assert c.get(reverse("registry:person-edit", args=[people["wz"].pk])).status_code == 404
    assert c.get(reverse("orgs:detail", args=[people["wz"].org_id])).status_code == 404


def test_detail_is_masked_and_reveal_is_logged(client, users, people):
    person = people["hz"]
    c = login(client, users["hz_admin"])
    body = c.get(reverse("registry:person-detail", args=[person.pk])).content.decode()
    assert person.id_number not in body and person.id_number[:2] + "*" in body
    response = c.post(reverse("registry:person-reveal", args=[person.pk]), {"purpose": "核实身份"})
    assert person.id_number in response.content.decode()
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_pk=str(person.pk))
    assert entry.actor == users["hz_admin"] and entry.additional_data["purpose"] == "核实身份"


def test_reveal_needs_the_grant_and_a_purpose(client, users, people):
    person = people["hz"]
    assert login(client, users["hz_staff"]).post(
        reverse("registry:person-reveal", args=[person.pk]), {"purpose": "x"}).status_code == 403
    assert login(client, users["hz_admin"]).post(
        reverse("registry:person-reveal", args=[person.pk]), {"purpose": ""}).status_code == 400
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def _form(tree, **extra):
    data = {"org": tree["hz"].pk, "name": "李华", "category": "returned_student", "country": "FR"}
    data.update(extra)
    return data


def test_create_with_wrong_id_shows_the_error_then_saves(client, users, tree):
    c = login(client, users["hz_staff"])
    good = f.id_number()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    response = c.post(reverse("registry:person-create"), _form(tree, id_number=wrong))
    assert response.status_code == 200 and "校验位" in response.content.decode()
    assert not Person.objects.exists()
    response = c.post(reverse("registry:person-create"), _form(tree, id_number=good, tags="留学, 科技"))
    person = Person.objects.get()
    assert response["Location"] == reverse("registry:person-detail", args=[person.pk])
    assert {t.name for t in person.tags.all()} == {"留学", "科技"}


def test_create_duplicate_shows_existing_record(client, users, people, tree):
    c = login(client, users["hz_staff"])
    response = c.post(reverse("registry:person-create"), _form(tree, id_number=people["hz"].id_number))
    body = response.content.decode()
    assert 'id="duplicates"' in body and reverse("registry:person-detail", args=[people["hz"].pk]) in body
    assert Person.objects.count() == 2


def test_create_outside_scope_is_refused(client, users, tree):
    c = login(client, users["hz_staff"])
    response = c.post(reverse("registry:person-create"), _form(tree, org=tree["wz"].pk))
    assert response.status_code == 200 and not Person.objects.exists()


def test_inline_validation_answers_the_changed_field(client, users, tree):
    c = login(client, users["hz_staff"])
    good = f.id_number()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    response = c.post(reverse("registry:person-validate"), _form(tree, id_number=wrong),
                      HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER_NAME="id_number")
    assert "校验位" in response.content.decode()
    response = c.post(reverse("registry:person-validate"), _form(tree, id_number=good),
                      HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER_NAME="id_number")
    assert response.content.decode().strip() == ""


def test_edit_person_and_history_shows_the_change(client, users, people):
    c = login(client, users["hz_staff"])
    person = people["hz"]
    data = {"org": person.org_id, "name": person.name, "category": person.category, "country": "DE",
            "id_number": person.id_number, "phone": person.phone}
    assert c.post(reverse("registry:person-edit", args=[person.pk]), data).status_code == 302
    body = c.get(reverse("registry:person-detail", args=[person.pk])).content.decode()
    assert "country" in body and "IT → DE" in body


def test_enrolment_form_is_loaded_when_opened(client, users, people, tree):
    c = login(client, users["hz_staff"])
    person = people["hz"]
    url = reverse("registry:person-membership-add", args=[person.pk])
    page = c.get(reverse("registry:person-detail", args=[person.pk])).content.decode()
    assert f'hx-get="{url}"' in page and 'name="org"' not in page
    form = c.get(url).content.decode()
    assert f'action="{url}"' in form and 'name="org"' in form and "csrfmiddlewaretoken" in form
    assert c.get(reverse("registry:person-membership-add", args=[people["wz"].pk])).status_code == 404
    viewer = login(client, users["hz_viewer"]).get(reverse("registry:person-detail", args=[person.pk]))
    assert f'hx-get="{url}"' not in viewer.content.decode()


def test_membership_added_from_person_page(client, users, people, tree):
    c = login(client, users["hz_staff"])
    person = people["hz"]
    c.post(reverse("registry:person-membership-add", args=[person.pk]),
           {"org": tree["hz"].pk, "role": "director", "joined_on": "2024-01-01"})
    assert person.memberships.get().role == "director"


def test_membership_select_offers_the_users_organizations_read_in_one_query(client, users, people, tree):
    """The enrolment form's organization select lists what the user may change, read with one plain query
    (no server-side cursor: DECLARE, FETCH and CLOSE were three round trips on PostgreSQL)."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = login(client, users["hz_staff"])
    url = reverse("registry:person-membership-add", args=[people["hz"].pk])
    c.get(url)
    with CaptureQueriesContext(connection) as ctx:
        body = c.get(url).content.decode()
    select = re.search(r'<select name="org"[^>]*>(.*?)</select>', body, re.S).group(1)
    offered = set(re.findall(r'<option value="(\d+)"', select))
    assert offered == {str(tree["hz"].pk), str(tree["sc"].pk)}
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("DECLARE")]


def test_org_tree_and_children(client, users, tree):
    c = login(client, users["hz_staff"])
    body = c.get(reverse("orgs:tree")).content.decode()
    assert "杭州市侨联" in body and "浙江省侨联" not in body and "温州" not in body
    body = c.get(reverse("orgs:children", args=[tree["hz"].pk])).content.decode()
    assert "上城区侨联" in body
    assert c.get(reverse("orgs:children", args=[tree["wz"].pk])).status_code == 404


def test_org_create_edit_and_move(client, users, tree):
    c = login(client, users["zj_admin"])
    response = c.post(reverse("orgs:create", args=[tree["hz"].pk]),
                      {"kind": "qiaolian", "code": "hz-xh", "name": "西湖区侨联", "region": "杭州市西湖区", "country": "CN",
                       "status": "active"})
    assert response.status_code == 302, response.content.decode()[:3000]
    from orgs.models import Organization
    xh = Organization.objects.get(code="hz-xh")
    assert xh.region == "330106"
    c.post(reverse("orgs:move", args=[xh.pk]), {"parent": tree["wz"].pk})
    xh.refresh_from_db()
    assert xh.path.startswith(Organization.objects.get(code="wz").path)


def test_enterprise_create_and_detail(client, users, tree):
    c = login(client, users["hz_staff"])
    response = c.post(reverse("registry:enterprise-create"),
                      {"org": tree["hz"].pk, "name": "义乌华侨贸易有限公司", "credit_code": f.credit_code(),
                       "kind": "company", "industry": "F", "country": "CN", "region": "330782"})
    assert response.status_code == 302
    assert "义乌华侨贸易有限公司" in c.get(response["Location"]).content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_person_list_query_count_does_not_grow(client, users, tree, django_assert_max_num_queries, n):
    by = users["zj_admin"]
    for i in range(n):
        services.create_person(by=by, org=tree["hz"], name=f"张{i}", category="relative",
                               birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=i))
    c = login(client, users["hz_staff"])
    with django_assert_max_num_queries(6):
        c.get(reverse("registry:person-list"))


def test_language_switch_to_english(client, users):
    c = login(client, users["hz_staff"])
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in c.get(reverse("home")).content.decode()


def test_merge_from_the_person_page(client, users, people, tree):
    by = users["zj_admin"]
    dup = services.create_person(by=by, org=tree["hz"], name="王曉明", category="overseas_chinese")
    services.add_membership(by=by, org=tree["hz"], person=dup)
    c = login(client, users["hz_staff"])
    c.post(reverse("registry:person-merge", args=[people["hz"].pk]), {"drop": dup.pk})
    dup.refresh_from_db()
    assert dup.merged_into == people["hz"] and people["hz"].memberships.count() == 1
    page = c.get(reverse("registry:person-detail", args=[dup.pk])).content.decode()
    target = reverse("registry:person-detail", args=[people["hz"].pk])
    assert "此记录已合并至" in page and f'<a href="{target}">{people["hz"].name}</a>' in page
    assert "合并重复记录" not in page
    assert "此记录已合并至" not in c.get(target).content.decode()
    response = c.post(reverse("registry:person-merge", args=[people["hz"].pk]), {"drop": people["wz"].pk},
                      follow=True)
    assert "找不到" in response.content.decode()


def test_dues_rate_and_payment_from_the_pages(client, users, people, tree):
    c = login(client, users["hz_staff"])
    c.post(reverse("registry:dues-rate-set", args=[tree["hz"].pk]), {"year": 2025, "role": "member", "amount": "800"})
    m = services.add_membership(by=users["hz_staff"], org=tree["hz"], person=people["hz"],
                                joined_on=dt.date(2025, 1, 1))
    body = c.get(reverse("registry:person-detail", args=[people["hz"].pk])).content.decode()
    assert "2025：¥800" in body
    c.post(reverse("registry:payment-add", args=[m.pk]), {"year": 2025, "amount": "800", "paid_on": "2025-03-01"})
    body = c.get(reverse("registry:person-detail", args=[people["hz"].pk])).content.decode()
    assert "2025：¥800" not in body
    assert c.post(reverse("registry:dues-rate-set", args=[tree["wz"].pk]),
                  {"year": 2025, "role": "member", "amount": "1"}).status_code == 404


def test_terms_positions_and_milestones_from_the_org_page(client, users, people, tree):
    c = login(client, users["hz_staff"])
    c.post(reverse("orgs:term-add", args=[tree["hz"].pk]), {"number": 7, "starts_on": "2023-06-01"})
    term = tree["hz"].terms.get()
    c.post(reverse("orgs:position-add", args=[tree["hz"].pk]),
           {"term": term.pk, "kind": "council", "person": people["hz"].pk, "role": "president"})
    c.post(reverse("orgs:milestone-add", args=[tree["hz"].pk]),
           {"date": "1981-05-01", "kind": "founding", "title": "杭州市侨联成立"})
    body = c.get(reverse("orgs:detail", args=[tree["hz"].pk])).content.decode()
    assert "第7届" in body and "王小明</a>（会长）" in body and "杭州市侨联成立" in body
    response = c.post(reverse("orgs:position-add", args=[tree["hz"].pk]),
                      {"term": term.pk, "kind": "council", "person": people["wz"].pk, "role": "director"}, follow=True)
    assert "找不到" in response.content.decode()
    assert c.post(reverse("orgs:term-add", args=[tree["wz"].pk]), {"number": 1}).status_code == 404


def test_the_menu_shows_account_security_to_administrators_only(client, users):
    client.force_login(users["hz_admin"])
    page = client.get("/").content.decode()
    assert "/accounts/security/" in page and "/accounts/password/" in page
    client.force_login(users["hz_staff"])
    page = client.get("/").content.decode()
    assert "/accounts/security/" not in page and "/accounts/password/" in page
