"""Writes to the organization tree: create, update, move, terms, positions, milestones.

Every function is atomic, takes the acting user as keyword `by`, checks the grant
and leaves an audit entry; web, API, CLI and import all call these.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import acting, log_action
from core.scoping import CHANGE, MANAGE
from core.search import reindex_subtree
from core.services import apply_fields, require
from core.validators import validate_credit_code
from orgs.models import Council, CouncilKind, Milestone, MilestoneKind, Organization, Position, Term

ORG_FIELDS = {
    "kind", "code", "name", "short_name", "credit_code", "region", "home_region", "country",
    "founded_on", "status", "contact_person", "contact_phone", "email", "address",
}


def _clean_org(org: Organization) -> None:
    if org.credit_code:
        try:
            org.credit_code = validate_credit_code(org.credit_code)
        except ValidationError as e:
            raise ValidationError({"credit_code": e.messages}) from None
    org.full_clean(exclude=["path", "depth", "numchild"])


def create_organization(*, by, parent: Organization | None, **fields) -> Organization:
    """Add an organization under `parent` (a new root only for superusers)."""
    if parent is None:
        if not getattr(by, "is_superuser", False):
            raise ValidationError({"parent": _("请选择上级单位。")})
    else:
        require(by, MANAGE, parent)
    org = Organization()
    apply_fields(org, fields, ORG_FIELDS)
    _clean_org(org)
    with transaction.atomic(), acting(by):
        org = Organization.objects.add_root(instance=org) if parent is None else Organization.objects.add_child(parent, instance=org)
    return org


def update_organization(*, by, org: Organization, **fields) -> Organization:
    """Change an organization's fields (not its place in the tree)."""
    require(by, CHANGE, org)
    apply_fields(org, fields, ORG_FIELDS)
    _clean_org(org)
    with transaction.atomic(), acting(by):
        org.save()
    return org


def move_organization(*, by, org: Organization, new_parent: Organization) -> Organization:
    """Put an organization and its whole subtree under another parent.

    Records keep their foreign key to the organization, so everything they hold moves along.
    """
    require(by, MANAGE, org)
    require(by, MANAGE, new_parent)
    if new_parent.path.startswith(org.path):
        raise ValidationError({"parent": _("不能移动到自己或下级单位之下。")})
    old_parent = Organization.objects.get_parent(org)
    with transaction.atomic(), acting(by):
        Organization.objects.move(org, new_parent, "last-child")
        org.refresh_from_db()
        # Every record's index carries its organization's path: refresh the moved subtree.
        reindex_subtree(org.path)
        log_action(org, "orgs.organization.moved", by,
                   {"from": old_parent.code if old_parent else None, "to": new_parent.code})
        Milestone.objects.create(
            org=org, date=dt.date.today(), kind=MilestoneKind.MOVE,
            title=_("隶属关系变更至%(p)s") % {"p": new_parent.name},
        )
    return org


def add_term(*, by, org: Organization, number: int, starts_on=None, ends_on=None) -> Term:
    """Open a term of office with its council and supervisory board."""
    require(by, CHANGE, org)
    term = Term(org=org, number=number, starts_on=starts_on, ends_on=ends_on)
    term.full_clean()
    with transaction.atomic(), acting(by):
        term.save()
        for kind in CouncilKind.values:
            Council.objects.create(org=org, term=term, kind=kind)
    return term


def appoint(*, by, term: Term, person, role: str, kind: str = CouncilKind.COUNCIL, since=None) -> Position:
    """Give a person a position in the council (or supervisory board) of a term."""
    require(by, CHANGE, term.org)
    council = Council.objects.get(term=term, kind=kind)
    position = Position(org=term.org, council=council, person=person, role=role, since=since or term.starts_on)
    position.full_clean()
    with transaction.atomic(), acting(by):
        position.save()
    return position


def add_milestone(*, by, org: Organization, date, title: str, kind: str = MilestoneKind.OTHER,
                  description: str = "") -> Milestone:
    """Add an event to an organization's history timeline."""
    require(by, CHANGE, org)
    milestone = Milestone(org=org, date=date, title=title, kind=kind, description=description)
    milestone.full_clean()
    with transaction.atomic(), acting(by):
        milestone.save()
    return milestone
