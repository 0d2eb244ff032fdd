"""My business in the member portal: products, photos, demands in the member's language, matches, inquiries;
the same through /api/my/. Members act only for the enterprises whose legal person they are."""
import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from directory import services
from directory.models import Category, Demand, Inquiry, Product
from registry import services as reg_services
from tests import factories as f
from tests.test_portal_isolation import make_enterprise, make_member, png


@pytest.fixture
def shop(tree, users):
    """Member 陈 (上城区) with its enterprise; a second enterprise in 温州 whose legal person is someone else,
    selling a published silk scarf and a hidden product."""
    by = users["zj_admin"]
    user, account = make_member(tree["sc"], by, "陈", phone="13911112222", person_name="陈义乌")
    enterprise = make_enterprise(tree["sc"], by, account.person, "义乌陈氏饰品有限公司", phone="13911112222")
    other = reg_services.create_enterprise(by=by, org=tree["wzc"], name="温州丝绸厂", credit_code=f.credit_code(),
                                           phone="13822223333")
    cat = {c.code: c for c in Category.objects.all()}
    scarf = services.create_product(by=by, enterprise=other, name="真丝围巾", description="桑蚕丝印花",
                                    category=cat["scarves"], price_min=35)
    return {"user": user, "account": account, "enterprise": enterprise, "other": other, "scarf": scarf, "by": by,
            "cat": cat}


@pytest.fixture
def member_client(client, shop):
    client.force_login(shop["user"])
    return client


# ---- web: products ------------------------------------------------------------------------------------

def test_a_member_without_an_enterprise_is_told_why_the_page_is_empty(client, tree, users):
    user, _account = make_member(tree["sc"], users["zj_admin"], "林", phone="13933334444")
    client.force_login(user)
    body = client.get(reverse("portal:business")).content.decode()
    assert "您名下还没有企业" in body and "法人" in body
    assert client.get(reverse("portal:business-product-create")).status_code == 404
    assert client.get(reverse("portal:business-demand-create")).status_code == 404


def test_a_member_lists_a_product_of_its_enterprise_then_hides_and_publishes_it(member_client, shop):
    r = member_client.post(reverse("portal:business-product-create"), {
        "enterprise": shop["enterprise"].pk, "name": "合金发夹", "description": "韩版水钻", "name_en": "Alloy hair clip",
        "description_en": "", "category": shop["cat"]["scarves"].pk, "min_order": 200, "unit": "件",
        "price_min": "1.50", "price_max": "3", "currency": "cny", "status": "published"})
    product = Product.objects.get(name="合金发夹")
    assert r.status_code == 302 and r["Location"] == reverse("portal:business-product", args=[product.pk])
    assert product.enterprise == shop["enterprise"] and product.org == shop["enterprise"].org
    assert product.currency == "CNY" and product.translations["en"]["name"] == "Alloy hair clip"
    entry = LogEntry.objects.get_for_object(product).filter(additional_data__action="directory.product.created").get()
    assert entry.actor == shop["user"]
    assert "合金发夹" in member_client.get(reverse("portal:business")).content.decode()
    assert member_client.get(reverse("catalogue:product", args=[product.pk])).status_code == 200

    member_client.post(reverse("portal:business-product-status", args=[product.pk]), {"status": "hidden"})
    product.refresh_from_db()
    assert product.status == "hidden"
    assert member_client.get(reverse("catalogue:product", args=[product.pk])).status_code == 404
    member_client.post(reverse("portal:business-product-status", args=[product.pk]), {"status": "published"})
    product.refresh_from_db()
    assert product.status == "published"

    r = member_client.post(reverse("portal:business-product", args=[product.pk]), {
        "name": "合金发夹（新款）", "description": "", "name_en": "", "description_en": "", "category": "",
        "min_order": 100, "unit": "件", "price_min": "", "price_max": "", "currency": "CNY", "status": "published"})
    assert r.status_code == 302
    product.refresh_from_db()
    assert product.name == "合金发夹（新款）" and product.enterprise == shop["enterprise"]


def test_bad_product_input_names_the_field_and_the_reason(member_client, shop):
    r = member_client.post(reverse("portal:business-product-create"), {
        "enterprise": shop["enterprise"].pk, "name": "发夹", "price_min": "5", "price_max": "2", "currency": "CNY",
        "hs_code": "12", "status": "published", "unit": "件"})
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert "最高价不能低于最低价" in str(errors["price_max"])
    assert not Product.objects.filter(name="发夹").exists()


def test_a_member_cannot_list_for_someone_elses_enterprise(member_client, shop):
    r = member_client.post(reverse("portal:business-product-create"), {
        "enterprise": shop["other"].pk, "name": "冒名产品", "currency": "CNY", "status": "published", "unit": "件"})
    assert r.status_code == 200 and "enterprise" in r.context["form"].errors
    assert not Product.objects.filter(name="冒名产品").exists()
    with pytest.raises(PermissionDenied):
        services.member_create_product(by=shop["user"], enterprise=shop["other"], name="冒名产品")
    with pytest.raises(PermissionDenied):
        services.member_set_status(by=shop["user"], product=shop["scarf"], status="hidden")
    with pytest.raises(PermissionDenied):  # staff are not members
        services.member_create_product(by=shop["by"], enterprise=shop["enterprise"], name="员工代发")


def test_photos_are_checked_by_content_and_served_to_their_owner_only(member_client, client, shop, users):
    product = services.member_create_product(by=shop["user"], enterprise=shop["enterprise"], name="发箍",
                                             status="hidden")
    url = reverse("portal:business-photo-add", args=[product.pk])
    fake = io.BytesIO(b"not an image at all")
    fake.name = "photo.jpg"
    r = member_client.post(url, {"photo": fake}, follow=True)
    body = r.content.decode()
    assert "alert-danger" in body and "photo.jpg" in body and product.photos.count() == 0  # named and refused
    good = io.BytesIO(png())
    good.name = "clip.png"
    member_client.post(url, {"photo": good})
    photo = product.photos.get()
    r = member_client.get(reverse("portal:business-photo", args=[photo.pk, "thumb"]))
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    # The product is hidden: the public catalogue does not serve its photo.
    assert client.get(reverse("catalogue:photo", args=[photo.pk, "thumb"])).status_code == 404
    member_client.post(reverse("portal:business-photo-delete", args=[photo.pk]))
    assert product.photos.count() == 0


# ---- web: demands, matches, inquiries -------------------------------------------------------------------

def test_a_demand_in_english_finds_the_chinese_listing_and_the_member_inquires(member_client, shop):
    shop["account"].language = "en"
    shop["account"].save()
    r = member_client.get(reverse("portal:business-demand-create"))
    assert r.context["form"].initial["language"] == "en"
    r = member_client.post(reverse("portal:business-demand-create"), {
        "enterprise": shop["enterprise"].pk, "title": "silk scarf", "description": "printed, for women",
        "language": "en", "quantity": 500, "unit": "pcs", "currency": "usd", "destination": "IT"})
    assert r.status_code == 302, r.context["form"].errors
    demand = Demand.objects.get(title="silk scarf")
    assert r["Location"] == reverse("portal:business-demand", args=[demand.pk])
    assert demand.buyer == shop["enterprise"].name and demand.org == shop["enterprise"].org
    assert demand.destination == "IT" and demand.currency == "USD"
    page = member_client.get(r["Location"]).content.decode()
    assert "真丝围巾" in page and "温州丝绸厂" in page
    assert demand in services.member_demands(shop["user"])

    inquire = reverse("portal:business-inquire", args=[shop["scarf"].pk]) + f"?demand={demand.pk}"
    r = member_client.post(inquire, {"enterprise": shop["enterprise"].pk, "message": "Price for 500?",
                                     "demand": demand.pk})
    inquiry = Inquiry.objects.get()
    assert r["Location"] == reverse("portal:business-inquiry", args=[inquiry.pk])
    assert inquiry.enterprise == shop["other"] and inquiry.demand == demand and inquiry.language == "en"
    assert inquiry.buyer_name == shop["enterprise"].name
    # The supplier answers through its private link; the member reads it in the portal.
    services.reply(key=inquiry.supplier_key, body="每条30元")
    thread = member_client.get(reverse("portal:business-inquiry", args=[inquiry.pk])).content.decode()
    assert "Price for 500?" in thread and "每条30元" in thread
    listing = member_client.get(reverse("portal:business-inquiries")).content.decode()
    assert "温州丝绸厂" in listing and reverse("portal:business-inquiry", args=[inquiry.pk]) in listing

    member_client.post(reverse("portal:business-demand-close", args=[demand.pk]))
    demand.refresh_from_db()
    assert demand.status == "closed"


def test_the_member_reads_and_answers_an_inquiry_to_its_enterprise(member_client, client, shop):
    product = services.member_create_product(by=shop["user"], enterprise=shop["enterprise"], name="真丝围巾披肩")
    inquiry = services.open_inquiry(by=None, product=product, buyer_name="Ana García", buyer_email="ana@example.com",
                                    language="es", message="Precio por 300 bufandas de seda?")
    assert reverse("portal:business-inquiry", args=[inquiry.pk]) in \
        member_client.get(reverse("portal:business-inquiries")).content.decode()
    url = reverse("portal:business-inquiry", args=[inquiry.pk])
    assert "Precio por 300" in member_client.get(url).content.decode()
    r = member_client.post(url, {"body": ""})
    assert r.status_code == 200 and "body" in r.context["form"].errors
    member_client.post(url, {"body": "每条25元，起订300条"})
    message = inquiry.messages.order_by("-pk").first()
    assert message.from_buyer is False and message.body == "每条25元，起订300条"
    # The buyer sees the answer on its own link.
    assert "每条25元" in client.get(reverse("catalogue:inquiry", args=[inquiry.buyer_key])).content.decode()


def test_matches_show_the_open_demands_my_product_could_answer_without_the_buyer(member_client, shop, tree):
    services.member_create_product(by=shop["user"], enterprise=shop["enterprise"], name="真丝围巾礼盒装",
                                   category=shop["cat"]["scarves"])
    services.post_demand(by=shop["by"], org=tree["wz"], buyer="Milano Moda Srl", title="silk scarves", language="en",
                         quantity=800)
    page = member_client.get(reverse("portal:business-matches")).content.decode()
    assert "silk scarves" in page and "Milano Moda" not in page


def test_a_member_cannot_reach_a_demand_or_inquiry_it_is_not_a_party_of(member_client, shop, tree):
    demand = services.post_demand(by=shop["by"], org=tree["sc"], buyer="别人", title="围巾", language="zh")
    inquiry = services.open_inquiry(by=None, product=shop["scarf"], buyer_name="X", message="hi")
    assert member_client.get(reverse("portal:business-demand", args=[demand.pk])).status_code == 404
    assert member_client.post(reverse("portal:business-demand-close", args=[demand.pk])).status_code == 404
    assert member_client.get(reverse("portal:business-inquiry", args=[inquiry.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.member_close_demand(by=shop["user"], demand=demand)
    with pytest.raises(PermissionDenied):
        services.member_reply(by=shop["user"], inquiry=inquiry, body="我来插一句")


def _file(data: bytes, name: str):
    upload = io.BytesIO(data)
    upload.name = name
    return upload


# ---- API ---------------------------------------------------------------------------------------------------

def test_api_products_crud_for_my_enterprises_only(member_client, shop):
    base = reverse("portal-api:my-product-list")
    r = member_client.post(base, {"enterprise": shop["enterprise"].pk, "name": "水晶手链", "price_min": "12",
                                  "currency": "cny", "category": "scarves"}, content_type="application/json")
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert r.json()["enterprise_name"] == shop["enterprise"].name and r.json()["currency"] == "CNY"
    rows = member_client.get(base).json()
    names = [p["name"] for p in (rows["results"] if isinstance(rows, dict) else rows)]
    assert names == ["水晶手链"]  # the other enterprise's scarf is not mine
    r = member_client.post(base, {"enterprise": shop["other"].pk, "name": "冒名"}, content_type="application/json")
    assert r.status_code == 400 and "enterprise" in r.json()
    r = member_client.post(base, {"enterprise": shop["enterprise"].pk, "name": "x", "price_min": "9",
                                  "price_max": "1"}, content_type="application/json")
    assert r.status_code == 400 and "price_max" in r.json()
    detail = reverse("portal-api:my-product-detail", args=[pid])
    r = member_client.patch(detail, {"status": "hidden", "description": "925银"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "hidden" and r.json()["description"] == "925银"
    r = member_client.patch(detail, {"enterprise": shop["other"].pk}, content_type="application/json")
    assert r.status_code == 400
    assert member_client.get(reverse("portal-api:my-product-detail", args=[shop["scarf"].pk])).status_code == 404
    assert member_client.delete(reverse("portal-api:my-product-detail", args=[shop["scarf"].pk])).status_code == 404
    photos = reverse("portal-api:my-product-photos", args=[pid])
    r = member_client.post(photos, {"photo": _file(b"GIF89a not really", "x.gif")})
    assert r.status_code == 400 and "photo" in r.json()
    r = member_client.post(photos, {"photo": _file(png(), "bracelet.png")})
    assert r.status_code == 201 and len(r.json()["photo_ids"]) == 1
    photo_id = r.json()["photo_ids"][0]
    assert member_client.get(r.json()["photos"][0]).status_code == 200
    assert member_client.delete(reverse("portal-api:my-product-photo", args=[pid, photo_id])).status_code == 204
    assert member_client.get(detail).json()["photo_ids"] == []
    assert member_client.delete(detail).status_code == 204
    assert not Product.objects.filter(pk=pid).exists() and Product.objects.filter(pk=shop["scarf"].pk).exists()


def test_api_demands_matches_inquiries_and_replies(member_client, shop):
    r = member_client.post(reverse("portal-api:my-demand-list"), {
        "enterprise": shop["enterprise"].pk, "title": "bufanda de seda", "language": "es", "quantity": 300},
        content_type="application/json")
    assert r.status_code == 201, r.content
    demand_id = r.json()["id"]
    assert r.json()["buyer"] == shop["enterprise"].name and "enterprise" not in r.json()
    found = member_client.get(reverse("portal-api:my-demand-matches", args=[demand_id])).json()
    assert shop["scarf"].pk in [row["id"] for row in found]
    matches = member_client.get(reverse("portal-api:my-matches")).json()
    assert matches["for_demands"][0]["demand"] == demand_id
    assert shop["scarf"].pk in [p["id"] for p in matches["for_demands"][0]["products"]]

    r = member_client.post(reverse("portal-api:my-inquiry-send"), {
        "enterprise": shop["enterprise"].pk, "product": shop["scarf"].pk, "demand": demand_id,
        "message": "¿Precio?"}, content_type="application/json")
    assert r.status_code == 201, r.content
    sent = r.json()
    assert sent["side"] == "buyer" and sent["thread"][0]["body"] == "¿Precio?"
    inquiry = Inquiry.objects.get(pk=sent["id"])
    services.reply(key=inquiry.supplier_key, body="30元")
    r = member_client.post(reverse("portal-api:my-inquiry-reply", args=[inquiry.pk]), {"body": "OK, 300"},
                           content_type="application/json")
    assert r.status_code == 201 and [m["body"] for m in r.json()["thread"]] == ["¿Precio?", "30元", "OK, 300"]
    assert r.json()["thread"][2]["from_buyer"] is True
    r = member_client.post(reverse("portal-api:my-inquiry-reply", args=[inquiry.pk]), {"body": ""},
                           content_type="application/json")
    assert r.status_code == 400 and "body" in r.json()
    rows = member_client.get(reverse("portal-api:my-inquiry-list")).json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert [(row["id"], row["side"], row["thread"]) for row in rows] == [(inquiry.pk, "buyer", [])]

    r = member_client.post(reverse("portal-api:my-demand-close", args=[demand_id]))
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert member_client.get(reverse("portal-api:my-demand-matches", args=[demand_id])).json() == []


def test_api_refuses_staff_and_anonymous_callers(api, client, shop):
    assert api().get(reverse("portal-api:my-product-list")).status_code == 401
    assert api("hz_admin").get(reverse("portal-api:my-product-list")).status_code == 403
    client.force_login(shop["by"])
    assert client.get(reverse("portal-api:my-matches")).status_code == 403


def test_product_prices_keep_their_decimals(member_client, shop):
    r = member_client.post(reverse("portal-api:my-product-list"), {
        "enterprise": shop["enterprise"].pk, "name": "耳钉", "price_min": "0.35"}, content_type="application/json")
    assert Product.objects.get(pk=r.json()["id"]).price_min == Decimal("0.35")
