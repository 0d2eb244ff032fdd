"""End to end in Chromium on a phone-sized screen: the public catalogue in English finds a Chinese-only listing,
shows no phone number and takes an inquiry; staff post an English demand and see its Chinese matches."""
import pytest
from playwright.sync_api import expect

from directory import categories, services
from directory.models import Category, Inquiry
from registry import services as reg_services
from tests import factories as f
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def products(users, tree):
    categories.ensure()  # a transactional test before this one flushed the migration's rows
    by = users["zj_admin"]
    e = reg_services.create_enterprise(by=by, org=tree["sc"], name="义乌华联饰品有限公司", credit_code=f.credit_code(),
                                       phone="13812345678")
    scarves = Category.objects.get(code="scarves")
    services.create_product(by=by, enterprise=e, name="真丝围巾", description="桑蚕丝印花", category=scarves,
                            price_min=35, min_order=100)
    services.create_product(by=by, enterprise=e, name="塑料积木玩具", category=Category.objects.get(code="plastic-toys"))


def test_catalogue_on_a_phone_then_a_demand_and_its_matches(page, users, products, settings):
    settings.CASES_INTAKE_MIN_SECONDS = 0
    page.set_viewport_size(PHONE)
    page.goto("/catalogue/?lang=en")
    page.fill("input[name=q]", "silk scarf")
    page.click("#catalogue button[type=submit]")
    card = page.locator(".catalogue-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Machine translation")
    # Cards fit the phone's width: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    card.click()
    expect(page.locator("h1")).to_contain_text("silk")
    assert "13812345678" not in page.content()
    question = page.locator("label[for=id_answer]").inner_text()
    a, b = [int(x) for x in question.split("等于")[0].split("加")]
    page.fill("#id_name", "Ana")
    page.fill("#id_message", "Price for 500 pieces?")
    page.fill("#id_answer", str(a + b))
    page.click("#inquiry-form button[type=submit]")
    expect(page.locator("#inquiry-sent")).to_be_visible()
    assert Inquiry.objects.count() == 1

    page.context.clear_cookies()
    log_in(page, "hz_staff", "pw-hz_staff-123")
    page.goto("/directory/demands/new/")
    page.select_option("#id_org", label="杭州市侨联")
    page.fill("#id_buyer", "Madrid Bazar")
    page.fill("#id_title", "silk scarves for women")
    page.select_option("#id_language", "en")
    page.click("#demand-form button[type=submit]")
    expect(page.locator("#demand-words")).to_contain_text("围巾")
    expect(page.locator("#matches tbody tr").first).to_contain_text("真丝围巾")
    expect(page.locator("#matches")).not_to_contain_text("塑料积木玩具")
