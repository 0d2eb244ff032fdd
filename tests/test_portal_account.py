"""Member accounts and profiles: invitations, login by phone or e-mail, lockout, language, reset,
my profile with verified changes waiting for approval, the staff side, the API and the CLI."""
import io
import json

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityEvent
from portal import services
from portal.models import ChangeStatus, Invitation, MemberAccount, ProfileChange
from registry import services as registry
from registry.models import Enterprise, Person
from tests import factories as f

PASSWORD = "Milano-Seta-2024"


@pytest.fixture
def outbox(settings):
    """Run notification tasks in-process after commit; SMS land in the locmem outbox."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SMS_BACKEND = "core.notifications.LocmemSMSBackend"
    from core.notifications import LocmemSMSBackend

    LocmemSMSBackend.outbox.clear()
    mail.outbox.clear()
    return LocmemSMSBackend.outbox


@pytest.fixture
def people(users, tree):
    """王小明 in 上城区 (Milan phone, e-mail, an enterprise, a membership); 陈静 in 温州 (phone only)."""
    by = users["zj_admin"]
    wang = registry.create_person(by=by, org=tree["sc"], name="王小明", category="overseas_chinese", country="IT",
                                  phone="+39 333 123 4567", email="wang@example.com", id_number=f.id_number())
    chen = registry.create_person(by=by, org=tree["wzc"], name="陈静", category="overseas_chinese", country="ES",
                                  phone="+34 612 345 678")
    shop = registry.create_enterprise(by=by, org=tree["sc"], name="米兰丝绸贸易有限公司", legal_person=wang,
                                      credit_code=f.credit_code())
    other_shop = registry.create_enterprise(by=by, org=tree["wzc"], name="马德里鞋业", legal_person=chen)
    registry.add_membership(by=by, org=tree["sc"], person=wang)
    return {"wang": wang, "chen": chen, "shop": shop, "other_shop": other_shop}


def _token(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def make_member(by, person, channel=None):
    """Invite and accept: the person's member account."""
    _inv, link = services.invite(by=by, person=person, channel=channel)
    return services.accept_invitation(token=_token(link), password=PASSWORD)


@pytest.fixture
def members(users, people):
    """Member accounts for 王小明 (杭州 side) and 陈静 (温州 side)."""
    return {"wang": make_member(users["hz_staff"], people["wang"]),
            "chen": make_member(users["wz_staff"], people["chen"])}


# --- invitations ------------------------------------------------------------------------------


def test_invite_sends_a_one_time_link_by_email_and_stores_only_its_hash(users, people, outbox,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inv, link = services.invite(by=users["hz_staff"], person=people["wang"])
    assert inv.channel == "email" and inv.address == "wang@example.com"
    token = _token(link)
    assert link.endswith(reverse("portal:invite-accept", args=[token]))
    assert inv.token_hash == services.hash_token(token) and token not in inv.token_hash
    assert (inv.expires_at - timezone.now()).days == settings.PORTAL_INVITATION_DAYS - 1
    assert mail.outbox[-1].to == ["wang@example.com"] and link in mail.outbox[-1].body
    assert mail.outbox[-1].body.count(link) == 1
    assert LogEntry.objects.filter(additional_data__action="portal.invitation.sent").exists()


def test_invite_by_sms_and_a_new_invitation_ends_the_old_one(users, people, outbox,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, link1 = services.invite(by=users["wz_staff"], person=people["chen"], channel="sms")
        second, link2 = services.invite(by=users["wz_staff"], person=people["chen"], channel="sms")
    assert [p for p, _t in outbox] == ["+34612345678", "+34612345678"] and link2 in outbox[-1][1]
    assert outbox[-1][1].endswith(link2)  # the link whole, whatever the SMS length limit cuts
    with pytest.raises(ValidationError) as e:
        services.find_invitation(_token(link1))
    assert e.value.code == "expired"
    assert services.find_invitation(_token(link2)) == second


def test_invite_needs_a_contact_a_change_grant_and_no_account(users, people, tree):
    chen = people["chen"]
    with pytest.raises(ValidationError) as e:
        services.invite(by=users["wz_staff"], person=chen, channel="email")
    assert "channel" in e.value.message_dict
    for name in ("hz_staff", "hz_viewer"):
        with pytest.raises(PermissionDenied):
            services.invite(by=users[name], person=chen)
    make_member(users["wz_staff"], chen)
    with pytest.raises(ValidationError) as e:
        services.invite(by=users["wz_staff"], person=chen)
    assert "person" in e.value.message_dict


def test_accept_creates_the_login_and_logs_the_event(users, people):
    _inv, link = services.invite(by=users["hz_staff"], person=people["wang"])
    member = services.accept_invitation(token=_token(link), password=PASSWORD, language="en")
    assert member.person == people["wang"] and member.language == "en"
    assert member.user.username == f"m{people['wang'].pk}" and member.user.check_password(PASSWORD)
    assert Invitation.objects.get(person=people["wang"]).accepted_at is not None
    event = SecurityEvent.objects.get(kind="invitation_accepted")
    assert event.user == member.user
    with pytest.raises(ValidationError) as e:
        services.accept_invitation(token=_token(link), password=PASSWORD)
    assert e.value.code == "used"


def test_expired_used_and_unknown_links_say_so(client, users, people):
    inv, link = services.invite(by=users["hz_staff"], person=people["wang"])
    Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now())
    r = client.get(link)
    assert r.status_code == 410 and "已过期" in r.content.decode()
    with pytest.raises(ValidationError):
        services.accept_invitation(token=_token(link), password=PASSWORD)
    assert not MemberAccount.objects.exists()
    r = client.get(reverse("portal:invite-accept", args=["no-such-token"]))
    assert r.status_code == 404 and "无效" in r.content.decode()
    _inv, link = services.invite(by=users["hz_staff"], person=people["wang"])
    services.accept_invitation(token=_token(link), password=PASSWORD)
    r = client.get(link)
    assert r.status_code == 410 and "已经使用过" in r.content.decode()


def test_accept_page_checks_the_password_and_logs_in(client, users, people):
    _inv, link = services.invite(by=users["hz_staff"], person=people["wang"])
    r = client.post(link, {"password1": "12345678", "password2": "12345678"})
    assert r.status_code == 200 and not MemberAccount.objects.exists()
    assert 'id="err-password1"' in r.content.decode() and "errorlist" in r.content.decode()
    r = client.post(link, {"password1": PASSWORD, "password2": PASSWORD + "x"})
    assert "两次输入的密码不一致" in r.content.decode()
    r = client.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("portal:profile")
    assert client.get(reverse("portal:profile")).status_code == 200


# --- login, lockout, language, reset ------------------------------------------------------------


@pytest.mark.parametrize("typed", ["+39 333 123 4567", "0039 333 1234567", "+393331234567", "WANG@example.com"])
def test_login_by_phone_in_any_form_or_by_email(client, members, typed):
    r = client.post(reverse("portal:login"), {"username": typed, "password": PASSWORD})
    assert r.status_code == 302, r.content.decode()
    assert client.get(reverse("portal:profile")).context["person"] == members["wang"].person


def test_wrong_password_and_unknown_number_are_refused_alike(client, members):
    for typed, password in [("+39 333 123 4567", "wrong"), ("+39 333 999 9999", PASSWORD), ("nobody", PASSWORD)]:
        r = client.post(reverse("portal:login"), {"username": typed, "password": password})
        assert r.status_code == 200 and "手机号/电子邮箱或密码错误" in r.content.decode()


def test_the_account_locks_after_the_failure_limit_whatever_form_is_typed(client, members):
    from axes.models import AccessAttempt

    forms = ["+39 333 123 4567", "0039 3331234567", "wang@example.com"]
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("portal:login"), {"username": forms[i % 3], "password": "wrong"})
    r = client.post(reverse("portal:login"), {"username": "+393331234567", "password": PASSWORD})
    assert r.status_code == settings.AXES_HTTP_RESPONSE_CODE and "锁定" in r.content.decode()
    assert client.get(reverse("portal:profile")).status_code == 302  # not logged in
    assert AccessAttempt.objects.get().username == members["wang"].user.username


def test_login_applies_and_switching_remembers_the_language(client, members):
    wang = members["wang"]
    services.set_language(by=wang.user, member=wang, language="en")
    r = client.post(reverse("portal:login"), {"username": "wang@example.com", "password": PASSWORD})
    assert r.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/my/"})
    assert MemberAccount.objects.get(pk=wang.pk).language == "zh-hans"
    with pytest.raises(PermissionDenied):
        services.set_language(by=members["chen"].user, member=wang, language="en")


def test_logout_goes_back_to_the_portal_login(client, members):
    client.force_login(members["wang"].user)
    r = client.post(reverse("portal:logout"))
    assert r.status_code == 302 and r["Location"] == reverse("portal:login")


def test_password_reset_by_sms_for_a_phone_number(client, members, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("portal:password-reset"), {"identifier": "0034 612 345 678"})
    assert r.status_code == 200 and outbox[-1][0] == "+34612345678"
    link = outbox[-1][1].split("http://testserver", 1)[1].split()[0]
    r = client.get(link, follow=True)
    assert r.context["validlink"]
    new = "Madrid-Zapatos-77"
    r = client.post(r.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert r.status_code == 302 and r["Location"] == reverse("portal:login")
    assert SecurityEvent.objects.filter(kind="password_reset", user=members["chen"].user).exists()
    assert client.post(reverse("portal:login"), {"username": "+34612345678", "password": new}).status_code == 302


def test_password_reset_answers_alike_for_unknown_addresses(client, members, outbox,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("portal:password-reset"), {"identifier": "nobody@example.com"})
        assert services.send_password_reset("wang@example.com") == 1
    assert r.status_code == 200 and "如果该手机号或邮箱对应会员账号" in r.content.decode()
    assert [m.to for m in mail.outbox] == [["wang@example.com"]]


# --- my profile --------------------------------------------------------------------------------


def test_verified_field_waits_and_the_other_applies_at_once(members, people):
    wang = members["wang"]
    written = services.propose_changes(by=wang.user, target=wang.person,
                                       fields={"name": "王晓明", "phone": "0039 347 765 4321"})
    applied, pending = written
    assert applied.status == ChangeStatus.APPLIED and applied.changes == {"phone": ["+393331234567", "+393477654321"]}
    assert pending.status == ChangeStatus.PENDING and pending.changes == {"name": ["王小明", "王晓明"]}
    person = Person.objects.get(pk=wang.person_id)
    assert person.phone == "+393477654321" and person.name == "王小明"
    entry = LogEntry.objects.get_for_object(person).filter(changes__has_key="phone").latest("timestamp")
    assert entry.actor == wang.user


def test_validation_errors_name_the_field(members):
    wang = members["wang"]
    with pytest.raises(ValidationError) as e:
        services.propose_changes(by=wang.user, target=wang.person, fields={"id_number": "123", "phone": "12"})
    assert set(e.value.message_dict) == {"id_number", "phone"}
    with pytest.raises(ValidationError) as e:
        services.propose_changes(by=wang.user, target=wang.person, fields={"notes": "x"})
    assert "notes" in e.value.message_dict
    with pytest.raises(ValidationError) as e:  # the login needs one of them
        services.propose_changes(by=wang.user, target=wang.person, fields={"phone": "", "email": ""})
    assert "phone" in e.value.message_dict
    with pytest.raises(ValidationError) as e:  # another member logs in with it
        services.propose_changes(by=wang.user, target=wang.person, fields={"phone": "+34 612 345 678"})
    assert "phone" in e.value.message_dict
    assert not ProfileChange.objects.exists()


def test_approve_applies_through_the_registry_and_tells_the_member(users, members, outbox,
                                                                    django_capture_on_commit_callbacks):
    wang = members["wang"]
    services.set_language(by=wang.user, member=wang, language="en")
    (change,) = services.propose_changes(by=wang.user, target=wang.person, fields={"name": "王晓明"})
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_change(by=users["hz_staff"], change=change)
    assert Person.objects.get(pk=wang.person_id).name == "王晓明"
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED and change.decided_by == users["hz_staff"]
    assert mail.outbox[-1].to == ["wang@example.com"] and outbox[-1][0] == "+393331234567"
    with pytest.raises(ValidationError):
        services.approve_change(by=users["hz_staff"], change=change)


def test_reject_keeps_the_record_and_needs_a_reason(users, members, people):
    wang = members["wang"]
    (change,) = services.propose_changes(by=wang.user, target=people["shop"], fields={"credit_code": f.credit_code()})
    before = Enterprise.objects.get(pk=people["shop"].pk).credit_code
    with pytest.raises(ValidationError) as e:
        services.reject_change(by=users["hz_staff"], change=change, reason=" ")
    assert "reason" in e.value.message_dict
    services.reject_change(by=users["hz_staff"], change=change, reason="请提供营业执照")
    assert Enterprise.objects.get(pk=people["shop"].pk).credit_code == before
    assert ProfileChange.objects.get(pk=change.pk).status == ChangeStatus.REJECTED


def test_a_member_cannot_change_someone_elses_record(client, users, members, people):
    wang = members["wang"]
    for target in (people["chen"], people["other_shop"]):
        with pytest.raises(PermissionDenied):
            services.propose_changes(by=wang.user, target=target, fields={"name": "越权"})
    with pytest.raises(PermissionDenied):  # staff do not propose: they edit in the registry
        services.propose_changes(by=users["hz_staff"], target=people["wang"], fields={"wechat": "x"})
    client.force_login(wang.user)
    assert client.get(reverse("portal:enterprise-edit", args=[people["other_shop"].pk])).status_code == 404
    assert client.get(reverse("portal:enterprise-edit", args=[people["shop"].pk])).status_code == 200
    body = client.get(reverse("portal:profile")).content.decode()
    assert "+393331234567" in body and "wang@example.com" in body  # own data in clear
    assert "陈静" not in body and "马德里鞋业" not in body
    assert Person.objects.get(pk=people["chen"].pk).name == "陈静"


def test_staff_of_another_subtree_cannot_see_or_approve(client, api, users, members):
    wang = members["wang"]
    (change,) = services.propose_changes(by=wang.user, target=wang.person, fields={"name": "王晓明"})
    for name in ("wz_staff", "hz_viewer"):
        with pytest.raises(PermissionDenied):
            services.approve_change(by=users[name], change=change)
        with pytest.raises(PermissionDenied):
            services.reject_change(by=users[name], change=change, reason="x")
    client.force_login(users["wz_staff"])
    assert client.get(reverse("members:change-detail", args=[change.pk])).status_code == 404
    assert client.post(reverse("members:change-approve", args=[change.pk])).status_code == 404
    assert "王晓明" not in client.get(reverse("members:change-list")).content.decode()
    assert api("wz_staff").post(f"/api/members/changes/{change.pk}/approve/").status_code == 404
    assert api("hz_viewer").post(f"/api/members/changes/{change.pk}/approve/").status_code == 403
    assert Person.objects.get(pk=wang.person_id).name == "王小明"


def test_profile_pages_through_the_web(client, members, people):
    client.force_login(members["wang"].user)
    r = client.post(reverse("portal:profile-edit"), {
        "name": "王晓明", "phone": "+39 347 765 4321", "email": "wang@example.com", "country": "IT"})
    assert r.status_code == 302
    body = client.get(reverse("portal:profile")).content.decode()
    assert "待审核" in body and "王晓明" in body and "+393477654321" in body
    r = client.post(reverse("portal:profile-edit"), {"name": "王小明", "phone": "12", "country": "IT"})
    assert r.status_code == 200 and '<div id="err-phone" class="field-errors"><ul class="errorlist">' in r.content.decode()
    r = client.post(reverse("portal:enterprise-edit", args=[people["shop"].pk]),
                    {"name": people["shop"].name, "credit_code": people["shop"].credit_code, "main_products": "真丝围巾"})
    assert r.status_code == 302 and Enterprise.objects.get(pk=people["shop"].pk).main_products == "真丝围巾"
    assert "真丝围巾" in client.get(reverse("portal:changes")).content.decode()


def test_staff_pages_invite_and_decide(client, users, people, members):
    client.force_login(users["hz_staff"])
    body = client.get(reverse("registry:person-detail", args=[people["wang"].pk])).content.decode()
    assert 'id="member-account"' in body and "已开通" in body
    chen_client = client
    wang = members["wang"]
    (change,) = services.propose_changes(by=wang.user, target=wang.person, fields={"name": "王晓明"})
    page = chen_client.get(reverse("members:change-detail", args=[change.pk])).content.decode()
    assert 'id="before-after"' in page and "王小明" in page and "王晓明" in page
    r = client.post(reverse("members:change-reject", args=[change.pk]), {"reason": "请提供护照"})
    assert r.status_code == 302 and ProfileChange.objects.get(pk=change.pk).status == ChangeStatus.REJECTED
    other = registry.create_person(by=users["hz_staff"], org=people["wang"].org, name="李四",
                                   category="relative", phone="13812345678")
    r = client.post(reverse("members:invite", args=[other.pk]), {"channel": "sms"}, follow=True)
    assert "/my/invite/" in r.content.decode() and Invitation.objects.filter(person=other).exists()
    assert "李四" in client.get(reverse("members:invitation-list")).content.decode()


# --- member boundary ---------------------------------------------------------------------------


def test_a_member_is_kept_out_of_staff_pages_and_the_staff_api(client, api, members):
    user = members["wang"].user
    client.force_login(user)
    r = client.get("/registry/people/")
    assert r.status_code == 302 and r["Location"] == reverse("portal:home")
    assert client.get(reverse("members:change-list")).status_code == 302
    assert client.get("/api/people/").status_code == 403
    assert client.get("/api/members/changes/").status_code == 403
    c = api()
    token = c.post("/api/auth/token/", {"username": "+39 333 123 4567", "password": PASSWORD}, format="json")
    assert token.status_code == 200
    c.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    # By token too, the staff endpoints refuse a member; its own API answers.
    assert c.get("/api/people/").status_code == 403
    assert c.get("/api/members/changes/").status_code == 403
    assert c.get("/api/my/profile/").status_code == 200


# --- API ---------------------------------------------------------------------------------------


def _member_api(api, member):
    from rest_framework.authtoken.models import Token

    c = api()
    c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=member.user)[0].key}")
    return c


def test_api_profile_get_and_patch(api, members, people):
    c = _member_api(api, members["wang"])
    body = c.get("/api/my/profile/").json()
    assert body["person"]["phone"] == "+393331234567" and body["person"]["name"] == "王小明"
    assert [e["name"] for e in body["enterprises"]] == ["米兰丝绸贸易有限公司"]
    assert [m["org"] for m in body["memberships"]] == ["hz-sc"]
    r = c.patch("/api/my/profile/", {"name": "王晓明", "wechat": "wang_milano"}, format="json")
    assert r.status_code == 200, r.content
    assert {ch["status"] for ch in r.json()["changes"]} == {"applied", "pending"}
    r = c.patch("/api/my/profile/", {"phone": "12"}, format="json")
    assert r.status_code == 400 and "phone" in r.json()
    r = c.patch("/api/my/profile/", {"org": "wz"}, format="json")
    assert r.status_code == 400 and "org" in r.json()
    r = c.patch(f"/api/my/enterprises/{people['other_shop'].pk}/", {"main_products": "x"}, format="json")
    assert r.status_code == 404
    r = c.patch(f"/api/my/enterprises/{people['shop'].pk}/", {"main_products": "真丝"}, format="json")
    assert r.status_code == 200 and r.json()["changes"][0]["status"] == "applied"
    changes = c.get("/api/my/changes/").json()
    assert changes["count"] == 3
    assert _member_api(api, members["chen"]).get("/api/my/changes/").json()["count"] == 0
    assert api("hz_staff").get("/api/my/profile/").status_code == 403
    assert c.put("/api/my/language/", {"language": "en"}, format="json").json() == {"language": "en"}
    assert c.put("/api/my/language/", {"language": "fr"}, format="json").status_code == 400
    assert MemberAccount.objects.get(pk=members["wang"].pk).language == "en"


def test_staff_api_lists_approves_rejects_and_invites(api, users, members, people):
    wang = members["wang"]
    (change,) = services.propose_changes(by=wang.user, target=wang.person, fields={"id_number": f.id_number()})
    c = api("hz_staff")
    rows = c.get("/api/members/changes/?status=pending").json()["results"]
    assert [r["id"] for r in rows] == [change.pk]
    assert "*" in rows[0]["changes"]["id_number"][1]  # no personal-data grant: masked
    assert "*" not in api("hz_admin").get(f"/api/members/changes/{change.pk}/").json()["changes"]["id_number"][1]
    r = c.post(f"/api/members/changes/{change.pk}/reject/", {}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = c.post(f"/api/members/changes/{change.pk}/approve/")
    assert r.status_code == 200 and r.json()["status"] == "applied"
    assert Person.objects.get(pk=wang.person_id).id_number == change.changes["id_number"][1]
    other = registry.create_person(by=users["hz_staff"], org=people["wang"].org, name="李四",
                                   category="relative", email="li@example.com")
    r = c.post("/api/members/invitations/", {"person": other.pk}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["channel"] == "email" and "/my/invite/" in r.json()["link"]
    assert c.get(f"/api/members/invitations/{r.json()['id']}/").json()["link"] is None
    r = api("wz_staff").post("/api/members/invitations/", {"person": other.pk}, format="json")
    assert r.status_code == 400 and "person" in r.json()


# --- CLI ---------------------------------------------------------------------------------------


def test_invite_command_prints_json(users, people):
    out = io.StringIO()
    call_command("invite", str(people["chen"].pk), "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["channel"] == "sms" and data["address"] == "+34612345678" and "/my/invite/" in data["link"]
    assert services.find_invitation(_token(data["link"])).person == people["chen"]
    with pytest.raises(CommandError):
        call_command("invite", str(people["chen"].pk), "--channel", "email", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("invite", str(people["wang"].pk), "--by", "wz_staff", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("invite", "999999", stdout=io.StringIO())
    assert get_user_model().objects.filter(member_account__isnull=False).count() == 0


def test_password_reset_sends_a_few_links_an_hour_per_number(client, members, outbox,
                                                             django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from portal.views_account import RESET_LIMITS

    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for _i in range(RESET_LIMITS["id"] + 2):
            r = client.post(reverse("portal:password-reset"), {"identifier": "+34 612 345 678"})
            assert r.status_code == 200  # the same answer, sent or not
    assert len(outbox) == RESET_LIMITS["id"]


def test_staff_logging_in_on_the_portal_page_go_to_the_staff_home(client, users):
    r = client.post(reverse("portal:login"), {"username": "hz_staff", "password": "pw-hz_staff-123"})
    assert r.status_code == 302 and r["Location"] == reverse("home")
