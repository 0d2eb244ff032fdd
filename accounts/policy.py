"""Login policy in one place: who needs a second factor, when a password or a session expires."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from accounts.access import grants_for


def requires_otp(user) -> bool:
    """Whether `user` must pass TOTP: superusers and holders of a grant with personal data."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or any(g.personal_data for g in grants_for(user)))


def is_staff_account(user) -> bool:
    """Whether `user` works inside Shanghui (a superuser or the holder of any grant), not a member."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or grants_for(user))


def password_changed_at(user) -> dt.datetime:
    """When the password was last set; the account's creation when no change was recorded."""
    from accounts.models import PasswordState

    state = PasswordState.objects.filter(user=user).values_list("changed_at", flat=True).first()
    return state or user.date_joined


def password_expires_at(user) -> dt.datetime | None:
    """When the password must be changed; None when PASSWORD_MAX_AGE_DAYS is 0 or the user is a member."""
    days = settings.PASSWORD_MAX_AGE_DAYS
    if not days or not is_staff_account(user):
        return None
    return password_changed_at(user) + dt.timedelta(days=days)


def password_expired(user) -> bool:
    """Whether `user` must change the password before going on."""
    expires = password_expires_at(user)
    return expires is not None and expires <= timezone.now()


def idle_seconds() -> int:
    """Seconds without a request after which a session ends (SESSION_IDLE_MINUTES)."""
    return settings.SESSION_IDLE_MINUTES * 60


def absolute_seconds() -> int:
    """Seconds after login at which a session ends whatever happens (SESSION_ABSOLUTE_HOURS)."""
    return settings.SESSION_ABSOLUTE_HOURS * 3600
