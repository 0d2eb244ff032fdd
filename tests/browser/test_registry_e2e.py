"""End to end in Chromium: log in, browse the tree, find a person, add one with a wrong ID and fix it."""
import pytest
from playwright.sync_api import expect

from registry import services
from registry.models import Person
from tests import factories as f
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def registry_data(users, tree):
    services.create_person(by=users["zj_admin"], org=tree["sc"], name="王小明", category="overseas_chinese",
                           country="IT", phone="+39 333 123 4567")
    services.create_person(by=users["zj_admin"], org=tree["wzc"], name="陈静", category="relative")


def test_secretary_browses_finds_and_registers(page, users, tree, registry_data):
    log_in(page, "hz_staff", "pw-hz_staff-123")
    expect(page.locator("[data-count=people]")).to_have_text("1")

    # The tree: only 杭州 is visible; expanding it shows 上城区.
    page.click("text=组织")
    node = page.locator("li[data-org=hz]")
    expect(node).to_be_visible()
    expect(page.locator("li[data-org=wz]")).to_have_count(0)
    node.locator("button.toggle").click()
    expect(node.locator("li[data-org=hz-sc]")).to_be_visible()

    # Find a person by part of the name; the list updates as one types.
    page.click("nav >> text=人员")
    page.fill("input[name=q]", "小明")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("王小明")
    expect(page.locator("#results")).not_to_contain_text("陈静")

    # Register someone with a wrong ID number: the error appears beside the field.
    page.click("text=登记人员")
    good = f.id_number()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    page.select_option("#id_org", label="杭州市侨联")
    page.fill("#id_name", "李华")
    page.select_option("#id_category", "returned_student")
    page.fill("#id_id_number", wrong)
    page.press("#id_id_number", "Tab")
    expect(page.locator("#err-id_number")).to_contain_text("校验位")
    page.click("main button[type=submit]")
    expect(page.locator("#err-id_number")).to_contain_text("校验位")
    assert not Person.objects.filter(name="李华").exists()

    # Fix it and save: the person's page shows the masked number.
    page.fill("#id_id_number", good)
    page.press("#id_id_number", "Tab")
    expect(page.locator("#err-id_number")).to_be_empty()
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("李华")
    expect(page.locator("[data-field=id_number]")).to_have_text(good[:2] + "*" * 14 + good[-2:])
    assert Person.objects.get(name="李华").id_number == good


def test_reveal_with_purpose_shows_clear_values(page, users, tree):
    number = f.id_number()
    person = services.create_person(by=users["zj_admin"], org=tree["hz"], name="周杰", category="relative",
                                    id_number=number)
    log_in(page, "hz_admin", "pw-hz_admin-123")
    page.goto(f"/registry/people/{person.pk}/")
    expect(page.locator("[data-field=id_number]")).not_to_have_text(number)
    page.fill("input[name=purpose]", "核实会员身份")
    page.click("text=查看完整信息")
    expect(page.locator("#personal-revealed [data-field=id_number]")).to_have_text(number)


def test_language_switch_and_phone_layout(page, users, tree):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "hz_staff", "pw-hz_staff-123")
    page.click("button.navbar-toggler")
    # The menu slides open; a click while it still moves can land on nothing (Bootstrap: .collapsing, then .show).
    expect(page.locator("#nav.show")).to_be_visible()
    with page.expect_navigation():
        page.click("button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_secretary_opens_the_enrolment_form_and_enrols_a_person(page, users, tree):
    person = services.create_person(by=users["zj_admin"], org=tree["sc"], name="林美玲", category="relative")
    log_in(page, "hz_staff", "pw-hz_staff-123")
    page.goto(f"/registry/people/{person.pk}/")
    expect(page.locator("select[name=org]")).to_have_count(0)
    page.click("summary:has-text('登记入会')")
    page.select_option("select[name=org]", label="上城区侨联")
    page.fill("input[name=joined_on]", "2024-03-01")
    with page.expect_navigation():
        page.click("[data-membership-form] button[type=submit]")
    expect(page.locator("main")).to_contain_text("已入会")
    membership = person.memberships.get()
    assert membership.org == tree["sc"] and str(membership.joined_on) == "2024-03-01"
