"""End to end in Chromium: enter a participant, run the optimizer, explain a pair, confirm the proposals."""
import pytest
from playwright.sync_api import expect

from pairing import services
from pairing.models import Pair
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def program(users, tree):
    by = users["zj_admin"]
    p = services.create_program(by=by, org=tree["hz"], code="hz-shops", name="杭州大企帮小店",
                                kind="enterprise_shop", capacity=2)
    services.add_participant(by=by, program=p, side="helper", name="电商龙头", region="330102", strengths="电商,物流")
    services.add_participant(by=by, program=p, side="helper", name="律所", region="330102", strengths="法律")
    services.add_participant(by=by, program=p, side="beneficiary", name="小店甲", region="330102", needs="法律")
    return p


def test_secretary_runs_explains_and_confirms(page, users, program):
    log_in(page, "hz_staff", "pw-hz_staff-123")
    page.click("nav >> text=结对")
    page.click("text=杭州大企帮小店")

    # Enter a shop by hand: it needs e-commerce.
    page.click("text=参与方")
    page.click("text=添加受助方")
    page.fill("#id_name", "小店乙")
    page.fill("#id_region", "330102")
    page.fill("#id_needs", "电商")
    page.click("main button[type=submit]")
    expect(page.locator("#results")).to_contain_text("小店乙")

    # Run the optimizer: both shops are paired with the helper that meets their needs.
    page.click("h1 >> a")
    page.click("#run-optimizer")
    expect(page.locator("[data-field=pairs]")).to_have_text("2")
    row = page.locator("#proposals tr", has_text="小店乙")
    expect(row).to_contain_text("电商龙头")

    # Explain it: the components with their weights.
    row.locator(".explain-button").click()
    explain = page.locator(".explain")
    expect(explain).to_contain_text("需求匹配")
    expect(explain.locator("[data-component=needs]")).to_contain_text("1.00")

    # Confirm every proposal: the pairs exist and are locked.
    page.click("#confirm-all")
    expect(page.locator(".alert-success")).to_contain_text("已确认 2 对结对")
    assert set(Pair.objects.values_list("helper__name", "beneficiary__name", "locked")) == {
        ("电商龙头", "小店乙", True), ("律所", "小店甲", True)}
