"""Authentication and sessions (issue #11 item 3): TOTP, password policy, lockout, timeouts, ending
sessions, and the security log. Codes are real TOTP codes computed from the device's key."""
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.middleware import LOGIN_AT, SEEN_AT
from accounts.models import PasswordState, SecurityEvent
from accounts.passwords import CharacterClassValidator
from tests import factories as f
from tests.otp_codes import code_for, device_code, key_from_secret

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def plain_http(settings):
    """Plain-HTTP test requests, and throttle counters cleared."""
    from django.core.cache import cache

    settings.SECURE_SSL_REDIRECT = False
    cache.clear()


def password_login(client, username, password=None):
    """Log in through the login page (a real WSGI request, no shortcut)."""
    return client.post(reverse("login"), {"username": username, "password": password or f"pw-{username}-123"})


def events(kind, **lookup):
    """Security events of one kind."""
    return SecurityEvent.objects.filter(kind=kind, **lookup)


def enrolled(user):
    """A confirmed TOTP device of the user, as after enrolment."""
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def run(*args, **options) -> str:
    """Call a management command and return what it printed."""
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


# --- two-factor on the web -------------------------------------------------------------------


def test_personal_data_user_must_enrol_then_reaches_home_with_a_real_code(client, users):
    assert password_login(client, "hz_admin").status_code == 302
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp-setup"))
    page = client.get(response["Location"])
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body and "<script" not in body.split("<main")[1]
    secret = re.search(r'id="otp-secret"[^>]*>([A-Z2-7 ]+)<', body).group(1)
    device = TOTPDevice.objects.get(user=users["hz_admin"], confirmed=False)
    assert key_from_secret(secret) == device.bin_key
    done = client.post(reverse("accounts:otp-setup"), {"code": code_for(key_from_secret(secret)), "next": "/"})
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert events("otp_enrolled", user=users["hz_admin"]).count() == 1


def test_enrolled_user_verifies_a_code_and_a_wrong_code_is_logged(client, users):
    device = enrolled(users["zj_admin"])
    password_login(client, "zj_admin")
    response = client.get(reverse("registry:person-list"))
    assert response["Location"].startswith(reverse("accounts:otp-verify"))
    wrong = client.post(reverse("accounts:otp-verify"), {"code": "000000" if device_code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "动态口令不正确" in wrong.content.decode()
    assert events("otp_failed", user=users["zj_admin"]).count() == 1
    assert client.get(reverse("home")).status_code == 302  # still held at the second factor
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=5)  # 16 s before the next try
    slowed = client.post(reverse("accounts:otp-verify"), {"code": device_code(device)})
    assert "尝试次数过多" in slowed.content.decode()
    assert events("otp_failed", user=users["zj_admin"], detail__throttled=True).count() == 1
    device.throttle_reset()  # the failure throttles the next try for a second; wait it out at once
    before = client.session.session_key
    ok = client.post(reverse("accounts:otp-verify"), {"code": device_code(device), "next": "/registry/people/"})
    assert client.session.session_key != before  # a new session id after the second factor
    assert ok.status_code == 302 and ok["Location"] == "/registry/people/"
    assert client.get(reverse("registry:person-list")).status_code == 200


def test_a_used_code_is_not_accepted_twice(users):
    device = enrolled(users["hz_admin"])
    first, second = Client(), Client()
    code = device_code(device)
    password_login(first, "hz_admin")
    password_login(second, "hz_admin")
    assert first.post(reverse("accounts:otp-verify"), {"code": code}).status_code == 302
    assert second.post(reverse("accounts:otp-verify"), {"code": code}).status_code == 200


def test_users_without_personal_data_are_not_asked(client, users):
    password_login(client, "hz_staff")
    assert client.get(reverse("home")).status_code == 200
    assert not TOTPDevice.objects.filter(user=users["hz_staff"]).exists()


def test_superusers_must_pass_the_second_factor(client, tree):
    f.user("root", superuser=True)
    password_login(client, "root")
    assert client.get("/admin/")["Location"].startswith(reverse("accounts:otp-setup"))


def test_unverified_session_is_refused_by_the_api_and_logged(client, users):
    password_login(client, "hz_admin")
    response = client.get("/api/people/")
    assert response.status_code == 403 and response.json()["code"] == "otp_required"
    assert events("access_denied", user=users["hz_admin"], detail__reason="otp_required").count() == 1


# --- two-factor on the API -------------------------------------------------------------------


def test_token_for_a_personal_data_user_needs_an_enrolled_device_and_the_code(api, users):
    url, creds = "/api/auth/token/", {"username": "hz_admin", "password": "pw-hz_admin-123"}
    assert api().post(url, creds, format="json").json()["code"] == "otp_not_enrolled"
    device = enrolled(users["hz_admin"])
    assert api().post(url, creds, format="json").json()["code"] == "otp_required"
    wrong = "123456" if device_code(device) != "123456" else "654321"
    r = api().post(url, {**creds, "otp": wrong}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "otp_invalid"
    assert events("otp_failed", user=users["hz_admin"]).count() == 1
    device.throttle_reset()
    r = api().post(url, {**creds, "otp": device_code(device)}, format="json")
    assert r.status_code == 200
    c = api()
    c.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
    assert c.get("/api/people/").status_code == 200
    assert events("login", user=users["hz_admin"], detail__via="api_token").count() == 1


def test_token_for_a_user_without_personal_data_needs_no_code(api, users):
    r = api().post("/api/auth/token/", {"username": "hz_staff", "password": "pw-hz_staff-123"}, format="json")
    assert r.status_code == 200 and r.json()["token"]


def test_tokens_expire_after_api_token_hours(api, users, settings):
    settings.API_TOKEN_HOURS = 12
    token = Token.objects.create(user=users["hz_staff"])
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(hours=12, minutes=1))
    c = api()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert c.get("/api/people/").status_code == 401
    fresh = api().post("/api/auth/token/", {"username": "hz_staff", "password": "pw-hz_staff-123"}, format="json")
    assert fresh.json()["token"] != token.key
    c.credentials(HTTP_AUTHORIZATION=f"Token {fresh.json()['token']}")
    assert c.get("/api/people/").status_code == 200


def test_otp_reset_command_makes_the_user_enrol_again(client, users):
    enrolled(users["hz_admin"])
    out = json.loads(run("otp_reset", "hz_admin", format="json"))
    assert out == {"user": "hz_admin", "devices_removed": 1}
    assert events("otp_reset", user=users["hz_admin"]).count() == 1
    password_login(client, "hz_admin")
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:otp-setup"))


def test_otp_reset_names_an_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不存在"):
        run("otp_reset", "ghost")


# --- password policy -------------------------------------------------------------------------


def test_password_policy_defaults_length_8_and_three_classes(db):
    for weak, why in [("Ab1!xyz", "8"), ("abcdefghij", "至少 3 类"), ("abcdefgh12", "至少 3 类")]:
        with pytest.raises(ValidationError) as e:
            validate_password(weak)
        assert why in " ".join(e.value.messages)
    validate_password("Qiaolian-2026")  # upper, lower, digit, symbol
    validate_password("qiaolian2026!")  # lower, digit, symbol


def test_character_classes_are_configurable(db):
    with pytest.raises(ValidationError):
        CharacterClassValidator(min_classes=4).validate("qiaolian2026!")
    CharacterClassValidator(min_classes=4).validate("Qiaolian2026!")


def test_password_policy_comes_from_the_environment(tmp_path):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="shanghui.settings", SHANGHUI_VAR_DIR=str(tmp_path),
               PASSWORD_MIN_LENGTH="12", PASSWORD_MIN_CLASSES="4", PASSWORD_MAX_AGE_DAYS="0",
               AXES_COOLOFF_MINUTES="20", SESSION_IDLE_MINUTES="10", SESSION_ABSOLUTE_HOURS="8")
    code = ("from django.conf import settings as s; "
            "from django.contrib.auth.password_validation import get_default_password_validators as g; "
            "v = {type(x).__name__: x for x in g()}; "
            "print(v['MinimumLengthValidator'].min_length, v['CharacterClassValidator'].min_classes, "
            "s.PASSWORD_MAX_AGE_DAYS, s.AXES_COOLOFF_TIME * 60, s.SESSION_IDLE_MINUTES, s.SESSION_ABSOLUTE_HOURS, "
            "s.SESSION_COOKIE_AGE)")
    out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert out.stdout.split() == ["12", "4", "0", "20.0", "10", "8", "28800"], out.stderr


def test_defaults_follow_dengbao_level_2(settings):
    from django.conf import settings as live

    assert (live.PASSWORD_MIN_LENGTH, live.PASSWORD_MIN_CLASSES, live.PASSWORD_MAX_AGE_DAYS) == (8, 3, 90)
    assert (live.AXES_FAILURE_LIMIT, live.AXES_COOLOFF_TIME * 60) == (5, 15)
    assert (live.SESSION_IDLE_MINUTES, live.SESSION_ABSOLUTE_HOURS) == (30, 12)


def test_generated_passwords_pass_the_policy(db):
    for _i in range(200):
        validate_password(services.generate_password())


def test_setting_a_password_records_the_date_and_logs_it(db):
    user, _pw = services.create_user(by=None, username="li", password="Qiaolian-2026")
    state = PasswordState.objects.get(user=user)
    assert timezone.now() - state.changed_at < dt.timedelta(minutes=1)
    user.set_password("Qiaolian-2027")
    user.save()
    assert events("password_changed", user=user).count() == 2


def test_expired_password_must_be_changed_at_next_login(client, users):
    user = users["hz_staff"]
    PasswordState.objects.create(user=user, changed_at=timezone.now() - dt.timedelta(days=91))
    password_login(client, "hz_staff")
    held = client.get(reverse("registry:person-list"))
    assert held.status_code == 302 and held["Location"].startswith(reverse("accounts:password-change"))
    assert "密码已使用超过 90 天" in client.get(reverse("accounts:password-change")).content.decode()
    weak = client.post(reverse("accounts:password-change"),
                       {"old_password": "pw-hz_staff-123", "new_password1": "abcdefgh", "new_password2": "abcdefgh"})
    assert weak.status_code == 200 and "至少 3 类" in weak.content.decode()
    done = client.post(reverse("accounts:password-change"), {
        "old_password": "pw-hz_staff-123", "new_password1": "Hangzhou-2026", "new_password2": "Hangzhou-2026"})
    assert done.status_code == 302
    assert client.get(reverse("registry:person-list")).status_code == 200
    assert timezone.now() - PasswordState.objects.get(user=user).changed_at < dt.timedelta(minutes=1)
    assert events("password_changed", user=user).exists()


def test_expired_password_refuses_a_token(api, users):
    PasswordState.objects.create(user=users["hz_staff"], changed_at=timezone.now() - dt.timedelta(days=91))
    r = api().post("/api/auth/token/", {"username": "hz_staff", "password": "pw-hz_staff-123"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "password_expired"


def test_members_passwords_do_not_expire(client, users, settings):
    PasswordState.objects.create(user=users["nobody"], changed_at=timezone.now() - dt.timedelta(days=400))
    password_login(client, "nobody")
    assert client.get(reverse("home")).status_code == 200


def test_max_age_zero_turns_expiry_off(client, users, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 0
    PasswordState.objects.create(user=users["hz_staff"], changed_at=timezone.now() - dt.timedelta(days=400))
    password_login(client, "hz_staff")
    assert client.get(reverse("home")).status_code == 200


# --- lockout ---------------------------------------------------------------------------------


def test_five_failures_lock_the_account_for_15_minutes_and_are_logged(client, users):
    for _i in range(5):
        password_login(client, "hz_staff", "wrong")
    assert events("login_failed", user=users["hz_staff"]).count() >= 4
    assert events("locked_out", user=users["hz_staff"]).exists()
    locked = password_login(client, "hz_staff")
    assert locked.status_code == 429 and "锁定" in locked.content.decode()
    assert client.get(reverse("home")).status_code == 302  # not logged in
    AccessAttempt.objects.filter(username="hz_staff").update(attempt_time=timezone.now() - dt.timedelta(minutes=14))
    assert password_login(client, "hz_staff").status_code == 429
    AccessAttempt.objects.filter(username="hz_staff").update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert password_login(client, "hz_staff").status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_failed_login_of_an_unknown_name_is_logged_with_the_name(client, db):
    password_login(client, "no-such-user", "x")
    event = events("login_failed").get()
    assert event.username == "no-such-user" and event.user is None and event.ip == "127.0.0.1"


# --- session timeouts ------------------------------------------------------------------------


def _age_session(client, **seconds_back):
    session = client.session
    for key, back in seconds_back.items():
        session[key] = session[key] - back
    session.save()


def test_a_session_reads_its_user_and_grants_in_one_query(users, tree, django_assert_num_queries):
    """A logged-in request reads the user with their grants; a grant given or taken counts at the next
    request, and a deactivated user's session no longer opens."""
    from django.contrib.auth import get_user_model

    from accounts.access import grants_for
    from accounts.backends import StaffBackend

    def fresh(user):
        return sorted(grants_for(get_user_model().objects.get(pk=user.pk)), key=repr)

    backend = StaffBackend()
    for name in ("zj_admin", "hz_staff", "nobody"):
        with django_assert_num_queries(1):
            user = backend.get_user(users[name].pk)
            grants = sorted(grants_for(user), key=repr)
        assert user == users[name] and grants == fresh(user)
        stored = get_user_model().objects.get(pk=user.pk)
        for field in stored._meta.concrete_fields:  # the same values, of the same types, as the ORM reads
            mine, theirs = getattr(user, field.attname), getattr(stored, field.attname)
            assert (mine, type(mine)) == (theirs, type(theirs)), field.name
    assert grants_for(backend.get_user(users["nobody"].pk)) == []
    assert [(g.role, g.personal_data) for g in grants_for(backend.get_user(users["zj_admin"].pk))] == [
        ("administrator", True)]

    services.grant_role(by=users["zj_admin"], user=users["hz_staff"], org=tree["wz"], role="viewer")
    assert {g.path for g in grants_for(backend.get_user(users["hz_staff"].pk))} == {tree["hz"].path, tree["wz"].path}
    services.revoke_grant(by=users["zj_admin"], user=users["hz_staff"], org=tree["hz"])
    assert {g.path for g in grants_for(backend.get_user(users["hz_staff"].pk))} == {tree["wz"].path}

    users["hz_staff"].is_active = False
    users["hz_staff"].save()
    assert backend.get_user(users["hz_staff"].pk) is None
    assert backend.get_user(0) is None
    assert backend.get_user(str(users["zj_admin"].pk)) == users["zj_admin"]  # as a session stores it


def test_an_api_token_reads_its_user_and_grants_in_one_query(users, tree, django_assert_num_queries):
    """Token, user and grants in one query; unknown tokens, inactive users and expired tokens refused."""
    from django.contrib.auth import get_user_model
    from rest_framework.exceptions import AuthenticationFailed

    from accounts.access import grants_for
    from accounts.authentication import ExpiringTokenAuthentication

    auth = ExpiringTokenAuthentication()
    for name in ("zj_admin", "hz_staff", "nobody"):
        token = Token.objects.create(user=users[name])
        with django_assert_num_queries(1):
            user, got = auth.authenticate_credentials(token.key)
            grants = sorted(grants_for(user), key=repr)
        assert (user, got, got.user) == (users[name], token, users[name]) and got.created == token.created
        stored = get_user_model().objects.get(pk=user.pk)
        assert grants == sorted(grants_for(stored), key=repr)
        assert all(getattr(user, f.attname) == getattr(stored, f.attname) for f in stored._meta.concrete_fields)
    assert [g.role for g in grants_for(auth.authenticate_credentials(
        Token.objects.get(user=users["zj_admin"]).key)[0])] == ["administrator"]
    for key in ("no-such-token", ""):
        with pytest.raises(AuthenticationFailed):
            auth.authenticate_credentials(key)
    users["hz_staff"].is_active = False
    users["hz_staff"].save()
    with pytest.raises(AuthenticationFailed):
        auth.authenticate_credentials(Token.objects.get(user=users["hz_staff"]).key)


def test_idle_session_expires_after_30_minutes(client, users):
    client.force_login(users["hz_staff"])
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, **{SEEN_AT: 29 * 60})
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, **{SEEN_AT: 31 * 60})
    response = client.get(reverse("registry:person-list"), follow=False)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"]).content.decode()
    assert "会话已超时" in page
    event = events("session_expired", user=users["hz_staff"]).get()
    assert event.detail["reason"] == "idle"
    assert not events("logout", user=users["hz_staff"]).exists()


def test_session_ends_12_hours_after_login_even_when_active(client, users):
    client.force_login(users["hz_staff"])
    client.get(reverse("home"))
    _age_session(client, **{LOGIN_AT: 12 * 3600 + 5})
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert events("session_expired", user=users["hz_staff"]).get().detail["reason"] == "absolute"


def test_timeouts_are_configurable(client, users, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client.force_login(users["hz_staff"])
    _age_session(client, **{SEEN_AT: 6 * 60})
    assert client.get(reverse("home")).status_code == 302


def test_expired_api_session_is_refused_not_redirected(client, users):
    client.force_login(users["hz_staff"])
    _age_session(client, **{SEEN_AT: 31 * 60})
    assert client.get("/api/people/").status_code in (401, 403)  # anonymous: DRF asks for a token
    assert events("session_expired", user=users["hz_staff"]).exists()


# --- ending another user's sessions ----------------------------------------------------------


def test_administrator_ends_a_users_sessions_and_token(users, api):
    browser1, browser2, admin = Client(), Client(), Client()
    browser1.force_login(users["hz_staff"])
    browser2.force_login(users["hz_staff"])
    token = api("hz_staff")
    assert token.get("/api/people/").status_code == 200
    admin.force_login(users["hz_admin"])
    page = admin.get(reverse("accounts:user-detail", args=[users["hz_staff"].pk])).content.decode()
    assert 'id="session-count">2<' in page and 'id="end-sessions"' in page
    r = admin.post(reverse("accounts:user-end-sessions", args=[users["hz_staff"].pk]))
    assert r.status_code == 302
    assert browser1.get(reverse("home")).status_code == 302
    assert browser2.get(reverse("home")).status_code == 302
    assert token.get("/api/people/").status_code == 401
    assert admin.get(reverse("home")).status_code == 200
    event = events("session_ended", user=users["hz_staff"]).get()
    assert event.detail == {"by": "hz_admin", "sessions": 2, "tokens": 1}


def test_only_administrators_over_every_grant_may_end_sessions(users, client):
    client.force_login(users["hz_admin"])
    # zj_admin's grant lies above 杭州: not visible to hz_admin.
    assert client.post(reverse("accounts:user-end-sessions", args=[users["zj_admin"].pk])).status_code == 404
    both = f.user("both", (users["hz_staff"].grants.first().org, "staff"))
    from accounts.models import Grant

    Grant.objects.create(user=both, org=users["wz_staff"].grants.first().org, role="staff")
    page = client.get(reverse("accounts:user-detail", args=[both.pk])).content.decode()
    assert 'id="end-sessions"' not in page
    assert client.post(reverse("accounts:user-end-sessions", args=[both.pk])).status_code == 403
    client.force_login(users["hz_staff"])
    assert client.post(reverse("accounts:user-end-sessions", args=[users["hz_viewer"].pk])).status_code == 403


def test_end_sessions_command(users, api):
    c = Client()
    c.force_login(users["wz_staff"])
    api("wz_staff")
    out = json.loads(run("end_sessions", "wz_staff", format="json"))
    assert out == {"user": "wz_staff", "sessions": 1, "tokens": 1}
    assert c.get(reverse("home")).status_code == 302
    assert events("session_ended", user=users["wz_staff"]).get().detail["by"] is None


# --- the security log ------------------------------------------------------------------------


def test_login_and_logout_are_logged(client, users):
    password_login(client, "hz_staff")
    client.post(reverse("logout"))
    login, logout = events("login", user=users["hz_staff"]).get(), events("logout", user=users["hz_staff"]).get()
    assert login.ip == "127.0.0.1" and login.path == reverse("login")
    assert logout.at >= login.at


def test_every_refused_access_is_logged_once(client, users, api):
    client.force_login(users["hz_staff"])
    assert client.get(reverse("accounts:security-log")).status_code == 403
    body = {"org": "hz", "name": "李四", "category": "relative"}
    assert api("hz_viewer").post("/api/people/", body, format="json").status_code == 403
    web = events("access_denied", user=users["hz_staff"]).get()
    assert web.path == reverse("accounts:security-log") and web.detail["method"] == "GET"
    assert events("access_denied", user=users["hz_viewer"], path="/api/people/").count() == 1


def test_security_log_page_is_scoped_to_the_administrators_users(users):
    for name in ["hz_staff", "wz_staff"]:
        password_login(Client(), name, "wrong")
    root = f.user("root", superuser=True)
    admin = Client()
    admin.force_login(users["hz_admin"])
    body = admin.get(reverse("accounts:security-log")).content.decode()
    assert "hz_staff" in body and "wz_staff" not in body
    superuser = Client()
    superuser.force_login(root)
    body = superuser.get(reverse("accounts:security-log")).content.decode()
    assert "hz_staff" in body and "wz_staff" in body
    filtered = superuser.get(reverse("accounts:security-log"), {"user": "wz_staff", "kind": "login_failed",
                                                               "since": timezone.localdate().isoformat()})
    body = filtered.content.decode()
    assert "wz_staff" in body and "hz_staff" not in body
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert "wz_staff</td>" not in superuser.get(reverse("accounts:security-log"), {"since": tomorrow}).content.decode()


def test_security_log_command(users):
    password_login(Client(), "hz_staff", "wrong")
    password_login(Client(), "hz_staff")
    lines = run("security_log", since=timezone.localdate().isoformat(), format="json").splitlines()
    kinds = [json.loads(line)["kind"] for line in lines]
    assert kinds == ["login_failed", "login"]
    assert json.loads(lines[0])["username"] == "hz_staff"
    assert run("security_log", kind="login", user="hz_staff").count("\tlogin\t") == 1
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert run("security_log", since=tomorrow) == ""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("security_log", since="yesterday")


def test_the_clock_in_the_session_is_set_at_login(client, users):
    before = int(time.time())
    client.force_login(users["hz_staff"])
    assert client.session[LOGIN_AT] >= before and client.session[SEEN_AT] >= before


def test_user_list_shows_the_administrators_users_only(client, users):
    client.force_login(users["hz_admin"])
    body = client.get(reverse("accounts:user-list")).content.decode()
    assert "hz_staff" in body and "hz_viewer" in body and "wz_staff" not in body
    assert "hz_viewer" not in client.get(reverse("accounts:user-list"), {"q": "staff"}).content.decode()
    assert client.get(reverse("accounts:user-detail", args=[users["wz_staff"].pk])).status_code == 404
    client.force_login(users["hz_viewer"])
    assert client.get(reverse("accounts:user-list")).status_code == 403
