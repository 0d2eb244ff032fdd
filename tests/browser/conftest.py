"""Playwright driving Debian's Chromium (/usr/bin/chromium); never a downloaded browser."""
import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in the test thread; Django must allow its ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                  "--no-first-run", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context per test, with the live server as base URL."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def log_in(page, username, password):
    """Log in through the login page, then pass the second factor when the account needs it.

    The code is computed from the key as an authenticator app would: from the secret shown on
    the enrolment page, or from the enrolled device's key.
    """
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    if "/accounts/otp/setup/" in page.url:
        from tests.otp_codes import code_for, key_from_secret

        page.fill("#id_code", code_for(key_from_secret(page.inner_text("#otp-secret"))))
        with page.expect_navigation():
            page.click("main button[type=submit]")
    elif "/accounts/otp/verify/" in page.url:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from tests.otp_codes import device_code

        page.fill("#id_code", device_code(TOTPDevice.objects.get(user__username=username, confirmed=True)))
        with page.expect_navigation():
            page.click("main button[type=submit]")
