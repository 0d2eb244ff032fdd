"""Portal, "my requests": a member files a request (channel member_portal), follows it, rates it once closed.

Member A belongs to 杭州市侨联; member B to 温州市侨商会 and also to 杭州市侨联. Neither sees the
other's cases; neither sees internal notes; satisfaction is accepted only once the case is closed.
"""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services as case_services
from cases.models import Case, Channel
from tests.test_portal_association import api_for, logged_in, make_member


@pytest.fixture
def members(tree, users, settings):
    """A (杭州), B (温州商会 and 杭州)."""
    settings.SECURE_SSL_REDIRECT = False
    by = users["zj_admin"]
    return {"a": make_member(by, tree["hz"], "甲会员", "member_a"),
            "b": make_member(by, tree["wzc"], "乙会员", "member_b", also=(tree["hz"],))}


def _file(client, org, subject="货款被拖欠", **extra):
    data = {"org": org.pk, "kind": "business_dispute", "subject": subject, "description": "对方拖欠货款三个月",
            "other_party": "某贸易公司", "amount_involved": "12000", **extra}
    return client.post("/my/requests/new/", data)


def _close(case, by):
    case = case_services.accept(by=by, case=case)
    case = case_services.resolve(by=by, case=case, agreement="双方达成还款协议")
    return case_services.close(by=by, case=case)


def test_a_member_files_a_request_with_channel_member_portal_and_follows_it(members, tree):
    a = logged_in(members["a"])
    r = _file(a, tree["hz"], attachment=SimpleUploadedFile("合同.pdf", b"%PDF-1.4\n", content_type="application/pdf"))
    case = Case.objects.get(subject="货款被拖欠")
    assert r.status_code == 302 and r["Location"] == f"/my/requests/{case.pk}/"
    person = members["a"].member_account.person
    assert (case.channel, case.applicant_person, case.applicant_name, case.org) == \
        (Channel.MEMBER_PORTAL, person, "甲会员", tree["hz"])
    assert case.status == "submitted" and case.number and case.phone == person.phone
    assert case.attachments.count() == 1
    detail = a.get(f"/my/requests/{case.pk}/").content.decode()
    assert 'data-channel="member_portal"' in detail and 'data-status="submitted"' in detail
    assert "已收到您的诉求" in detail
    listing = a.get("/my/requests/").content.decode()
    assert "货款被拖欠" in listing and case.number in listing


def test_a_member_cannot_file_with_an_org_it_does_not_belong_to(members, tree, users):
    a = logged_in(members["a"])
    r = _file(a, tree["wzc"], subject="越界诉求")
    assert r.status_code == 200 and "org" in r.context["form"].errors
    r = api_for(members["a"]).post("/api/my/cases/", {"org": "wz-chamber", "kind": "other", "subject": "越界"},
                                   format="json")
    assert r.status_code == 400 and "org" in r.json()
    with pytest.raises(ValidationError) as e:
        case_services.submit_member(by=members["a"], org=tree["wzc"], kind="other", subject="越界")
    assert "org" in e.value.message_dict
    with pytest.raises(PermissionDenied):
        case_services.submit_member(by=users["hz_staff"], org=tree["hz"], kind="other", subject="员工")
    assert not Case.objects.filter(subject__startswith="越界").exists()


def test_missing_subject_names_the_field(members, tree):
    r = _file(logged_in(members["a"]), tree["hz"], subject="")
    assert r.status_code == 200 and "subject" in r.context["form"].errors


def test_the_member_sees_public_entries_only_never_internal_notes(members, tree, users):
    staff = users["hz_staff"]
    _file(logged_in(members["a"]), tree["hz"])
    case = Case.objects.get()
    case = case_services.accept(by=staff, case=case)
    case_services.reply(by=staff, case=case, text="内部备注：申请人情绪激动", public=False)
    case_services.reply(by=staff, case=case, text="已联系对方，三日内答复", public=True)
    page = logged_in(members["a"]).get(f"/my/requests/{case.pk}/").content.decode()
    assert "已联系对方，三日内答复" in page and 'data-status="accepted"' in page
    assert "内部备注" not in page
    body = api_for(members["a"]).get(f"/api/my/cases/{case.pk}/").json()
    texts = [u["text"] for u in body["updates"]]
    assert "已联系对方，三日内答复" in texts and not any("内部备注" in t for t in texts)
    assert body["status"] == "accepted" and body["channel"] == "member_portal"
    assert "assignee" not in body and "id_number" not in body


def test_members_never_see_each_others_cases(members, tree, users):
    _file(logged_in(members["a"]), tree["hz"], subject="甲的诉求")
    _file(logged_in(members["b"]), tree["hz"], subject="乙的诉求")
    case_a, case_b = Case.objects.get(subject="甲的诉求"), Case.objects.get(subject="乙的诉求")
    a, b = logged_in(members["a"]), logged_in(members["b"])
    assert "乙的诉求" not in a.get("/my/requests/").content.decode()
    assert "甲的诉求" not in b.get("/my/requests/").content.decode()
    assert a.get(f"/my/requests/{case_b.pk}/").status_code == 404
    assert b.post(f"/my/requests/{case_a.pk}/satisfaction/", {"score": 1}).status_code == 404
    api_a, api_b = api_for(members["a"]), api_for(members["b"])
    assert [c["id"] for c in api_a.get("/api/my/cases/").json()["results"]] == [case_a.pk]
    assert [c["id"] for c in api_b.get("/api/my/cases/").json()["results"]] == [case_b.pk]
    assert api_a.get(f"/api/my/cases/{case_b.pk}/").status_code == 404
    assert api_a.post(f"/api/my/cases/{case_b.pk}/satisfaction/", {"score": 5}, format="json").status_code == 404
    # A case staff registered for someone else never shows up either.
    case_services.create_case(by=users["hz_staff"], org=tree["hz"], kind="other", applicant_name="路人",
                              subject="别人的诉求", phone="13900001111")
    assert "别人的诉求" not in a.get("/my/requests/").content.decode()


def test_satisfaction_only_once_the_case_is_closed_and_only_once(members, tree, users):
    staff = users["hz_staff"]
    a = logged_in(members["a"])
    _file(a, tree["hz"])
    case = Case.objects.get()
    assert 'id="satisfaction-form"' not in a.get(f"/my/requests/{case.pk}/").content.decode()
    r = a.post(f"/my/requests/{case.pk}/satisfaction/", {"score": 5})
    assert r.status_code == 400
    case = case_services.accept(by=staff, case=case)
    case = case_services.resolve(by=staff, case=case, agreement="已还款")
    assert a.post(f"/my/requests/{case.pk}/satisfaction/", {"score": 5}).status_code == 400  # resolved, not closed
    case.refresh_from_db()
    assert case.satisfaction is None

    case_services.close(by=staff, case=case)
    assert 'id="satisfaction-form"' in a.get(f"/my/requests/{case.pk}/").content.decode()
    r = a.post(f"/my/requests/{case.pk}/satisfaction/", {"score": 4, "comment": "处理及时"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.satisfaction, case.satisfaction_comment) == (4, "处理及时")
    assert case.events.filter(action="satisfaction_recorded", data__by_applicant=True).exists()
    assert a.post(f"/my/requests/{case.pk}/satisfaction/", {"score": 1}).status_code == 400
    case.refresh_from_db()
    assert case.satisfaction == 4


def test_cases_api_create_list_detail_and_satisfaction(members, tree, users):
    c = api_for(members["b"])
    r = c.post("/api/my/cases/", {"org": "wz-chamber", "kind": "labour_dispute", "subject": "工资拖欠",
                                  "amount_involved": "3000.00"}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["channel"] == "member_portal" and body["status"] == "submitted" and body["number"]
    assert body["updates"][0]["status"] == "submitted"
    case = Case.objects.get(pk=body["id"])
    assert case.applicant_person == members["b"].member_account.person
    assert [x["id"] for x in c.get("/api/my/cases/").json()["results"]] == [case.pk]
    assert c.post("/api/my/cases/", {"org": "wz-chamber", "kind": "nonsense", "subject": "x"},
                  format="json").status_code == 400

    r = c.post(f"/api/my/cases/{case.pk}/satisfaction/", {"score": 5}, format="json")
    assert r.status_code == 400 and "score" in r.json()
    _close(case, users["wz_staff"])
    assert c.get(f"/api/my/cases/{case.pk}/").json()["may_rate"] is True
    assert c.post(f"/api/my/cases/{case.pk}/satisfaction/", {"score": 9}, format="json").status_code == 400
    r = c.post(f"/api/my/cases/{case.pk}/satisfaction/", {"score": 5, "comment": "满意"}, format="json")
    assert r.status_code == 200 and r.json()["satisfaction"] == 5 and r.json()["may_rate"] is False
    assert c.post(f"/api/my/cases/{case.pk}/satisfaction/", {"score": 3}, format="json").status_code == 400


def test_staff_find_the_member_case_in_their_queue_by_channel(members, tree, users):
    _file(logged_in(members["a"]), tree["hz"], subject="会员渠道诉求")
    r = logged_in(users["hz_staff"]).get("/cases/?channel=member_portal")
    assert r.status_code == 200 and "会员渠道诉求" in r.content.decode()
    assert "会员渠道诉求" not in logged_in(users["wz_staff"]).get("/cases/?channel=member_portal").content.decode()


@pytest.mark.parametrize("url", ["/my/requests/", "/my/requests/new/", "/api/my/cases/"])
def test_request_pages_refuse_staff(url, members, users):
    assert logged_in(users["hz_staff"]).get(url).status_code == 403
    assert logged_in(members["a"]).get(url).status_code == 200
