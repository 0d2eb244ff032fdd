"""The security log: every login, logout, failure and refused access, written through one function."""
from __future__ import annotations

import contextvars

_request = contextvars.ContextVar("shanghui_request", default=None)


def client_ip(request) -> str | None:
    """The client's address as Django sees it (REMOTE_ADDR; a proxy must set it right)."""
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def current_request():
    """The request being served (set by accounts.middleware), for events raised deep in a save."""
    return _request.get()


def set_current_request(request):
    """Remember the request being served; returns the token to reset it with."""
    return _request.set(request)


def reset_current_request(token) -> None:
    """Forget the request once served."""
    _request.reset(token)


def log_event(kind: str, request=None, user=None, username: str = "", **detail):
    """Append one event to the security log; `user` defaults to the request's authenticated user."""
    from accounts.models import SecurityEvent

    if user is None and getattr(getattr(request, "user", None), "is_authenticated", False):
        user = request.user
    if user is not None and not username:
        username = user.get_username()
    if kind == "access_denied" and request is not None:
        request._shanghui_denied_logged = True  # the 403 middleware then logs it only once
    return SecurityEvent.objects.create(
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        username=(username or "")[:150],
        ip=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300],
        path=(request.get_full_path() if request is not None else "")[:300],
        detail=detail,
    )


def users_visible_to(user):
    """Users whose security a user may see: all for a superuser; for an administrator, holders of a
    grant inside the subtrees administered; nobody for anyone else."""
    from django.contrib.auth import get_user_model

    from accounts.access import paths_for
    from core.scoping import MANAGE, orgs_q

    User = get_user_model()
    paths = paths_for(user, MANAGE)
    if paths is None:
        return User.objects.all()
    if not paths:
        return User.objects.none()
    return User.objects.filter(pk__in=User.objects.filter(orgs_q(paths, "grants__org__path")).values("pk"))


def events_visible_to(user):
    """Security events a user may read: every event for a superuser, else those of `users_visible_to`."""
    from accounts.models import SecurityEvent

    if getattr(user, "is_superuser", False):
        return SecurityEvent.objects.all()
    return SecurityEvent.objects.filter(user__in=users_visible_to(user))


def may_read_security_log(user) -> bool:
    """Superusers and administrators (of any organization) may open the security pages."""
    from accounts.access import paths_for
    from core.scoping import MANAGE

    paths = paths_for(user, MANAGE)
    return paths is None or bool(paths)
