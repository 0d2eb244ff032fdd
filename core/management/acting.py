"""Who and where a data command acts: `--user NAME` (default: the superuser) and `--org CODE`."""
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def acting_user(name: str | None):
    """The user a command acts as: `--user NAME`, else the first active superuser."""
    User = get_user_model()
    if name:
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {name!r}")
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("no superuser: pass --user NAME")
    return user


def organization(code: str | None):
    """The organization with this code, or None when no code was given."""
    from orgs.models import Organization

    if not code:
        return None
    org = Organization.objects.filter(code=code).first()
    if org is None:
        raise CommandError(f"no organization with code {code!r}")
    return org
