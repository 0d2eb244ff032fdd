"""On a phone, in English: a member registers for an activity and shows its QR code, then files a request
and follows it in the list with its status."""
import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from activities import services as act_services
from activities.models import Registration
from cases import services as case_services
from cases.models import Case
from tests.test_portal_association import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone_page(browser, live_server, user):
    """A 390×844 phone in English, logged in as `user` through its session cookie."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= 390")


def test_register_show_qr_then_file_and_follow_a_request_on_a_phone(browser, live_server, tree, users):
    by = users["zj_admin"]
    member = make_member(by, tree["hz"], "Lucia Chen", "member_lucia")
    member.member_account.language = "en"
    member.member_account.save(update_fields=["language"])
    activity = act_services.create_activity(by=by, org=tree["hz"], kind="training", title="Cross-border e-commerce",
                                            start=dt.date.today() + dt.timedelta(days=5), capacity=30)
    context, page = _phone_page(browser, live_server, member)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto("/my/activities/")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.locator(f".activity-row[data-activity='{activity.pk}']").click()
    page.click("#register")
    expect(page.locator("#qr")).to_be_visible()
    assert page.locator("#qr").get_attribute("src").startswith("data:image/svg+xml")
    expect(page.locator("#reg-status")).to_have_text("Registered")
    assert _fits(page)
    reg = Registration.objects.get(activity=activity, person=member.member_account.person)
    token = page.locator("#pass-link").get_attribute("href").rstrip("/").rsplit("/activities/pass/", 1)[1]
    assert act_services.registration_for_token(token, activity) == reg

    page.goto("/my/requests/")
    page.click("#new-request")
    page.select_option("#id_org", str(tree["hz"].pk))
    page.select_option("#id_kind", "consumer_dispute")
    page.fill("#id_subject", "Goods never delivered")
    page.fill("#id_description", "Paid a deposit in March, nothing arrived.")
    assert _fits(page)
    page.click("#submit-request")
    expect(page.locator("#case-status")).to_have_attribute("data-status", "submitted")
    expect(page.locator("#case-status")).to_have_text("Submitted")
    expect(page.locator("#case-channel")).to_have_attribute("data-channel", "member_portal")

    case = Case.objects.get(subject="Goods never delivered")
    case_services.accept(by=users["hz_staff"], case=case)
    page.goto("/my/requests/")
    row = page.locator(".request-row", has_text="Goods never delivered")
    expect(row.locator(".request-status")).to_have_attribute("data-status", "accepted")
    expect(row.locator(".request-status")).to_have_text("Accepted")
    assert _fits(page)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()
