"""My pairings and my giving in the member portal: the pairs I am a side of with their follow-ups (read-only),
my donations in my name or my enterprise's, and their PDF receipts; the same through /api/my/."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from charity import services as charity_services
from pairing import services as pairing_services
from tests.test_portal_isolation import make_enterprise, make_member, make_pair


@pytest.fixture
def giver(tree, users):
    """Member 周 (上城区) and its enterprise: a pair as helper (person), a pair as beneficiary (enterprise),
    a donation in its name and one in its enterprise's; someone else's pair and donation beside them."""
    by = users["zj_admin"]
    user, account = make_member(tree["sc"], by, "周", phone="13955556666", person_name="周乐善")
    person = account.person
    enterprise = make_enterprise(tree["sc"], by, person, "周氏电商有限公司")
    helper_pair, follow_up = make_pair(tree["sc"], by, "周", person)
    program = helper_pair.program
    mentor = pairing_services.add_participant(by=by, program=program, side="helper", name="老字号帮扶企业",
                                              strengths="电商", needs="电商")
    mine = pairing_services.add_participant(by=by, program=program, side="beneficiary", name=enterprise.name,
                                            enterprise=enterprise, strengths="电商", needs="电商")
    beneficiary_pair = pairing_services.create_pair(by=by, program=program, helper=mentor, beneficiary=mine)
    other_user, other_account = make_member(tree["wzc"], by, "吴", phone="13966667777", person_name="吴别人")
    other_pair, _f = make_pair(tree["wzc"], by, "吴", other_account.person)
    fund = charity_services.create_fund(by=by, org=tree["sc"], code="zhou-fund", name="上城助学基金", kind="relief")
    own = charity_services.receive_donation(by=by, fund=fund, donor_person=person, value=Decimal("1000"),
                                            received_on=dt.date(2025, 4, 1))
    firm = charity_services.receive_donation(by=by, fund=fund, donor_kind="enterprise", donor_enterprise=enterprise,
                                             kind="goods", goods="羽绒服 50 件", value=Decimal("9000"),
                                             received_on=dt.date(2025, 5, 1))
    stranger = charity_services.receive_donation(by=by, fund=fund, donor_name="陌生捐赠人", value=Decimal("77"),
                                                 received_on=dt.date(2025, 5, 2))
    return {"user": user, "person": person, "enterprise": enterprise, "helper_pair": helper_pair,
            "follow_up": follow_up, "beneficiary_pair": beneficiary_pair, "other_pair": other_pair, "own": own,
            "firm": firm, "stranger": stranger}


def test_my_pairings_list_both_sides_with_the_latest_follow_up(client, giver):
    client.force_login(giver["user"])
    page = client.get(reverse("portal:pairings")).content.decode()
    assert "周受助商户" in page and "老字号帮扶企业" in page  # the other side of each of my pairs
    assert "我是帮扶方" in page or "helper" in page.lower()
    assert "周回访记录" in page
    assert "吴受助商户" not in page
    detail = client.get(reverse("portal:pairing", args=[giver["helper_pair"].pk])).content.decode()
    assert "周回访记录" in detail and "1200" in detail
    assert "<form method=\"post\"" not in detail.split("<main")[1]  # follow-ups are recorded by staff: read-only
    assert client.get(reverse("portal:pairing", args=[giver["other_pair"].pk])).status_code == 404


def test_my_giving_lists_my_donations_and_serves_their_receipts(client, giver):
    client.force_login(giver["user"])
    page = client.get(reverse("portal:giving")).content.decode()
    assert giver["own"].receipt_number in page and giver["firm"].receipt_number in page
    assert "羽绒服 50 件" in page and "10000" in page  # the total of my two donations
    assert giver["stranger"].receipt_number not in page
    r = client.get(reverse("portal:giving-receipt", args=[giver["own"].pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content if r.streaming else [r.content]).startswith(b"%PDF")
    assert client.get(reverse("portal:giving-receipt", args=[giver["stranger"].pk])).status_code == 404


def test_api_pairs_and_donations(client, giver):
    client.force_login(giver["user"])
    pairs = client.get(reverse("portal-api:my-pair-list")).json()
    pairs = pairs["results"] if isinstance(pairs, dict) else pairs
    sides = {p["id"]: p["side"] for p in pairs}
    assert sides == {giver["helper_pair"].pk: "helper", giver["beneficiary_pair"].pk: "beneficiary"}
    helper = next(p for p in pairs if p["id"] == giver["helper_pair"].pk)
    assert helper["follow_ups"][0]["notes"].startswith("周回访记录")
    assert client.get(reverse("portal-api:my-pair-detail", args=[giver["other_pair"].pk])).status_code == 404
    assert client.post(reverse("portal-api:my-pair-list"), {}).status_code == 405  # read-only

    rows = client.get(reverse("portal-api:my-donation-list")).json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert {r["receipt_number"] for r in rows} == {giver["own"].receipt_number, giver["firm"].receipt_number}
    receipt = next(r for r in rows if r["id"] == giver["own"].pk)["receipt"]
    r = client.get(receipt)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert client.get(reverse("portal-api:my-donation-receipt", args=[giver["stranger"].pk])).status_code == 404


def test_a_member_with_no_pairs_or_donations_is_told_where_they_come_from(client, tree, users):
    user, _account = make_member(tree["sc"], users["zj_admin"], "空", phone="13977778888")
    client.force_login(user)
    assert "结对由商会" in client.get(reverse("portal:pairings")).content.decode()
    assert "捐赠由商会登记" in client.get(reverse("portal:giving")).content.decode()
