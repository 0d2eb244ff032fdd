"""Reading the security log: one filter for the web page and the command line."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_events(qs, *, username: str = "", kind: str = "", since: dt.date | None = None,
                  until: dt.date | None = None):
    """Events of a username (exact), of a kind, from `since` (inclusive) to `until` (inclusive), local days."""
    if username:
        qs = qs.filter(username=username.strip())
    if kind:
        qs = qs.filter(kind=kind)
    if since:
        qs = qs.filter(at__gte=_start_of(since))
    if until:
        qs = qs.filter(at__lt=_start_of(until + dt.timedelta(days=1)))
    return qs


def event_dict(event) -> dict:
    """One event as plain data (command line, exports)."""
    return {
        "id": event.pk, "at": event.at.isoformat(), "kind": event.kind, "username": event.username,
        "user_id": event.user_id, "ip": event.ip, "path": event.path, "user_agent": event.user_agent,
        "detail": event.detail,
    }
