"""End to end in Chromium on a 390 px phone screen: a member lists a product, posts an English demand and sees
its Chinese match, and reads its pairings and donations; no page scrolls sideways."""
import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from charity import services as charity_services
from directory import categories, services
from directory.models import Category, Product
from registry import services as reg_services
from tests import factories as f
from tests.test_portal_isolation import make_enterprise, make_member, make_pair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def member(users, tree):
    """A member with an enterprise, a pair and a donation; a silk scarf on sale by another enterprise."""
    categories.ensure()  # a transactional test before this one flushed the migration's rows
    by = users["zj_admin"]
    user, account = make_member(tree["sc"], by, "郑", phone="13944445555", person_name="郑义乌")
    make_enterprise(tree["sc"], by, account.person, "义乌郑氏小商品贸易有限公司（国际部）")
    other = reg_services.create_enterprise(by=by, org=tree["wzc"], name="温州丝绸厂", credit_code=f.credit_code())
    services.create_product(by=by, enterprise=other, name="真丝围巾", description="桑蚕丝印花",
                            category=Category.objects.get(code="scarves"), price_min=35)
    make_pair(tree["sc"], by, "郑", account.person)
    fund = charity_services.create_fund(by=by, org=tree["sc"], code="zheng", name="上城区侨界助学基金", kind="relief")
    charity_services.receive_donation(by=by, fund=fund, donor_person=account.person, value=Decimal("2000"),
                                      received_on=dt.date(2025, 6, 1))
    return user


def _log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_my_business_pairings_and_giving_on_a_phone(page, live_server, member):
    page.set_viewport_size(PHONE)
    _log_in(page, live_server, member)
    page.goto("/my/business/")
    expect(page.locator("main")).to_contain_text("义乌郑氏小商品贸易有限公司")
    _fits(page)

    page.click("text=发布产品")
    page.fill("#id_name", "合金发夹")
    page.fill("#id_min_order", "200")
    page.fill("#id_price_min", "1.5")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("合金发夹")
    _fits(page)
    assert Product.objects.filter(name="合金发夹", enterprise__legal_person__member_account__user=member).exists()

    page.goto("/my/business/demands/new/")
    page.fill("#id_title", "silk scarves for women")
    page.select_option("#id_language", "en")
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("真丝围巾")
    _fits(page)
    page.click("text=询盘 >> nth=0")
    page.fill("#id_message", "Price for 500 pieces?")
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("Price for 500 pieces?")
    _fits(page)

    for url, text in (("/my/business/matches/", "silk scarves for women"), ("/my/business/inquiries/", "温州丝绸厂"),
                      ("/my/pairings/", "郑受助商户"), ("/my/giving/", "上城区侨界助学基金")):
        page.goto(url)
        expect(page.locator("main")).to_contain_text(text)
        _fits(page)
