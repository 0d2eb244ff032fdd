"""Organization services: the tree, moving a subtree, terms and positions."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from orgs import services
from orgs.models import Organization
from registry import services as registry
from registry.models import Person


def test_create_child_requires_administrator(users, tree):
    child = services.create_organization(by=users["hz_admin"], parent=tree["hz"], kind="qiaolian",
                                         code="hz-xh", name="西湖区侨联", region="330106")
    assert Organization.objects.get_parent(child) == tree["hz"]
    with pytest.raises(PermissionDenied):
        services.create_organization(by=users["hz_staff"], parent=tree["hz"], kind="qiaolian",
                                     code="hz-bj", name="滨江区侨联")


def test_code_must_be_unique_and_region_known(users, tree):
    with pytest.raises(ValidationError) as e:
        services.create_organization(by=users["zj_admin"], parent=tree["zj"], kind="qiaolian",
                                     code="hz", name="重复", region="999999")
    assert {"code", "region"} <= set(e.value.message_dict)


def test_moving_a_subtree_keeps_records_with_their_organization(users, tree):
    by = users["zj_admin"]
    p = registry.create_person(by=by, org=tree["sc"], name="陈静", category="relative")
    services.move_organization(by=by, org=tree["hz"], new_parent=tree["wz"])
    sc = Organization.objects.get(code="hz-sc")
    assert sc.path.startswith(Organization.objects.get(code="wz").path)
    assert Person.objects.get(pk=p.pk).org == sc
    assert p in Person.objects.visible_to(users["wz_staff"])
    assert sc.milestones.count() == 0 and Organization.objects.get(code="hz").milestones.count() == 1


def test_cannot_move_under_own_descendant(users, tree):
    with pytest.raises(ValidationError):
        services.move_organization(by=users["zj_admin"], org=tree["hz"], new_parent=tree["sc"])


def test_term_with_council_and_positions(users, tree):
    by = users["hz_staff"]
    term = services.add_term(by=by, org=tree["hz"], number=7, starts_on=dt.date(2023, 6, 1))
    p = registry.create_person(by=by, org=tree["hz"], name="王慧斌", category="returned_overseas")
    pos = services.appoint(by=by, term=term, person=p, role="president")
    assert term.councils.count() == 2
    assert str(term) == "第7届"
    assert pos.org == tree["hz"] and pos.since == dt.date(2023, 6, 1)
