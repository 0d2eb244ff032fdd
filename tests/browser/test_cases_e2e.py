"""End to end in Chromium: a request filed on a phone travels to a department and back to "resolved"."""
import re

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests import cases_factories as cf
from tests import factories as f
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN"}


def _desktop(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, username, f"pw-{username}-123")
    return context, page


def _open_step(page, step):
    page.locator(f"details[data-step={step}] > summary").click()


def test_filed_on_a_phone_dispatched_answered_resolved(browser, live_server, users, tree, settings):
    from django.core.cache import cache

    cache.clear()
    settings.CASES_INTAKE_MIN_SECONDS = 0
    liaison = f.user("liaison")
    dept = cf.department(tree["hz"], users["hz_admin"], name="市场监管所", liaison=liaison)
    f.user("mediator", (tree["hz"], "staff"))

    # 1. The applicant files from a phone, in no account, and notes the number and secret.
    phone_ctx = browser.new_context(base_url=live_server.url, **PHONE)
    phone = phone_ctx.new_page()
    phone.set_default_timeout(10_000)
    phone.goto("/intake/hz/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    phone.select_option("#id_kind", "consumer_dispute")
    phone.fill("#id_subject", "买到假冒商品，商家拒绝退款")
    phone.fill("#id_description", "在国际商贸城购买的箱包是假货。")
    phone.fill("#id_applicant_name", "李四")
    phone.fill("#id_phone", "13912345678")
    question = phone.locator("label[for=id_answer]").inner_text()
    a, b = re.search(r"(\d+) 加 (\d+)", question).groups()
    phone.fill("#id_answer", str(int(a) + int(b)))
    phone.click("main button[type=submit]")
    number = phone.locator("#tracking-number").inner_text().strip()
    secret = phone.locator("#tracking-secret").inner_text().strip()
    phone.click("text=查询办理进展")
    phone.fill("#id_number", number)
    phone.fill("#id_secret", secret)
    phone.click("main button[type=submit]")
    expect(phone.locator("#public-status")).to_have_text("已提交")
    case = Case.objects.get(number=number)

    # 2. The case officer accepts it and dispatches it to the department (吹哨).
    ctx, officer = _desktop(browser, live_server, "hz_staff")
    officer.goto("/cases/?queue=unassigned")
    officer.click(f"text={number}")
    _open_step(officer, "accept")
    officer.click("details[data-step=accept] button[type=submit]")
    expect(officer.locator("#case-status")).to_have_text("已受理")
    _open_step(officer, "dispatch")
    officer.check(f"details[data-step=dispatch] input[value='{dept.pk}']")
    officer.fill("#id_dispatch-note", "请核查商户")
    officer.click("details[data-step=dispatch] button[type=submit]")
    expect(officer.locator("#case-status")).to_have_text("已吹哨")
    ctx.close()

    # 3. The liaison sees it in the department's queue, acknowledges (报到) and answers.
    ctx, dept_page = _desktop(browser, live_server, "liaison")
    dept_page.goto("/cases/?queue=department")
    dept_page.click(f"text={number}")
    expect(dept_page.locator("main")).not_to_contain_text("13912345678")
    dept_page.click("form[action$='/acknowledge/'] button")
    dept_page.fill("form[action$='/answer/'] textarea", "已责令商户退款。")
    dept_page.check("form[action$='/answer/'] input[type=checkbox]")
    dept_page.click("form[action$='/answer/'] button")
    expect(dept_page.locator("#dispatches .dispatch-state")).to_have_text("已答复")
    ctx.close()

    # 4. The mediator records the agreement.
    ctx, mediator = _desktop(browser, live_server, "mediator")
    mediator.goto(f"/cases/{case.pk}/")
    _open_step(mediator, "resolve")
    mediator.fill("#id_resolve-agreement", "商户同意全额退款 680 元。")
    mediator.fill("#id_resolve-amount_recovered", "680")
    mediator.click("details[data-step=resolve] button[type=submit]")
    expect(mediator.locator("#case-status")).to_have_text("已化解")
    ctx.close()

    # 5. The applicant sees "resolved", and the department's public answer.
    phone.goto(f"/track/?number={number}")
    phone.fill("#id_secret", secret)
    phone.click("main button[type=submit]")
    expect(phone.locator("#public-status")).to_have_text("已化解")
    expect(phone.locator("#track-result")).to_contain_text("已责令商户退款")
    phone_ctx.close()
