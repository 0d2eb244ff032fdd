"""The cases API: the workflow as actions, liaisons' limited view, the public intake and tracking with their protections."""
import datetime as dt

import pytest

from cases import services
from cases.models import Case
from tests import cases_factories as cf

pytestmark = pytest.mark.django_db


def test_the_workflow_through_the_api(api, users, tree):
    liaison, dept = cf.liaison(tree["hz"], users["hz_admin"])
    staff = api("hz_staff")
    r = staff.post("/api/cases/", {"org": "hz-sc", "kind": "business_dispute", "subject": "货款拖欠",
                                   "applicant_name": "陈大文", "phone": "13812345678", "amount_involved": "20000"},
                   format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["phone"] == "138****5678" and r.json()["status"] == "submitted"
    assert staff.post(f"/api/cases/{pk}/accept/", {}, format="json").json()["status"] == "accepted"
    r = staff.post(f"/api/cases/{pk}/dispatch/", {"departments": [dept.pk], "note": "请核查"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "dispatched"
    dispatch_id = r.json()["dispatches"][0]["id"]

    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    lc = APIClient()
    lc.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=liaison).key}")
    seen = lc.get("/api/cases/").json()
    assert [c["id"] for c in seen["results"]] == [pk]
    assert seen["results"][0]["applicant_name"] == "" and seen["results"][0]["phone"] == ""
    assert lc.post(f"/api/cases/{pk}/reveal/", {"purpose": "联系申请人"}, format="json").status_code == 403
    assert lc.post(f"/api/cases/{pk}/accept/", {}, format="json").status_code == 403
    assert lc.post(f"/api/dispatches/{dispatch_id}/answer/", {"text": "x"}, format="json").status_code == 400
    assert lc.post(f"/api/dispatches/{dispatch_id}/acknowledge/").json()["state"] == "acknowledged"
    r = lc.post(f"/api/dispatches/{dispatch_id}/answer/", {"text": "已督促付款", "public": True}, format="json")
    assert r.json()["state"] == "answered"

    r = staff.post(f"/api/cases/{pk}/sessions/", {"held_on": dt.date.today().isoformat(), "result": "达成协议"},
                   format="json")
    assert r.json()["status"] == "mediating"
    r = staff.post(f"/api/cases/{pk}/resolve/", {"agreement": "分期付款", "amount_recovered": "18000"}, format="json")
    assert r.json()["status"] == "resolved" and r.json()["amount_recovered"] == "18000.00"
    assert staff.post(f"/api/cases/{pk}/close/", {}, format="json").json()["status"] == "closed"
    r = staff.post(f"/api/cases/{pk}/dispatch/", {"departments": [dept.pk]}, format="json")
    assert r.status_code == 400  # a closed case cannot be dispatched
    assert staff.post(f"/api/cases/{pk}/satisfaction/", {"score": 5}, format="json").json()["satisfaction"] == 5
    detail = staff.get(f"/api/cases/{pk}/").json()
    assert [e["action"] for e in detail["events"]][:3] == ["submitted", "accepted", "dispatched"]
    # Another subtree and the viewer.
    assert api("wz_staff").get(f"/api/cases/{pk}/").status_code == 404
    assert api("hz_viewer").post(f"/api/cases/{pk}/reopen/", {"reason": "x"}, format="json").status_code == 403
    assert api().get("/api/cases/").status_code == 401


def test_queues_and_filters(api, users, tree):
    staff = users["hz_staff"]
    mine = cf.accepted(tree["hz"], staff, kind="labour_dispute")
    services.assign(by=staff, case=mine, assignee=staff)
    unassigned = cf.case(tree["hz"], staff)
    client = api("hz_staff")

    def ids(query):
        return {c["id"] for c in client.get(f"/api/cases/?{query}").json()["results"]}

    assert ids("queue=mine") == {mine.pk}
    assert ids("queue=unassigned") == {unassigned.pk}
    assert ids("kind=labour_dispute") == {mine.pk}
    assert ids("status=submitted") == {unassigned.pk}
    assert mine.pk in ids(f"q={mine.subject}")
    assert ids(f"q={mine.number}") == {mine.pk}


@pytest.fixture
def public(api, settings, tree):
    """An anonymous client and a helper that fetches a challenge and answers it."""
    settings.CASES_INTAKE_MIN_SECONDS = 0
    settings.CASES_INTAKE_ORG = "hz"
    client = api()

    def challenge(correct=True):
        body = client.get("/api/public/intake/challenge/").json()
        a, b = [int(x) for x in body["question"].replace("？", "").replace("等于几", "").split(" 加 ")]
        return {"challenge": body["token"], "answer": str(a + b if correct else a + b + 1)}

    return client, challenge


def _request(**extra):
    return {"kind": "consumer_dispute", "subject": "网购商品未发货", "description": "已付款一个月",
            "applicant_name": "李四", "phone": "13912345678", **extra}


def test_public_intake_and_tracking(public):
    client, challenge = public
    r = client.post("/api/public/intake/", _request(**challenge()), format="json")
    assert r.status_code == 201, r.content
    number, secret = r.json()["number"], r.json()["secret"]
    case = Case.objects.get(number=number)
    assert case.org.code == "hz" and not case.is_spam and case.channel == "public_web"
    t = client.post("/api/public/track/", {"number": number, "secret": secret}, format="json").json()
    assert set(t) == {"number", "status", "status_display", "submitted_at", "updates"}
    assert t["status"] == "submitted" and "李四" not in str(t) and "13912345678" not in str(t)
    officer = _officer(case)
    services.reply(by=officer, case=case, text="请补充订单截图")
    services.reply(by=officer, case=case, text="内部备注：疑似诈骗", public=False)
    t = client.post("/api/public/track/", {"number": number, "secret": secret}, format="json").json()
    texts = [u["text"] for u in t["updates"]]
    assert "请补充订单截图" in texts and not any("内部备注" in x for x in texts)
    assert client.post("/api/public/track/", {"number": number, "secret": "AAAA2222"},
                       format="json").status_code == 404


def _officer(case):
    from tests import factories as f

    return f.user(f"officer-{case.pk}", (case.org, "staff"))


def test_public_intake_protections(public, settings):
    client, challenge = public
    # A wrong answer is refused (a person can try again); a replayed token is spam.
    assert client.post("/api/public/intake/", _request(**challenge(False)), format="json").status_code == 400
    c = challenge()
    assert client.post("/api/public/intake/", _request(**c), format="json").status_code == 201
    assert client.post("/api/public/intake/", _request(**c), format="json").status_code == 201
    # The honeypot: stored, marked, out of the queue.
    r = client.post("/api/public/intake/", _request(website="http://spam.example", **challenge()), format="json")
    assert r.status_code == 201
    spam = Case.objects.filter(is_spam=True)
    assert spam.count() == 2 and not Case.objects.queue().filter(pk__in=spam).exists()
    # Size limits.
    r = client.post("/api/public/intake/", _request(description="长" * 5001, **challenge()), format="json")
    assert r.status_code == 400
    # Rate limit per address: 5 an hour by default (the five above count, even the refused ones do not).
    assert client.post("/api/public/intake/", _request(**challenge()), format="json").status_code == 429


def test_a_form_sent_too_fast_is_spam(public, settings):
    client, challenge = public
    settings.CASES_INTAKE_MIN_SECONDS = 60
    r = client.post("/api/public/intake/", _request(**challenge()), format="json")
    assert r.status_code == 201
    assert Case.objects.get(number=r.json()["number"]).is_spam


def test_tracking_is_rate_limited(public, settings):
    client, _challenge = public
    settings.CASES_TRACK_RATE = "3/hour"
    codes = [client.post("/api/public/track/", {"number": "1", "secret": "x"}, format="json").status_code
             for _i in range(4)]
    assert codes == [404, 404, 404, 429]


def test_departments_and_experts(api, users, tree):
    admin = api("hz_admin")
    r = admin.post("/api/case-departments/", {"org": "hz", "name": "市场监管局", "kind": "market_supervision",
                                              "liaisons": [users["nobody"].pk]}, format="json")
    assert r.status_code == 201, r.content
    r = api("hz_staff").post("/api/case-departments/", {"org": "hz", "name": "税务局", "kind": "tax",
                                                        "liaisons": [users["nobody"].pk]}, format="json")
    assert r.status_code == 403  # naming liaisons is the administrator's
    r = admin.post("/api/experts/", {"org": "hz", "name": "张律师", "kind": "lawyer", "fields": "劳动,合同",
                                     "languages": "中文,英语", "phone": "13700001111"}, format="json")
    assert r.status_code == 201 and r.json()["phone"] == "137****1111"
    assert [e["name"] for e in admin.get("/api/experts/?language=英语").json()["results"]] == ["张律师"]
