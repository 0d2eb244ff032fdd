"""End to end in Chromium: the dashboard's world map; clicking Italy opens the list of the people living there."""
import pytest
from playwright.sync_api import expect

from registry import services
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_click_a_country_on_the_map_lands_on_its_people(page, users, tree):
    by = users["zj_admin"]
    services.create_person(by=by, org=tree["sc"], name="王意侨", category="overseas_chinese", country="IT")
    services.create_person(by=by, org=tree["hz"], name="李西侨", category="overseas_chinese", country="ES")
    services.create_person(by=by, org=tree["wz"], name="陈温侨", category="overseas_chinese", country="IT")
    log_in(page, "hz_staff", "pw-hz_staff-123")
    page.click("nav >> text=统计")
    expect(page.locator("h1")).to_contain_text("杭州市侨联")
    world = page.locator("#chart-world")
    expect(world).to_have_attribute("data-ready", "1")
    # Where Rome is on the drawn map, in the chart's own coordinates.
    x, y = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-world'))"
        ".convertToPixel({seriesIndex: 0}, [12.5, 42.8])")
    world.scroll_into_view_if_needed()
    box = world.bounding_box()  # in viewport coordinates, as the mouse needs them
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**/registry/people/**")
    assert "country=IT" in page.url
    expect(page.locator("#results")).to_contain_text("王意侨")
    expect(page.locator("#results")).not_to_contain_text("李西侨")
    expect(page.locator("#results")).not_to_contain_text("陈温侨")
