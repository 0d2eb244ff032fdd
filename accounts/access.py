"""Who may do what where: grants resolved to materialized-path prefixes.

Grants are read once per request (cached on the user object); a check is then
a prefix comparison, with no query per record.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from core.scoping import CHANGE, MANAGE, VIEW, orgs_q

ROLES_FOR = {
    VIEW: {"administrator", "staff", "viewer"},
    CHANGE: {"administrator", "staff"},
    MANAGE: {"administrator"},
}
PERSONAL = "personal"
GRANT_FIELDS = ("org__path", "role", "personal_data")  # a grant's columns that checks read (ResolvedGrant)


@dataclass(frozen=True)
class ResolvedGrant:
    """A grant reduced to what checks need: the subtree's path, the role, personal data."""

    path: str
    role: str
    personal_data: bool


def grants_for(user) -> list[ResolvedGrant]:
    """The user's grants, read once and cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_shanghui_grants", None)
    if cached is None:
        from accounts.models import Grant

        cached = [
            ResolvedGrant(path, role, pd)
            for path, role, pd in Grant.objects.filter(user=user, user__is_active=True).values_list(*GRANT_FIELDS)
        ]
        remember_grants(user, cached)
    return cached


def grants_in_rows(rows, start: int) -> list[ResolvedGrant]:
    """The grants in rows of a user LEFT JOINed to their grants, GRANT_FIELDS from column `start` on.

    A user without any grant comes as one row whose grant columns are NULL: no grant.
    """
    end = start + len(GRANT_FIELDS)
    return [ResolvedGrant(*row[start:end]) for row in rows if row[start + 1] is not None]


def remember_grants(user, grants: list[ResolvedGrant]) -> None:
    """Keep `grants`, read along with the user (accounts.backends), as the user's for this request."""
    user._shanghui_grants = grants


def forget_grants(user) -> None:
    """Drop the cached grants after they change."""
    if hasattr(user, "_shanghui_grants"):
        del user._shanghui_grants


def paths_for(user, action: str = VIEW) -> list[str] | None:
    """Path prefixes where `user` may do `action`; None means everywhere (superuser)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    if action == PERSONAL:
        paths = {g.path for g in grants_for(user) if g.personal_data}
    else:
        paths = {g.path for g in grants_for(user) if g.role in ROLES_FOR[action]}
    # A grant under another grant adds nothing to the filter.
    return sorted(p for p in paths if not any(p != o and p.startswith(o) for o in paths))


def scope_q(user, lookup: str, action: str = VIEW) -> Q | None:
    """The filter for `action` on records whose org path is at `lookup`; None = no filter."""
    paths = paths_for(user, action)
    if paths is None:
        return None
    if not paths:
        return Q(pk__in=[])
    return orgs_q(paths, lookup)


def can(user, action: str, org) -> bool:
    """Whether `user` may do `action` (view, change, manage, personal) on records of `org`."""
    if org is None:
        return bool(getattr(user, "is_superuser", False))
    paths = paths_for(user, action)
    if paths is None:
        return True
    return any(org.path.startswith(p) for p in paths)


def record_org(obj):
    """The organization a scoped record belongs to."""
    from orgs.models import Organization

    if isinstance(obj, Organization):
        return obj
    return obj.org
