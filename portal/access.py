"""What a member account may reach: its own records and what its associations publish to members.

Every portal view starts from `member_required`, which puts the member's account on
`request.member`; every query in the portal starts from the helpers below, never from
a model's full table.
"""
from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse


def member_of(user):
    """The member account of a logged-in user, or None for staff and anonymous users."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.member_account
    except Exception:  # RelatedObjectDoesNotExist
        return None


def is_member_only(user) -> bool:
    """A member account without any staff grant: it may reach the portal and public pages only."""
    from accounts.access import grants_for

    # Grants first: staff have them (read once per request and reused by the view), so their
    # requests never look for a member account.
    return not user.is_superuser and not grants_for(user) and member_of(user) is not None


def member_required(view):
    """Let members in (with `request.member` set); send others to the portal login."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        member = member_of(request.user)
        if member is None:
            if request.user.is_authenticated:
                raise PermissionDenied
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        request.member = member
        return view(request, *args, **kwargs)

    return wrapped


def my_enterprises(member):
    """The enterprises the member represents (it is their legal person)."""
    from registry.models import Enterprise

    return Enterprise.objects.filter(legal_person=member.person)


def my_memberships(member):
    """The member's current memberships, in its own name or its enterprises'."""
    from registry.models import Membership

    return Membership.objects.filter(
        Q(person=member.person) | Q(enterprise__legal_person=member.person), left_on__isnull=True
    ).select_related("org", "enterprise")


def my_orgs(member):
    """The organizations the member currently belongs to."""
    from orgs.models import Organization

    return Organization.objects.filter(pk__in=my_memberships(member).values("org_id")).order_by("path")
