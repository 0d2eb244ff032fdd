"""Scoping: every record belongs to an organization; users see only their subtrees.

`Model.objects.visible_to(user)` is the one filter every view, API endpoint,
export, search and count goes through. A scoped model names the lookup that
leads to its organization's materialized path in `scope_path`
("path" for Organization itself, "org__path" for a record with an `org` FK).
"""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.http import Http404

VIEW, CHANGE, MANAGE = "view", "change", "manage"


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to limit itself to what a user may see or change."""

    def visible_to(self, user, action: str = VIEW):
        """Records inside the subtrees where `user` holds a grant allowing `action`."""
        from accounts.access import scope_q

        q = scope_q(user, self.model.scope_path, action)
        if q is None:
            return self
        return self.filter(q)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    """Default manager of scoped models."""


def get_visible_or_404(queryset_or_model, user, action: str = VIEW, **lookup):
    """Fetch one record inside the user's scope; absent and out-of-scope look the same (404)."""
    qs = (
        queryset_or_model.objects.all()
        if isinstance(queryset_or_model, type)
        else queryset_or_model
    )
    try:
        return qs.visible_to(user, action).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def scoped_models():
    """Every installed model that is scoped (has `scope_path` and a visible_to manager)."""
    from django.apps import apps

    return [
        m
        for m in apps.get_models()
        if getattr(m, "scope_path", None) and hasattr(m.objects, "visible_to")
    ]


def orgs_q(paths: list[str], lookup: str) -> Q | None:
    """OR of prefix matches on the materialized path: one indexed range scan per grant."""
    q = Q()
    for p in paths:
        q |= Q(**{f"{lookup}__startswith": p})
    return q
