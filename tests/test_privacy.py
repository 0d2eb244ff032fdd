"""Data-subject rights (PIPL arts. 44–47, 50): requests with deadlines, the person's copy, correction,
erasure, consent and its withdrawal, retention."""
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from activities import services as act_services
from cases import services as case_services
from cases.models import Case
from charity import services as charity_services
from charity.models import Donation
from core.search import search_ids
from directory import services as directory_services
from orgs import services as org_services
from pairing import services as pairing_services
from privacy import retention, services
from privacy.erasure import is_erased
from privacy.models import Consent, Erasure, RequestStatus, SubjectRequest
from registry import services as reg_services
from registry.models import Membership, Person
from tests import factories as f

ID = "330782198503051234"


@pytest.fixture
def person(users, tree):
    """王小明 of 上城区, with an ID number, phone, e-mail and address."""
    by = users["zj_admin"]
    return reg_services.create_person(by=by, org=tree["sc"], name="王小明", category="overseas_chinese",
                                      id_number=f.id_number(), phone="13812345678", email="wxm@example.com",
                                      address="浙江省杭州市上城区解放路1号", wechat="wxm_wechat", country="IT")


@pytest.fixture
def linked(person, users, tree):
    """Records about the person in every app: membership, position, cases, registration and attendance,
    donation, pairing participation, honour, an enterprise with a product, a consent."""
    by, org = users["zj_admin"], tree["sc"]
    out = {"membership": reg_services.add_membership(by=by, org=org, person=person)}
    term = org_services.add_term(by=by, org=org, number=3)
    out["position"] = org_services.appoint(by=by, term=term, person=person, role="director")
    out["case"] = case_services.create_case(by=by, org=org, kind="consumer_dispute", applicant_name=person.name,
                                            applicant_person=person, subject="退货纠纷", phone=person.phone)
    # Submitted without a link to the registry: found by the phone number.
    out["loose_case"] = case_services.create_case(by=by, org=org, kind="labour_dispute", applicant_name="王小明",
                                                  subject="工资纠纷", phone=person.phone)
    activity = act_services.create_activity(by=by, org=org, kind="training", title="跨境电商培训",
                                            start=dt.date(2025, 3, 1), capacity=10)
    reg = act_services.register(by=by, activity=activity, person=person, name=person.name, phone=person.phone)
    out["attendance"] = act_services.check_in(by=by, session=act_services.default_session(activity),
                                              registration=reg)[0]
    out["registration"] = reg
    fund = charity_services.create_fund(by=by, org=org, code="edu", name="助学基金", kind="relief")
    out["donation"] = charity_services.receive_donation(by=by, fund=fund, donor_person=person,
                                                        donor_name=person.name, value=Decimal("500"),
                                                        received_on=dt.date(2025, 1, 1))
    program = pairing_services.create_program(by=by, org=org, code="p1", name="大企帮小店", kind="enterprise_shop",
                                               capacity=2)
    out["participant"] = pairing_services.add_participant(by=by, program=program, side="helper", name=person.name,
                                                          person=person, strengths="电商")
    out["honor"] = charity_services.award_honor(by=by, org=org, title="爱心侨商奖", year=2025, person=person)
    enterprise = reg_services.create_enterprise(by=by, org=org, name="小明贸易有限公司", legal_person=person,
                                                legal_representative=person.name, phone="057185551234")
    out["enterprise"] = enterprise
    out["product"] = directory_services.create_product(by=by, enterprise=enterprise, name="羊毛围巾")
    out["consent"] = services.give_consent(by=by, person=person, purpose="directory")
    return out


def _as(user):
    """A fresh browser session of `user` (two-factor verified where required)."""
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def _zip(content: bytes) -> tuple[dict, openpyxl.Workbook]:
    z = zipfile.ZipFile(io.BytesIO(content))
    assert {"README.txt", "data.json", "data.xlsx"} <= set(z.namelist())
    return json.loads(z.read("data.json")), openpyxl.load_workbook(io.BytesIO(z.read("data.xlsx")))


# --- requests and deadlines --------------------------------------------------------------------


def test_request_is_due_after_the_response_days_and_listed_when_overdue(person, users, api, settings):
    settings.PRIVACY_RESPONSE_DAYS = 10
    by = users["hz_staff"]
    late = services.receive(by=by, person=person, kind="access",
                            received_at=timezone.now() - dt.timedelta(days=12))
    fresh = services.receive(by=by, person=person, kind="correction")
    assert late.due_on == timezone.localdate(late.received_at) + dt.timedelta(days=10)
    assert late.overdue and not fresh.overdue
    assert list(SubjectRequest.objects.overdue()) == [late]

    listed = api("hz_staff").get("/api/privacy/requests/?overdue=true").json()
    assert [r["id"] for r in listed["results"]] == [late.pk] and listed["results"][0]["overdue"]
    assert api("wz_staff").get("/api/privacy/requests/?overdue=true").json()["count"] == 0

    out = io.StringIO()
    call_command("subject_request", "list", "--overdue", "--format", "json", "--user", "hz_staff", stdout=out)
    assert [r["id"] for r in json.loads(out.getvalue())] == [late.pk]


def test_request_needs_a_change_grant_and_a_valid_kind(person, users):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        services.receive(by=users["hz_viewer"], person=person, kind="access")
    with pytest.raises(PermissionDenied):
        services.receive(by=users["wz_staff"], person=person, kind="access")
    with pytest.raises(ValidationError) as e:
        services.receive(by=users["hz_staff"], person=person, kind="everything")
    assert "kind" in e.value.message_dict


def test_web_pages_record_and_refuse_a_request_within_the_subtree(client, person, users):
    client.force_login(users["hz_staff"])
    r = client.post(reverse("privacy:request-list"), {"person": person.pk, "kind": "deletion", "details": "请删除"})
    obj = SubjectRequest.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("privacy:request-detail", args=[obj.pk])
    page = client.get(reverse("privacy:request-list")).content.decode()
    assert "王小明" in page and str(obj.due_on) in page
    assert client.get(reverse("privacy:request-detail", args=[obj.pk])).status_code == 200

    # Refusing needs a reason.
    client.post(reverse("privacy:request-handle", args=[obj.pk, "refuse"]), {"reason": ""})
    obj.refresh_from_db()
    assert obj.status == RequestStatus.OPEN
    client.post(reverse("privacy:request-handle", args=[obj.pk, "refuse"]), {"reason": "须保留至诉讼结束"})
    obj.refresh_from_db()
    assert obj.status == RequestStatus.REFUSED and obj.outcome == "须保留至诉讼结束"
    assert obj.handled_by == users["hz_staff"]

    client = _as(users["wz_staff"])
    assert client.get(reverse("privacy:request-detail", args=[obj.pk])).status_code == 404
    assert client.post(reverse("privacy:request-list"), {"person": person.pk, "kind": "access"}).status_code == 200
    assert SubjectRequest.objects.count() == 1


# --- access: the person's copy -----------------------------------------------------------------


def test_export_holds_everything_about_the_person(person, linked, users, api):
    from core.personal import reveal

    reveal(users["hz_admin"], person, ["phone"], "核实身份")
    obj = services.receive(by=users["hz_admin"], person=person, kind="access")
    r = api("hz_admin").post(f"/api/privacy/requests/{obj.pk}/fulfil/")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    assert "attachment" in r["Content-Disposition"]
    data, workbook = _zip(r.content)

    records = data["records"]
    assert records["registry.person"][0]["id_number"] == person.id_number  # in clear: the requester's right
    for label, item in [("registry.membership", "membership"), ("orgs.position", "position"),
                        ("activities.registration", "registration"), ("activities.attendance", "attendance"),
                        ("charity.donation", "donation"), ("pairing.participant", "participant"),
                        ("charity.honor", "honor"), ("registry.enterprise", "enterprise"),
                        ("directory.product", "product"), ("privacy.consent", "consent")]:
        assert linked[item].pk in {row["id"] for row in records[label]}, label
    assert {linked["case"].pk, linked["loose_case"].pk} <= {row["id"] for row in records["cases.case"]}
    assert any(e["purpose"] == "核实身份" for e in data["audit"])
    assert "registry_person" in workbook.sheetnames and "auditlog_logentry" in workbook.sheetnames
    # Nothing of another person: the product's enterprise is the person's, the other enterprise is not.
    other = reg_services.create_person(by=users["zj_admin"], org=person.org, name="李四", category="relative")
    assert other.pk not in {row["id"] for row in records["registry.person"]}

    obj.refresh_from_db()
    assert obj.status == RequestStatus.DONE and obj.result["records"]["cases.case"] >= 2
    logged = LogEntry.objects.get(action=LogEntry.Action.ACCESS, additional_data__action="privacy.export.downloaded")
    assert logged.actor == users["hz_admin"] and logged.object_pk == str(person.pk)


def test_export_needs_the_personal_data_grant_a_purpose_and_the_scope(person, users, api):
    url = f"/api/privacy/people/{person.pk}/export/"
    assert api("hz_staff").post(url, {"purpose": "查阅请求"}, format="json").status_code == 403
    assert api("hz_admin").post(url, {"purpose": ""}, format="json").status_code == 400
    assert api("wz_staff").post(url, {"purpose": "查阅请求"}, format="json").status_code == 404
    assert not LogEntry.objects.filter(additional_data__action="privacy.export.downloaded").exists()
    r = api("hz_admin").post(url, {"purpose": "查阅请求"}, format="json")
    assert r.status_code == 200
    assert _zip(r.content)[0]["person_id"] == person.pk


def test_person_page_offers_consents_and_the_export(client, person, users):
    client.force_login(users["hz_admin"])
    page = client.get(reverse("registry:person-detail", args=[person.pk])).content.decode()
    assert reverse("privacy:consent-add", args=[person.pk]) in page
    assert reverse("privacy:person-export", args=[person.pk]) in page
    r = client.post(reverse("privacy:person-export", args=[person.pk]), {"purpose": "本人申请"})
    assert r.status_code == 200 and _zip(r.content)[0]["person_id"] == person.pk
    page = _as(users["hz_staff"]).get(reverse("registry:person-detail", args=[person.pk])).content.decode()
    assert reverse("privacy:person-export", args=[person.pk]) not in page


# --- correction --------------------------------------------------------------------------------


def test_correction_goes_through_the_registry_service_and_is_audited(person, users, api):
    obj = services.receive(by=users["hz_staff"], person=person, kind="correction", details="手机号换了")
    r = api("hz_staff").post(f"/api/privacy/requests/{obj.pk}/correct/", {"fields": {"phone": "139 1234 5678"}},
                             format="json")
    assert r.status_code == 200, r.content
    person.refresh_from_db()
    assert person.phone == "+8613912345678"
    assert r.json()["status"] == "done"
    assert LogEntry.objects.get_for_object(person).filter(changes__has_key="phone").exists()

    bad = services.receive(by=users["hz_staff"], person=person, kind="correction")
    r = api("hz_staff").post(f"/api/privacy/requests/{bad.pk}/correct/", {"fields": {"id_number": "123"}},
                             format="json")
    assert r.status_code == 400 and "id_number" in r.json()
    bad.refresh_from_db()
    assert bad.status == RequestStatus.OPEN


# --- deletion: anonymisation -------------------------------------------------------------------


def test_erasure_anonymises_the_person_and_keeps_what_the_law_allows(person, linked, users, api):
    old = {"name": person.name, "phone": person.phone, "id": person.id_number, "email": person.email}
    obj = services.receive(by=users["hz_admin"], person=person, kind="deletion")
    assert api("hz_staff").post(f"/api/privacy/requests/{obj.pk}/erase/").status_code == 403
    started = timezone.now()
    r = api("hz_admin").post(f"/api/privacy/requests/{obj.pk}/erase/")
    assert r.status_code == 200, r.content

    person.refresh_from_db()
    assert person.name.startswith("已匿名") and old["name"] not in person.name
    for field in ("id_number", "passport_number", "phone", "email", "wechat", "address", "birth_date"):
        assert getattr(person, field) in (None, ""), field
    assert person.category == "overseas_chinese" and person.country == "IT"  # kept for the figures
    assert is_erased(person)
    assert search_ids(Person.objects.all(), users["hz_admin"], "王小明") == []

    # Kept: membership, position, the donation with its amount and receipt (donor anonymised).
    assert Membership.objects.filter(pk=linked["membership"].pk, person=person).exists()
    donation = Donation.objects.get(pk=linked["donation"].pk)
    assert donation.value == Decimal("500") and donation.receipt_number == linked["donation"].receipt_number
    assert donation.donor_name == "已匿名"
    for case in Case.objects.filter(pk__in=[linked["case"].pk, linked["loose_case"].pk]):
        assert case.phone == "" and case.applicant_name == "已匿名"
    linked["registration"].refresh_from_db()
    assert linked["registration"].phone == "" and linked["registration"].name == "已匿名"
    linked["enterprise"].refresh_from_db()
    assert linked["enterprise"].phone == "+8657185551234"  # the business's number stays
    assert linked["enterprise"].legal_representative == "已匿名"
    assert not Consent.objects.active().filter(person=person).exists()

    # The audit log records the erasure without writing the erased values again.
    new_entries = LogEntry.objects.filter(timestamp__gte=started)
    assert new_entries.filter(additional_data__action="privacy.person.anonymised").exists()
    dumped = json.dumps([e.changes for e in new_entries], ensure_ascii=False)
    for value in old.values():
        assert value not in dumped
    obj.refresh_from_db()
    assert obj.status == RequestStatus.DONE
    assert Erasure.objects.get(model="registry.person", object_id=person.pk).request == obj


# --- consent -----------------------------------------------------------------------------------


def test_consent_is_recorded_once_and_withdrawn_from_the_person_page(client, person, users):
    client.force_login(users["hz_staff"])
    url = reverse("privacy:consent-add", args=[person.pk])
    client.post(url, {"purpose": "notices", "method": "written", "note": "入会登记表"})
    client.post(url, {"purpose": "notices", "method": "online"})  # already in force: refused
    consent = Consent.objects.get()
    assert consent.active and consent.recorded_by == users["hz_staff"] and services.has_consent(person, "notices")
    page = client.get(reverse("registry:person-detail", args=[person.pk])).content.decode()
    assert "接收通知和推送" in page
    client.post(reverse("privacy:consent-withdraw", args=[consent.pk]))
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and not services.has_consent(person, "notices")
    assert _as(users["wz_staff"]).post(reverse("privacy:consent-withdraw", args=[consent.pk])).status_code == 404


def test_withdrawal_request_ends_the_chosen_consents(person, users, api):
    services.give_consent(by=users["hz_staff"], person=person, purpose="directory")
    services.give_consent(by=users["hz_staff"], person=person, purpose="photos")
    obj = services.receive(by=users["hz_staff"], person=person, kind="withdrawal")
    r = api("hz_staff").post(f"/api/privacy/requests/{obj.pk}/withdraw/", {"purposes": ["photos"]}, format="json")
    assert r.status_code == 200 and r.json()["result"] == {"withdrawn": 1}
    assert services.has_consent(person, "directory") and not services.has_consent(person, "photos")
    r = api("hz_staff").post("/api/privacy/consents/", {"person": person.pk, "purpose": "photos", "method": "portal"},
                             format="json")
    assert r.status_code == 201 and r.json()["active"]
    r = api("hz_staff").post("/api/privacy/requests/", {"person": None, "kind": "access"}, format="json")
    assert r.status_code == 400 and "person" in r.json()


# --- retention and the CLI ---------------------------------------------------------------------


def test_retention_anonymises_records_past_their_period_once(person, users, tree, settings):
    settings.PRIVACY_RETENTION_DAYS = {"cases.closed": 365}
    by = users["zj_admin"]
    old_id = f.id_number()
    old = case_services.create_case(by=by, org=tree["sc"], kind="consumer_dispute", applicant_name="赵六",
                                     subject="旧纠纷", phone="13900001111", id_number=old_id)
    assert Case.objects.filter(id_number=old_id).exists()
    recent = case_services.create_case(by=by, org=tree["sc"], kind="consumer_dispute", applicant_name="钱七",
                                        subject="新纠纷", phone="13900002222")
    # Closed long ago: the closing date is set directly, as a case closed years before this test.
    Case.objects.filter(pk=old.pk).update(closed_at=timezone.now() - dt.timedelta(days=400))
    Case.objects.filter(pk=recent.pk).update(closed_at=timezone.now() - dt.timedelta(days=10))

    def run(*args):
        out = io.StringIO()
        call_command("retention", "apply", *args, "--format", "json", stdout=out)
        return {k["kind"]: k for k in json.loads(out.getvalue())["kinds"]}

    f.user("root", superuser=True)
    dry = run("--dry-run")
    assert dry["cases.closed"]["due"] == 1 and dry["cases.closed"]["applied"] == 0
    assert Case.objects.get(pk=old.pk).phone == old.phone != ""
    done = run()
    assert done["cases.closed"]["applied"] == 1 and done["cases.closed"]["days"] == 365
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.applicant_name == "已匿名" and old.phone == "" and old.id_number == ""
    assert not Case.objects.filter(id_number=old_id).exists()  # not even through a lookup hash
    assert old.kind == "consumer_dispute" and old.subject == "旧纠纷"  # kept for the figures
    assert recent.applicant_name == "钱七"
    assert run()["cases.closed"]["due"] == 0  # idempotent
    assert LogEntry.objects.filter(additional_data__action="privacy.record.anonymised",
                                   additional_data__reason="retention:cases.closed").count() == 1
    assert {r.key for r in retention.rules()} >= {"cases.closed", "activities.registration", "portal.invitation"}


def test_cli_records_exports_and_erases(person, users, tmp_path):
    def cmd(*args):
        out = io.StringIO()
        call_command("subject_request", *args, "--user", "hz_admin", "--format", "json", stdout=out)
        return json.loads(out.getvalue())

    created = cmd("create", str(person.pk), "access", "--details", "电话申请")
    assert created["status"] == "open" and created["person"] == person.pk
    target = tmp_path / "copy.zip"
    exported = cmd("export", str(created["id"]), "--out", str(target))
    assert exported["status"] == "done" and _zip(target.read_bytes())[0]["person_id"] == person.pk

    deletion = cmd("create", str(person.pk), "deletion")
    assert cmd("erase", str(deletion["id"]))["status"] == "done"
    person.refresh_from_db()
    assert person.phone == "" and is_erased(person)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="已办结"):
        cmd("erase", str(deletion["id"]))


def test_retention_covers_registrations_and_deletes_expired_invitations(person, users, tree, settings):
    from portal.models import Invitation

    settings.PRIVACY_RETENTION_DAYS = {"activities.registration": 365, "portal.invitation": 30}
    by = users["zj_admin"]
    past = act_services.create_activity(by=by, org=tree["sc"], kind="forum", title="往年论坛",
                                        start=dt.date(2020, 5, 1), capacity=10)
    now = act_services.create_activity(by=by, org=tree["sc"], kind="forum", title="今年论坛",
                                       start=timezone.localdate(), capacity=10)
    old_reg = act_services.register(by=by, activity=past, name="孙八", phone="13900003333")
    new_reg = act_services.register(by=by, activity=now, name="周九", phone="13900004444")
    expired = Invitation.objects.create(person=person, channel="email", address="wxm@example.com",
                                        token_hash="a" * 64, expires_at=timezone.now() - dt.timedelta(days=60))
    valid = Invitation.objects.create(person=person, channel="email", address="wxm@example.com",
                                      token_hash="b" * 64, expires_at=timezone.now() + dt.timedelta(days=7))

    report = {k["kind"]: k for k in retention.apply(by=by)["kinds"]}
    assert report["activities.registration"]["applied"] == 1
    assert report["portal.invitation"] == {**report["portal.invitation"], "applied": 1, "action": "delete"}
    old_reg.refresh_from_db()
    new_reg.refresh_from_db()
    assert (old_reg.name, old_reg.phone) == ("已匿名", "") and new_reg.name == "周九"
    past.refresh_from_db()
    assert past.registrations.count() == 1  # the row stays for the counts
    assert not Invitation.objects.filter(pk=expired.pk).exists() and Invitation.objects.filter(pk=valid.pk).exists()


def test_request_pages_offer_the_step_of_each_kind(person, users):
    client = _as(users["hz_admin"])
    steps = {"access": "fulfil", "correction": "correct", "deletion": "erase", "withdrawal": "withdraw"}
    for kind, step in steps.items():
        obj = services.receive(by=users["hz_admin"], person=person, kind=kind)
        page = client.get(reverse("privacy:request-detail", args=[obj.pk])).content.decode()
        assert reverse("privacy:request-handle", args=[obj.pk, step]) in page, kind
        assert reverse("privacy:request-handle", args=[obj.pk, "refuse"]) in page
    listed = client.get(reverse("privacy:request-list") + f"?person={person.pk}").content.decode()
    assert listed.count(reverse("registry:person-detail", args=[person.pk])) == len(steps)
    r = client.post(reverse("privacy:request-handle", args=[obj.pk, "withdraw"]), {})
    assert r.status_code == 302 and SubjectRequest.objects.get(pk=obj.pk).status == RequestStatus.DONE
