"""Audit: field diffs come from django-auditlog; named actions are written here.

Services run their writes inside `acting(by)` so that every diff records its actor,
and call `log_action()` for events that are more than a field change (a merge, a move).
"""
from __future__ import annotations

import contextlib

from auditlog.context import set_actor


@contextlib.contextmanager
def acting(user):
    """Attribute every audit entry written inside the block to `user`."""
    with set_actor(user if getattr(user, "is_authenticated", False) else None):
        yield


def log_action(obj, action: str, by, data: dict | None = None):
    """Write a named audit entry such as 'registry.person.merged' for `obj`."""
    from auditlog.models import LogEntry

    return LogEntry.objects.log_create(
        obj,
        action=LogEntry.Action.UPDATE,
        actor=by if getattr(by, "is_authenticated", False) else None,
        changes={},
        additional_data={"action": action, **(data or {})},
        force_log=True,
    )


def history(obj, limit: int = 100):
    """The audit entries of one record, newest first."""
    from auditlog.models import LogEntry

    return (
        LogEntry.objects.get_for_object(obj)
        .select_related("actor")
        .order_by("-timestamp")[:limit]
    )


def register(model, **options):
    """Register a model with django-auditlog, diffing its own columns only.

    By default auditlog also lists reverse relations (a person's memberships, cases …)
    on every change, which fills the history with "None → …" noise.
    """
    from auditlog.registry import auditlog

    own = [f.name for f in model._meta.concrete_fields if not f.primary_key]
    options.setdefault("include_fields", own + list(options.get("m2m_fields", ())))
    auditlog.register(model, **options)
