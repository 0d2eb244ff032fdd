"""Receivers writing authentication events to the security log (connected in AccountsConfig.ready)."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from accounts.models import SecurityEventKind
from accounts.security import log_event


def _user_named(username: str):
    User = get_user_model()
    return User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None


def on_login(sender, request, user, **kwargs):
    """`login`, and the session's clock and password state for the session middleware."""
    from accounts.middleware import start_session

    if request is not None and hasattr(request, "session"):
        start_session(request, user)
    log_event(SecurityEventKind.LOGIN, request, user=user)


def on_logout(sender, request, user, **kwargs):
    """`logout`, except when the session middleware already wrote `session_expired`."""
    if user is None or getattr(request, "_shanghui_expiring", False):
        return
    log_event(SecurityEventKind.LOGOUT, request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    """`login_failed` with the username tried (never the password); the user when it exists."""
    User = get_user_model()
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    log_event(SecurityEventKind.LOGIN_FAILED, request, user=_user_named(username), username=username)


def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    """`locked_out` when axes locks an account after AXES_FAILURE_LIMIT failures."""
    username = str(username or "")
    log_event(SecurityEventKind.LOCKED_OUT, request, user=_user_named(username), username=username)


def connect() -> None:
    """Connect every receiver once."""
    from axes.signals import user_locked_out

    user_logged_in.connect(on_login, dispatch_uid="shanghui-security-login")
    user_logged_out.connect(on_logout, dispatch_uid="shanghui-security-logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="shanghui-security-login-failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="shanghui-security-locked-out")
