"""End to end in Chromium on a phone, in English: accept the invitation, set a password, change the phone
number (applies at once) and the name (waits for the secretariat), log out and in with the new number."""
import pytest
from playwright.sync_api import expect

from portal import services
from registry import services as registry
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "en-US"}
PASSWORD = "Milano-Seta-2024"


def test_member_accepts_the_invitation_and_updates_its_profile_on_a_phone(browser, live_server, users, tree):
    from django.core.cache import cache

    cache.clear()
    person = registry.create_person(by=users["hz_staff"], org=tree["sc"], name="王小明", category="overseas_chinese",
                                    country="IT", phone="+39 333 123 4567", email="wang@example.com",
                                    id_number=f.id_number())
    registry.add_membership(by=users["hz_staff"], org=tree["sc"], person=person)
    _inv, link = services.invite(by=users["hz_staff"], person=person, base_url=live_server.url)

    context = browser.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/my/profile/")
    expect(page.locator("#fact-phone")).to_contain_text("+393331234567")

    page.click("a[href='/my/profile/edit/']")
    page.fill("#id_phone", "+39 347 765 4321")
    page.fill("#id_name", "王晓明")
    page.click("main button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/my/profile/")
    expect(page.locator("#fact-phone")).to_contain_text("+393477654321")
    expect(page.locator("#fact-name")).to_contain_text("王小明")  # not changed until approved
    expect(page.locator("#pending-changes")).to_contain_text("王晓明")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    expect(page.locator("html")).to_have_attribute("lang", "en")  # the language chosen at the invitation
    page.click("form[action='/my/logout/'] button")
    expect(page).to_have_url(f"{live_server.url}/my/login/")
    page.fill("#id_username", "0039 347 765 4321")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/my/")
    page.goto("/my/profile/")
    expect(page.locator("#pending-changes")).to_contain_text("王晓明")
    context.close()
