"""A person's page asks once which of its panels hold anything (registry.holdings); the panels that do
still show only what their user may see."""
import datetime as dt

from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards import services as awards
from charity import services as charity
from orgs import services as orgs
from portal import services as portal
from privacy import services as privacy
from privacy.models import Purpose
from registry import services
from registry.holdings import holdings
from registry.models import Person

PANELS = {"registry.memberships", "registry.tags", "registry.enterprises", "orgs.positions", "charity.honors",
          "awards.certifications", "privacy.consents", "portal.account", "portal.invitation", "portal.pending"}


def _page(client, person):
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("registry:person-detail", args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def test_a_person_without_rows_is_asked_once_and_each_panel_shows_its_rows_once_they_exist(client, users, tree):
    by = users["zj_admin"]
    person = services.create_person(by=by, org=tree["hz"], name="周新侨", category="overseas_chinese",
                                    phone="13812345678")
    assert holdings(Person.objects.get(pk=person.pk)) == dict.fromkeys(PANELS, False)
    client.force_login(users["hz_staff"])
    _body, empty = _page(client, person)

    services.add_membership(by=by, org=tree["hz"], person=person, joined_on=dt.date(2024, 1, 1))
    services.update_person(by=by, person=person, tags=["侨商二代"])
    services.create_enterprise(by=by, org=tree["hz"], name="周氏贸易有限公司", legal_person=person)
    orgs.appoint(by=by, term=orgs.add_term(by=by, org=tree["hz"], number=9), person=person, role="director")
    charity.award_honor(by=by, org=tree["hz"], title="爱心侨商奖", year=2025, person=person)
    awards.certify(by=by, kind="four_good", title="优秀侨商代表", level="city", year=2025, holder_person=person)
    privacy.give_consent(by=by, person=person, purpose=Purpose.values[0])
    portal.invite(by=by, person=person, channel="sms")

    found = holdings(Person.objects.get(pk=person.pk))
    assert {name for name, held in found.items() if held} == PANELS - {"portal.account", "portal.pending"}
    body, full = _page(client, person)
    for shown in ("侨商二代", "周氏贸易有限公司", "爱心侨商奖", "优秀侨商代表", str(Purpose(Purpose.values[0]).label), "已邀请"):
        assert shown in body
    assert 'id="honors"' in body
    # Each panel that holds rows reads them; an empty person's page spared those queries.
    assert full - empty >= 8


def test_a_panel_that_holds_rows_still_shows_only_what_its_user_may_see(client, users, tree):
    """The province's honour of a Hangzhou person: the person holds one, a Hangzhou secretary does not see it."""
    person = services.create_person(by=users["zj_admin"], org=tree["hz"], name="吴侨胞", category="overseas_chinese")
    charity.award_honor(by=users["zj_admin"], org=tree["zj"], title="省级侨界贡献奖", year=2025, person=person)
    assert holdings(Person.objects.get(pk=person.pk))["charity.honors"] is True
    client.force_login(users["hz_staff"])
    body, _queries = _page(client, person)
    assert "省级侨界贡献奖" not in body
    client.force_login(users["zj_admin"])
    body, _queries = _page(client, person)
    assert "省级侨界贡献奖" in body


def test_holdings_are_read_once_per_person_object(users, tree, django_assert_num_queries):
    person = services.create_person(by=users["zj_admin"], org=tree["hz"], name="郑一", category="relative")
    fresh = Person.objects.get(pk=person.pk)
    with django_assert_num_queries(1):
        assert holdings(fresh)["charity.honors"] is False
        assert holdings(fresh)["registry.tags"] is False
