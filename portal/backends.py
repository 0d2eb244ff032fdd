"""Members log in with the phone number or e-mail address of their own registry record.

A member's username (`m<person id>`) is internal and stable; what the member types is
looked up in the registry each time, so a phone number changed in the profile is the
new login at once. Phones are normalised the way the registry stores them (E.164), so
"+39 333 123 4567", "0039 3331234567" and "+393331234567" are the same login.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from core.validators import normalize_phone


def normalize_identifier(value: str) -> tuple[str, str] | None:
    """("email", address) or ("phone", E.164) for what a member typed; None when it is neither."""
    value = (value or "").strip()
    if not value:
        return None
    if "@" in value:
        return "email", value.lower()
    try:
        return "phone", normalize_phone(value)
    except ValidationError:
        return None


def members_by_identifier(value: str):
    """The users of member accounts whose person has this phone or e-mail (normally one)."""
    User = get_user_model()
    found = normalize_identifier(value)
    if found is None:
        return User.objects.none()
    kind, key = found
    lookup = {"member_account__person__email__iexact": key} if kind == "email" else {
        "member_account__person__phone": key}
    return User.objects.filter(member_account__isnull=False, **lookup).order_by("pk")


class MemberBackend(ModelBackend):
    """Authenticate a member by the phone or e-mail of its person record and its password.

    django-axes runs before this backend (first in AUTHENTICATION_BACKENDS), and counts
    failures per account through `lockout_username`, whatever form of the number is typed.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        """The member user whose phone or e-mail is `username` and whose password matches, else None."""
        if not username or password is None:
            return None
        candidates = list(members_by_identifier(username)[:5])
        if not candidates:
            # Take as long as a real check, so that timing does not tell which numbers are members.
            get_user_model()().set_password(password)
            return None
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None


def lockout_username(request, credentials=None) -> str | None:
    """What django-axes counts failures against: the member's username when the login names one member.

    Set as AXES_USERNAME_CALLABLE, so that five failures with "+39 333 …" and "0039 …" lock one
    account, and the staff login page (which sends plain usernames) keeps its behaviour.
    """
    from django.conf import settings

    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        raw = credentials.get(field)
    else:
        raw = getattr(request, "data", None) or getattr(request, "POST", {})
        raw = raw.get(field) if hasattr(raw, "get") else None
    if not raw:
        return raw
    raw = str(raw).strip()
    usernames = list(members_by_identifier(raw).values_list("username", flat=True)[:2])
    return usernames[0] if len(usernames) == 1 else raw
