"""End to end in Chromium: a judge scores its nominations, the organizer closes scoring and publishes."""
import pytest
from playwright.sync_api import expect

from awards import services as aw
from tests import factories as f
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def campaign(users, tree):
    by = users["hz_admin"]
    chambers = [f.org(f"e2e-c{i}", name, tree["hz"], kind="chamber") for i, name in
                enumerate(["杭州泉州商会", "杭州温州商会"])]
    c = aw.create_campaign(by=by, org=tree["hz"], code="e2e-2024", year=2024, title="年度优秀商会", places=1)
    aw.add_criterion(by=by, campaign=c, group="经济建设", title="会员企业发展", max_score=60)
    aw.add_criterion(by=by, campaign=c, group="组织建设", title="党建与会务", max_score=40)
    aw.open_nominations(by=by, campaign=c)
    for ch in chambers:
        aw.submit_nomination(by=by, nomination=aw.nominate(by=by, campaign=c, nominee=ch))
    aw.add_judge(by=by, campaign=c, user=f.user("judge"), name="李评委")
    aw.start_scoring(by=by, campaign=c)
    aw.assign_all(by=by, campaign=c)
    return c


def test_judge_scores_and_organizer_publishes(page, users, campaign):
    criteria = list(campaign.criteria.all())
    log_in(page, "judge", "pw-judge-123")
    page.goto("/awards/judging/")
    for name, (a, b) in [("杭州泉州商会", (55, 35)), ("杭州温州商会", (40, 30))]:
        page.click(f"text={name}")
        page.fill(f"#score-{criteria[0].pk}", "61")  # above the maximum: refused by the browser or the server
        page.fill(f"#score-{criteria[1].pk}", str(b))
        page.evaluate("document.querySelector('form.mt-3').noValidate = true")
        page.click("#save-scores")
        expect(page.locator(".alert")).to_contain_text("0到60")
        page.fill(f"#score-{criteria[0].pk}", str(a))
        page.click("#save-scores")
        expect(page.locator("main")).to_contain_text("评分已保存")
    expect(page.locator("main table")).not_to_contain_text("待评分")

    page.context.clear_cookies()
    log_in(page, "hz_admin", "pw-hz_admin-123")
    page.goto(f"/awards/{campaign.pk}/")
    page.click("#close-scoring")
    expect(page.locator("#ranking tbody tr").first).to_contain_text("杭州泉州商会")
    expect(page.locator("#ranking tbody tr").first).to_contain_text("90")
    page.click("#publish")
    expect(page.locator("#status")).to_have_text("已发布")
    page.goto("/awards/list/e2e-2024/")
    expect(page.locator("#winners")).to_have_text("杭州泉州商会")
