"""The security log: every login, logout, failure and refused access, written through one function."""
from __future__ import annotations


def client_ip(request) -> str | None:
    """The client's address as Django sees it (REMOTE_ADDR; a proxy must set it right)."""
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def log_event(kind: str, request=None, user=None, username: str = "", **detail):
    """Append one event to the security log; `user` defaults to the request's authenticated user."""
    from accounts.models import SecurityEvent

    if user is None and request is not None and getattr(request.user, "is_authenticated", False):
        user = request.user
    if user is not None and not username:
        username = user.get_username()
    return SecurityEvent.objects.create(
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        username=(username or "")[:150],
        ip=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300],
        path=(request.get_full_path() if request is not None else "")[:300],
        detail=detail,
    )
