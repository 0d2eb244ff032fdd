"""End to end in Chromium: a user who may see personal data logs in, enrols TOTP from the QR page,
enters a real code computed from the secret shown, reaches the home page; the next login asks for a code."""
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import SecurityEvent
from tests.otp_codes import code_for, device_code, key_from_secret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_personal_data_user_enrols_totp_and_reaches_home(page, users):
    page.goto("/login/")
    page.fill("#id_username", "hz_admin")
    page.fill("#id_password", "pw-hz_admin-123")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/otp/setup/"))
    qr = page.locator("#otp-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # drawn despite the CSP
    secret = page.inner_text("#otp-secret")

    page.fill("#id_code", "000000" if code_for(key_from_secret(secret)) != "000000" else "111111")
    page.click("main button[type=submit]")
    expect(page.locator(".errorlist")).to_contain_text("动态口令不正确")
    TOTPDevice.objects.filter(user=users["hz_admin"]).update(throttling_failure_count=0,
                                                             throttling_failure_timestamp=None)

    page.fill("#id_code", code_for(key_from_secret(secret)))
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("[data-count=people]")).to_be_visible()
    assert SecurityEvent.objects.filter(kind="otp_enrolled", user=users["hz_admin"]).count() == 1

    # Log out and in again: now a code from the enrolled device is asked for.
    page.click("nav form[action=\"/logout/\"] button")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.fill("#id_username", "hz_admin")
    page.fill("#id_password", "pw-hz_admin-123")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/otp/verify/"))
    page.fill("#id_code", device_code(TOTPDevice.objects.get(user=users["hz_admin"], confirmed=True)))
    page.click("main button[type=submit]")
    expect(page.locator("[data-count=people]")).to_be_visible()
