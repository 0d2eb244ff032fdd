"""Reads of "my associations" and "my requests": every query starts from the member's account.

A member sees the notices, council, activities and dues of the organizations it belongs to
(`portal.access.my_orgs`), its own registrations and its own cases, nothing else. Lookups of
one record go through these querysets, so another member's record answers 404 like a
missing one.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.access import my_memberships, my_orgs


def _today() -> dt.date:
    return timezone.localdate()


def council_org_ids(member) -> set[int]:
    """Organizations where the member holds a current council or supervisory-board position."""
    from orgs.models import Position, PositionRole

    today = _today()
    return set(
        Position.objects.filter(person=member.person, org__in=my_orgs(member))
        .exclude(role=PositionRole.MEMBER)
        .filter(Q(until__isnull=True) | Q(until__gte=today), Q(since__isnull=True) | Q(since__lte=today))
        .filter(Q(council__term__ends_on__isnull=True) | Q(council__term__ends_on__gte=today))
        .values_list("org_id", flat=True)
    )


def notices_for(member, org=None):
    """Published news and notices of the member's organizations; council-only ones for council members."""
    from portal.models import Notice

    qs = Notice.objects.filter(org__in=my_orgs(member), published_at__lte=timezone.now())
    if org is not None:
        qs = qs.filter(org=org)
    return qs.filter(Q(council_only=False) | Q(org_id__in=council_org_ids(member))).select_related("org")


def org_for(member, pk):
    """One of the member's organizations, or 404."""
    return get_object_or_404(my_orgs(member), pk=pk)


def terms_of(org):
    """The organization's terms, newest first, with their councils and positions (in three queries)."""
    from orgs.models import Council, Position, Term

    positions = Position.objects.select_related("person").order_by("role", "person__name")
    councils = Council.objects.order_by("kind").prefetch_related(Prefetch("positions", queryset=positions))
    return Term.objects.filter(org=org).order_by("-number").prefetch_related(Prefetch("councils", queryset=councils))


def activities_for(member, org=None):
    """Upcoming activities of the member's organizations (organized or co-organized) it may register for."""
    from activities.models import Activity, Audience

    orgs = my_orgs(member)
    today = _today()
    qs = Activity.objects.filter(Q(org__in=orgs) | Q(pk__in=Activity.co_organizers.through.objects.filter(
        organization__in=orgs).values("activity_id")))
    if org is not None:
        qs = qs.filter(Q(org=org) | Q(co_organizers=org))
    audience = Q(audience__in=[Audience.MEMBERS, Audience.PUBLIC]) | Q(audience=Audience.COUNCIL,
                                                                      org_id__in=council_org_ids(member))
    return (qs.filter(audience).filter(Q(end__gte=today) | Q(end__isnull=True, start__gte=today))
            .select_related("org").order_by("start", "pk").distinct())


def registrations_of(member):
    """The member's own registrations, newest activity first."""
    from activities.models import Registration

    return Registration.objects.filter(person=member.person).select_related("activity", "activity__org") \
        .order_by("-activity__start", "-pk")


def active_registration(member, activity):
    """The member's registration for an activity that is not cancelled, or None."""
    from activities.models import RegStatus

    return registrations_of(member).filter(activity=activity).exclude(status=RegStatus.CANCELLED).first()


def dues_of(member, org=None):
    """The dues statement of each current membership: per year, what was due, paid and is owed."""
    from registry.services import dues_statements

    memberships = my_memberships(member).order_by("org__path", "pk")
    if org is not None:
        memberships = memberships.filter(org=org)
    rows = []
    for membership, years in dues_statements(memberships, _today().year):
        rows.append({"membership": membership, "years": years, "owed": sum((y["owed"] for y in years), 0)})
    return rows


def cases_of(member):
    """The cases the member filed or that name it as the applicant."""
    from cases.models import Case

    return Case.objects.filter(applicant_person=member.person).select_related("org").order_by("-submitted_at", "-pk")


def case_status(case) -> dict:
    """What the applicant sees of its case: the same as the public tracking page (status, public entries)."""
    from cases.intake import public_status

    return public_status(case)


def pass_token(registration) -> str:
    """The signed check-in code of a registration (shown as a QR code)."""
    from activities.services import checkin_token

    return checkin_token(registration)
