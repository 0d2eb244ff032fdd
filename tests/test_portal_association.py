"""Portal, "my associations": notices, council, activities with registration and my QR code, dues; staff notices.

Two members: A belongs to 杭州市侨联 only and sits in its council; B belongs to 温州市侨商会 and is
also a plain member of 杭州市侨联. Each sees its own registrations and dues only, and the notices
of its own organizations only.
"""
import datetime as dt
import itertools
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from activities import services as act_services
from activities.models import Registration, RegStatus
from orgs import services as org_services
from portal import notices
from portal.models import MemberAccount, Notice
from registry import services as reg_services

PASSWORD = "pw-member-123456"
_terms = itertools.count(100)


def make_member(by, org, name, username, *, also=()):
    """A registry person with a current membership in `org` (and in `also`) and a member login."""
    person = reg_services.create_person(by=by, org=org, name=name, category="overseas_chinese", country="IT",
                                        phone=f"1381234{len(username):04d}")
    for o in (org, *also):
        reg_services.add_membership(by=by, org=o, person=person, joined_on=dt.date(2023, 2, 1))
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    MemberAccount.objects.create(user=user, person=person)
    return user


def logged_in(user) -> Client:
    """A browser session for the user."""
    c = Client()
    c.force_login(user)
    return c


def api_for(user):
    """An API client authenticated by the user's token."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return c


@pytest.fixture
def members(tree, users, settings):
    """A (杭州 council member), B (温州商会 and plain member of 杭州)."""
    settings.SECURE_SSL_REDIRECT = False
    by = users["zj_admin"]
    a = make_member(by, tree["hz"], "甲会员", "member_a")
    b = make_member(by, tree["wzc"], "乙会员", "member_b", also=(tree["hz"],))
    term = org_services.add_term(by=by, org=tree["hz"], number=7, starts_on=dt.date(2022, 1, 1))
    org_services.appoint(by=by, term=term, person=a.member_account.person, role="vice_president")
    return {"a": a, "b": b, "by": by}


def _notice(by, org, title, *, council_only=False, publish=True):
    return notices.create_notice(by=by, org=org, kind="notice", title=title, body="正文", council_only=council_only,
                                 publish=publish)


def _activity(by, org, title, *, capacity=None, audience="members", start=None):
    return act_services.create_activity(by=by, org=org, kind="training", title=title, capacity=capacity,
                                        audience=audience, start=start or timezone.localdate() + dt.timedelta(days=7))


# --- notices ------------------------------------------------------------------------------------


def test_notices_show_published_ones_of_my_orgs_and_council_only_to_the_council(members, tree, users):
    by = users["zj_admin"]
    hz_all = _notice(by, tree["hz"], "杭州全体会员通知")
    hz_council = _notice(by, tree["hz"], "杭州理事会通知", council_only=True)
    draft = _notice(by, tree["hz"], "杭州草稿", publish=False)
    wz = _notice(by, tree["wzc"], "温州商会通知")
    a, b = logged_in(members["a"]), logged_in(members["b"])

    page_a = a.get("/my/notices/").content.decode()
    assert "杭州全体会员通知" in page_a and "杭州理事会通知" in page_a
    assert "杭州草稿" not in page_a and "温州商会通知" not in page_a
    page_b = b.get("/my/notices/").content.decode()
    assert "杭州全体会员通知" in page_b and "温州商会通知" in page_b
    assert "杭州理事会通知" not in page_b and "杭州草稿" not in page_b

    assert a.get(f"/my/notices/{hz_council.pk}/").status_code == 200
    assert b.get(f"/my/notices/{hz_council.pk}/").status_code == 404
    assert a.get(f"/my/notices/{wz.pk}/").status_code == 404
    assert a.get(f"/my/notices/{draft.pk}/").status_code == 404
    assert b.get(f"/my/notices/{hz_all.pk}/").status_code == 200

    ids_a = {n["id"] for n in api_for(members["a"]).get("/api/my/notices/").json()["results"]}
    ids_b = {n["id"] for n in api_for(members["b"]).get("/api/my/notices/").json()["results"]}
    assert ids_a == {hz_all.pk, hz_council.pk}
    assert ids_b == {hz_all.pk, wz.pk}
    assert api_for(members["b"]).get(f"/api/my/notices/{hz_council.pk}/").status_code == 404


def test_a_notice_published_in_the_future_or_by_a_left_council_member_stays_hidden(members, tree, users):
    by = users["zj_admin"]
    later = _notice(by, tree["hz"], "明天的通知", publish=False)
    notices.publish_notice(by=by, notice=later, at=timezone.now() + dt.timedelta(days=1))
    council = _notice(by, tree["hz"], "理事会内部", council_only=True)
    a = logged_in(members["a"])
    assert a.get(f"/my/notices/{later.pk}/").status_code == 404
    assert a.get(f"/my/notices/{council.pk}/").status_code == 200
    members["a"].member_account.person.positions.update(until=timezone.localdate() - dt.timedelta(days=1))
    assert a.get(f"/my/notices/{council.pk}/").status_code == 404


# --- orgs and council -----------------------------------------------------------------------------


def test_my_orgs_and_the_council_with_its_terms(members, tree):
    a, b = logged_in(members["a"]), logged_in(members["b"])
    assert "杭州市侨联" in a.get("/my/orgs/").content.decode()
    assert "温州市侨商会" not in a.get("/my/orgs/").content.decode()
    page = a.get(f"/my/orgs/{tree['hz'].pk}/").content.decode()
    assert "第7届" in page and "甲会员" in page and "副会长" in page
    assert a.get(f"/my/orgs/{tree['wzc'].pk}/").status_code == 404
    assert b.get(f"/my/orgs/{tree['wzc'].pk}/").status_code == 200

    orgs = api_for(members["a"]).get("/api/my/orgs/").json()
    assert [o["code"] for o in orgs] == ["hz"]
    assert orgs[0]["in_council"] is True
    positions = orgs[0]["terms"][0]["councils"][0]["positions"]
    assert [(p["role"], p["name"]) for p in positions] == [("vice_president", "甲会员")]
    orgs_b = api_for(members["b"]).get("/api/my/orgs/").json()
    assert {o["code"]: o["in_council"] for o in orgs_b} == {"hz": False, "wz-chamber": False}


# --- activities -----------------------------------------------------------------------------------


def test_register_from_the_portal_with_waiting_list_and_qr_pass(members, tree, users):
    by = users["zj_admin"]
    activity = _activity(by, tree["hz"], "跨境电商培训", capacity=1)
    a, b = logged_in(members["a"]), logged_in(members["b"])
    assert "跨境电商培训" in a.get("/my/activities/").content.decode()

    r = a.post(f"/my/activities/{activity.pk}/register/")
    reg_a = Registration.objects.get(activity=activity, person=members["a"].member_account.person)
    assert r.status_code == 302 and r["Location"] == f"/my/registrations/{reg_a.pk}/"
    assert reg_a.status == RegStatus.REGISTERED and reg_a.channel == "portal"
    page = a.get(f"/my/registrations/{reg_a.pk}/").content.decode()
    assert 'id="qr"' in page and "data:image/svg+xml" in page
    token = re.search(r'<code id="token"[^>]*>([^<]+)</code>', page).group(1)
    assert act_services.registration_for_token(token, activity) == reg_a

    b.post(f"/my/activities/{activity.pk}/register/")
    reg_b = Registration.objects.get(activity=activity, person=members["b"].member_account.person)
    assert reg_b.status == RegStatus.WAITLISTED
    # Registering twice is refused with a message, not a second row.
    a.post(f"/my/activities/{activity.pk}/register/")
    assert Registration.objects.filter(activity=activity).exclude(status="cancelled").count() == 2

    # B never sees A's pass or cancels A's registration.
    assert b.get(f"/my/registrations/{reg_a.pk}/").status_code == 404
    assert b.post(f"/my/registrations/{reg_a.pk}/cancel/").status_code == 404
    assert "跨境电商培训" in b.get("/my/registrations/").content.decode()

    # A cancels: B moves up from the waiting list.
    a.post(f"/my/registrations/{reg_a.pk}/cancel/")
    reg_a.refresh_from_db()
    reg_b.refresh_from_db()
    assert (reg_a.status, reg_b.status) == (RegStatus.CANCELLED, RegStatus.REGISTERED)


def test_activities_of_other_orgs_past_ones_and_council_only_ones_are_not_offered(members, tree, users):
    by = users["zj_admin"]
    wz = _activity(by, tree["wzc"], "温州商会年会")
    past = _activity(by, tree["hz"], "去年的培训", start=dt.date(2020, 5, 1))
    council = _activity(by, tree["hz"], "理事会会议", audience="council")
    a, b = logged_in(members["a"]), logged_in(members["b"])
    assert a.get(f"/my/activities/{wz.pk}/").status_code == 404
    assert a.post(f"/my/activities/{wz.pk}/register/").status_code == 404
    assert a.post(f"/my/activities/{past.pk}/register/").status_code == 404
    assert a.get(f"/my/activities/{council.pk}/").status_code == 200
    assert b.get(f"/my/activities/{council.pk}/").status_code == 404
    assert b.get(f"/my/activities/{wz.pk}/").status_code == 200
    assert not Registration.objects.filter(activity__in=[wz, past]).exists()

    listed_b = {x["id"] for x in api_for(members["b"]).get("/api/my/activities/").json()["results"]}
    assert wz.pk in listed_b and council.pk not in listed_b and past.pk not in listed_b


def test_activities_api_register_list_with_pass_url_and_cancel(members, tree, users):
    by = users["zj_admin"]
    activity = _activity(by, tree["hz"], "侨商论坛", capacity=5)
    api_a, api_b = api_for(members["a"]), api_for(members["b"])
    listed = api_a.get("/api/my/activities/").json()["results"]
    assert [(x["id"], x["places_left"]) for x in listed] == [(activity.pk, 5)]

    r = api_a.post(f"/api/my/activities/{activity.pk}/register/")
    assert r.status_code == 201, r.content
    reg = r.json()
    assert reg["status"] == "registered" and "/activities/pass/" in reg["pass_url"]
    assert Client().get(reg["pass_url"].split("testserver")[-1]).status_code == 200
    assert api_a.post(f"/api/my/activities/{activity.pk}/register/").status_code == 400

    assert [x["id"] for x in api_a.get("/api/my/registrations/").json()["results"]] == [reg["id"]]
    assert api_b.get("/api/my/registrations/").json()["results"] == []
    assert api_b.post(f"/api/my/registrations/{reg['id']}/cancel/").status_code == 404
    r = api_a.post(f"/api/my/registrations/{reg['id']}/cancel/")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_cancel_own_registration_service_refuses_someone_elses(members, tree, users):
    from django.core.exceptions import PermissionDenied

    activity = _activity(users["zj_admin"], tree["hz"], "考察团")
    reg = act_services.register(by=members["a"], activity=activity, person=members["a"].member_account.person,
                                channel="portal")
    with pytest.raises(PermissionDenied):
        act_services.cancel_own_registration(by=members["b"], registration=reg)
    with pytest.raises(PermissionDenied):
        act_services.cancel_own_registration(by=users["hz_staff"], registration=reg)


# --- dues -----------------------------------------------------------------------------------------


def test_dues_show_what_is_owed_for_my_memberships_only(members, tree, users):
    by = users["zj_admin"]
    year = timezone.localdate().year
    reg_services.set_dues_rate(by=by, org=tree["hz"], year=year, role="member", amount=Decimal("500"))
    reg_services.set_dues_rate(by=by, org=tree["wzc"], year=year, role="member", amount=Decimal("800"))
    m_a = members["a"].member_account.person.memberships.get(org=tree["hz"])
    reg_services.record_payment(by=by, membership=m_a, year=year, amount=Decimal("200"), paid_on=timezone.localdate())

    dues_a = api_for(members["a"]).get("/api/my/dues/").json()
    assert [(d["org"], d["owed"]) for d in dues_a] == [("hz", "300.00")]
    this_year = [y for y in dues_a[0]["years"] if y["year"] == year][0]
    assert (this_year["due"], this_year["paid"], this_year["owed"]) == ("500.00", "200.00", "300.00")
    dues_b = api_for(members["b"]).get("/api/my/dues/").json()
    assert sorted((d["org"], d["owed"]) for d in dues_b) == [("hz", "500.00"), ("wz-chamber", "800.00")]

    page = logged_in(members["a"]).get("/my/dues/").content.decode()
    assert 'id="total-owed">300.00<' in page and "800.00" not in page


# --- who may come in ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/my/orgs/", "/my/notices/", "/my/activities/", "/my/registrations/", "/my/dues/",
    "/api/my/notices/", "/api/my/orgs/", "/api/my/activities/", "/api/my/registrations/", "/api/my/dues/",
])
def test_member_pages_refuse_staff_and_anonymous(url, members, users):
    staff = logged_in(users["hz_staff"])
    assert staff.get(url).status_code == 403
    anonymous = Client().get(url)
    assert anonymous.status_code in (302, 401, 403)
    assert logged_in(members["a"]).get(url).status_code == 200


# --- staff: notices -------------------------------------------------------------------------------


def test_staff_write_publish_and_unpublish_a_notice_within_their_subtree(members, tree, users):
    from auditlog.models import LogEntry

    staff = logged_in(users["hz_staff"])
    r = staff.post("/members/notices/new/", {"org": tree["hz"].pk, "kind": "news", "title": "端午联谊",
                                             "body": "欢迎参加", "save": "1"})
    notice = Notice.objects.get(title="端午联谊")
    assert r.status_code == 302 and notice.published_at is None and notice.created_by == users["hz_staff"]
    a = logged_in(members["a"])
    assert a.get(f"/my/notices/{notice.pk}/").status_code == 404

    staff.post(f"/members/notices/{notice.pk}/publish/")
    notice.refresh_from_db()
    assert notice.published_at is not None
    assert a.get(f"/my/notices/{notice.pk}/").status_code == 200
    assert LogEntry.objects.filter(object_pk=str(notice.pk),
                                   additional_data__action="portal.notice.published").exists()

    staff.post(f"/members/notices/{notice.pk}/publish/", {"action": "unpublish"})
    assert a.get(f"/my/notices/{notice.pk}/").status_code == 404

    # Another subtree: not listed, not reachable, not writable.
    wz_notice = _notice(users["zj_admin"], tree["wzc"], "温州内部通知")
    assert "温州内部通知" not in staff.get("/members/notices/").content.decode()
    assert staff.get(f"/members/notices/{wz_notice.pk}/").status_code == 404
    assert staff.post(f"/members/notices/{wz_notice.pk}/publish/").status_code == 404
    r = staff.post("/members/notices/new/", {"org": tree["wzc"].pk, "kind": "news", "title": "越权", "body": "x"})
    assert r.status_code == 200 and not Notice.objects.filter(title="越权").exists()
    # A viewer reads but cannot publish.
    viewer = logged_in(users["hz_viewer"])
    assert viewer.get(f"/members/notices/{notice.pk}/").status_code == 200
    assert viewer.post(f"/members/notices/{notice.pk}/publish/").status_code == 404


def test_notice_form_names_the_missing_field(members, tree, users):
    staff = logged_in(users["hz_staff"])
    r = staff.post("/members/notices/new/", {"org": tree["hz"].pk, "kind": "notice", "title": "  ", "body": "x"})
    assert r.status_code == 200
    assert "title" in r.context["form"].errors


def test_staff_notices_api_create_publish_and_scope(api, members, tree, users):
    c = api("hz_staff")
    r = c.post("/api/portal/notices/", {"org": "hz", "title": "API 通知", "body": "正文", "council_only": True},
               format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["published_at"] is None
    r = c.post(f"/api/portal/notices/{pk}/publish/", {}, format="json")
    assert r.status_code == 200 and r.json()["published_at"]
    assert {n["id"] for n in api_for(members["a"]).get("/api/my/notices/").json()["results"]} == {pk}
    assert api_for(members["b"]).get("/api/my/notices/").json()["results"] == []
    assert c.post("/api/portal/notices/", {"org": "wz-chamber", "title": "越权", "body": "x"},
                  format="json").status_code == 400
    assert api("hz_viewer").post(f"/api/portal/notices/{pk}/unpublish/", {}, format="json").status_code == 403
    # Members cannot reach the staff endpoint in a browser session, and see nothing through a token.
    assert logged_in(members["a"]).get("/api/portal/notices/").status_code == 403
    assert api_for(members["a"]).get("/api/portal/notices/").status_code == 403


# --- query counts ---------------------------------------------------------------------------------


def _add_rows(members, tree, users, n):
    """n more notices, activities with A registered, council positions and cases for member A."""
    from cases import services as case_services

    by, user_a = users["zj_admin"], members["a"]
    person = user_a.member_account.person
    for i in range(n):
        _notice(by, tree["hz"], f"批量通知{i}", council_only=bool(i % 2))
        activity = _activity(by, tree["hz"], f"批量活动{i}")
        act_services.register(by=user_a, activity=activity, person=person, channel="portal")
        term = org_services.add_term(by=by, org=tree["hz"], number=next(_terms))
        org_services.appoint(by=by, term=term, person=members["b"].member_account.person, role="director")
        case_services.submit_member(by=user_a, org=tree["hz"], kind="other", subject=f"批量诉求{i}")


def test_portal_lists_take_the_same_number_of_queries_for_one_row_or_many(members, tree, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages = ["/my/orgs/", f"/my/orgs/{tree['hz'].pk}/", "/my/notices/", "/my/activities/", "/my/registrations/",
             "/my/requests/", "/my/dues/", "/api/my/orgs/", "/api/my/notices/", "/api/my/activities/",
             "/api/my/registrations/", "/api/my/cases/", "/api/my/dues/"]
    web, api = logged_in(members["a"]), api_for(members["a"])

    def counts():
        out = {}
        for url in pages:
            client = api if url.startswith("/api/") else web
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            out[url] = len(ctx.captured_queries)
        return out

    _add_rows(members, tree, users, 1)
    few = counts()
    _add_rows(members, tree, users, 4)
    assert counts() == few
