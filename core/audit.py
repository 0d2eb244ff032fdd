"""Audit: field diffs come from django-auditlog; named actions are written here.

Services run their writes inside `acting(by)` so that every diff records its actor,
and call `log_action()` for events that are more than a field change (a merge, a move).

Who acts, and from which address, is kept in a context variable that one receiver, connected once, copies onto
each new entry. django-auditlog's own `set_actor` (and its middleware) connects a receiver and disconnects it
again for every request and every block: that walked every receiver of `pre_save` and emptied Django's signal
caches each time, 2 % of the CPU under load (docs/benchmarks.md).
"""
from __future__ import annotations

import contextlib
from contextvars import ContextVar

from auditlog.cid import set_cid
from auditlog.middleware import AuditlogMiddleware

_context: ContextVar[dict | None] = ContextVar("shanghui_audit_context", default=None)


@contextlib.contextmanager
def acting(user):
    """Attribute every audit entry written inside the block to `user` (the request's address stays)."""
    current = _context.get() or {}
    token = _context.set({**current, "actor": user if getattr(user, "is_authenticated", False) else None})
    try:
        yield
    finally:
        _context.reset(token)


def stamp(sender, instance, **kwargs) -> None:
    """pre_save of a LogEntry: the acting user and the request's address, where the entry has none."""
    from django.contrib.auth import get_user_model

    context = _context.get()
    if not context or instance.pk is not None:
        return
    actor = context.get("actor")
    if instance.actor_id is None and isinstance(actor, get_user_model()):
        instance.actor = actor
        instance.actor_email = getattr(actor, "email", None)
    for key in ("remote_addr", "remote_port"):
        if getattr(instance, key, None) is None and context.get(key) is not None:
            setattr(instance, key, context[key])


def connect() -> None:
    """Stamp every new LogEntry from the context (called once, from CoreConfig.ready)."""
    from auditlog.models import LogEntry
    from django.db.models.signals import pre_save

    pre_save.connect(stamp, sender=LogEntry, dispatch_uid="shanghui-audit-stamp")


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware (correlation id, user, address and port as it reads them) over the context
    variable of `acting`, instead of a signal receiver connected and disconnected for every request."""

    def __call__(self, request):
        set_cid(request)
        token = _context.set(self.get_extra_data(request))
        try:
            return self.get_response(request)
        finally:
            _context.reset(token)


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
