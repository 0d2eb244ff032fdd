"""Recovery for the second factor: one-time recovery codes at the verification step, and the
administrator's reset of another user's TOTP device from /accounts/users/<id>/.
"""
import json
import re

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp
from accounts.models import SecurityEvent
from tests import factories as f
from tests.test_auth_security import password_login, run


@pytest.fixture(autouse=True)
def plain_http(settings):
    from django.core.cache import cache

    settings.SECURE_SSL_REDIRECT = False
    cache.clear()


def events(kind, **lookup):
    return SecurityEvent.objects.filter(kind=kind, **lookup)


def generate(user) -> list[str]:
    """Log in (verified by the TOTP device, as after a right code) and generate codes on the page."""
    c = Client()
    c.force_login(user)
    r = c.post(reverse("accounts:otp-recovery"))
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    return re.findall(r"<li>((?:[a-z2-7]{4}-){5}[a-z2-7]{4})</li>", r.content.decode())


def test_a_totp_user_generates_codes_shown_once_and_stored_hashed(users):
    user = users["hz_admin"]
    c = Client()
    c.force_login(user)
    page = c.get(reverse("accounts:otp-recovery")).content.decode()
    assert 'id="recovery-left"' in page and "0" in page
    codes = generate(user)
    assert len(codes) == otp.RECOVERY_CODES == len(set(codes))
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & {c.replace("-", "") for c in codes}  # never in clear
    assert stored == {otp.recovery_hash(c) for c in codes}
    assert events("otp_recovery_generated", user=user).count() == 1
    # Shown once: the page afterwards says how many are left, not which.
    page = c.get(reverse("accounts:otp-recovery")).content.decode()
    assert codes[0] not in page and "10" in page
    # Generating again voids the old ones.
    fresh = generate(user)
    assert not {otp.recovery_hash(c) for c in codes} & set(StaticToken.objects.values_list("token", flat=True))
    assert len(fresh) == 10 and StaticDevice.objects.filter(user=user).count() == 1


def test_a_recovery_code_passes_the_verification_step_once(users):
    user = users["zj_admin"]
    codes = generate(user)
    c = Client()
    password_login(c, "zj_admin")
    held = c.get(reverse("registry:person-list"))
    assert held["Location"].startswith(reverse("accounts:otp-verify"))
    page = c.get(held["Location"]).content.decode()
    assert 'id="use-recovery"' in page
    typed = " " + codes[3].upper().replace("-", " ") + " "  # as a person types it
    ok = c.post(reverse("accounts:otp-verify"), {"recovery": typed, "next": "/registry/people/"})
    assert ok.status_code == 302 and ok["Location"] == "/registry/people/"
    assert c.get(reverse("registry:person-list")).status_code == 200
    assert otp.recovery_codes_left(user) == 9
    event = events("otp_recovery_used", user=user).get()
    assert event.detail == {"left": 9}
    # Used up: a second session cannot use it again, and the refusal is logged.
    other = Client()
    password_login(other, "zj_admin")
    again = other.post(reverse("accounts:otp-verify"), {"recovery": codes[3]})
    assert again.status_code == 200 and "恢复码不正确或已使用过" in again.content.decode()
    assert events("otp_failed", user=user, detail__recovery=True).count() == 1
    assert other.get(reverse("home")).status_code == 302  # still held


def test_a_wrong_code_is_refused_and_throttled(users):
    user = users["zj_admin"]
    generate(user)
    c = Client()
    password_login(c, "zj_admin")
    r = c.post(reverse("accounts:otp-verify"), {"recovery": "aaaa-bbbb-cccc-dddd-eeee-ffff"})
    assert "恢复码不正确" in r.content.decode()
    StaticDevice.objects.filter(user=user).update(throttling_failure_count=5)
    r = c.post(reverse("accounts:otp-verify"), {"recovery": "aaaa-bbbb-cccc-dddd-eeee-ffff"})
    assert "尝试次数过多" in r.content.decode()
    assert events("otp_failed", user=user, detail__throttled=True, detail__recovery=True).count() == 1


def test_an_unverified_session_cannot_generate_codes(users):
    TOTPDevice.objects.create(user=users["hz_admin"], name="phone", confirmed=True)
    c = Client()
    password_login(c, "hz_admin")
    r = c.post(reverse("accounts:otp-recovery"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:otp-verify"))
    assert not StaticDevice.objects.filter(user=users["hz_admin"]).exists()


def test_a_user_without_a_device_is_sent_to_enrol(users):
    c = Client()
    c.force_login(users["hz_staff"])  # no second factor required, none enrolled
    r = c.get(reverse("accounts:otp-recovery"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:otp-setup"))


def test_an_administrator_resets_another_users_second_factor_on_the_web(users):
    target = users["hz_admin"]
    generate(target)  # a TOTP device (from the verified login) and recovery codes
    open_session = Client()
    open_session.force_login(target)  # verified with the device about to be reset
    assert open_session.get(reverse("home")).status_code == 200
    admin = Client()
    admin.force_login(users["zj_admin"])
    page = admin.get(reverse("accounts:user-detail", args=[target.pk])).content.decode()
    assert 'id="otp-reset"' in page and "10" in page
    r = admin.post(reverse("accounts:user-otp-reset", args=[target.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("accounts:user-detail", args=[target.pk])
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert not StaticDevice.objects.filter(user=target).exists()
    event = events("otp_reset", user=target).get()
    assert event.detail["by"] == "zj_admin" and event.detail["recovery_codes"] == 10
    assert event.path == reverse("accounts:user-otp-reset", args=[target.pk])
    entry = LogEntry.objects.filter(additional_data__action="accounts.user.otp_reset").get()
    assert entry.actor == users["zj_admin"] and entry.object_pk == str(target.pk)
    # The session verified with the lost device is held at the second factor again.
    held = open_session.get(reverse("home"))
    assert held.status_code == 302 and held["Location"].startswith(reverse("accounts:otp-setup"))
    # At the next login the user enrols again.
    c = Client()
    password_login(c, "hz_admin")
    assert c.get(reverse("home"))["Location"].startswith(reverse("accounts:otp-setup"))


def test_only_an_administrator_of_every_grant_may_reset(users, tree):
    both = f.user("both", (tree["hz"], "staff"), (tree["wz"], "staff"))
    TOTPDevice.objects.create(user=both, name="phone", confirmed=True)
    hz = Client()
    hz.force_login(users["hz_admin"])
    page = hz.get(reverse("accounts:user-detail", args=[both.pk])).content.decode()
    assert 'id="otp-reset"' not in page
    assert hz.post(reverse("accounts:user-otp-reset", args=[both.pk])).status_code == 403
    assert hz.post(reverse("accounts:user-otp-reset", args=[users["wz_staff"].pk])).status_code == 404
    assert TOTPDevice.objects.filter(user=both).exists()
    assert not events("otp_reset").exists()
    viewer = Client()
    viewer.force_login(users["hz_viewer"])
    assert viewer.post(reverse("accounts:user-otp-reset", args=[both.pk])).status_code == 403


def test_the_command_also_removes_recovery_codes(users):
    generate(users["hz_admin"])
    out = json.loads(run("otp_reset", "hz_admin", format="json"))
    assert out["devices_removed"] == 1
    assert not StaticDevice.objects.filter(user=users["hz_admin"]).exists()
    assert events("otp_reset", user=users["hz_admin"]).get().detail["recovery_codes"] == 10
