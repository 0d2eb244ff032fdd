"""API token authentication with a lifetime: a token older than API_TOKEN_HOURS is refused."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from accounts.access import GRANT_FIELDS, grants_in_rows, remember_grants
from accounts.backends import user_fields
from core.compiled import CompiledQuery

TOKEN_FIELDS = [f.attname for f in Token._meta.concrete_fields]
NO_TOKEN = "\x00no token"  # the placeholder for the key while the query is compiled


def _token_with_user_and_grants(key):
    # A LEFT JOIN on the grants: one row per grant, or one row of NULL grant columns.
    return Token.objects.filter(key=key).values_list(
        *TOKEN_FIELDS, *(f"user__{f}" for f in user_fields()), *(f"user__grants__{f}" for f in GRANT_FIELDS))


TOKEN_WITH_USER_AND_GRANTS = CompiledQuery(_token_with_user_and_grants, key=NO_TOKEN)


def token_expired(token) -> bool:
    """Whether the token was created more than API_TOKEN_HOURS ago (0: tokens never expire)."""
    hours = settings.API_TOKEN_HOURS
    return bool(hours) and token.created <= timezone.now() - dt.timedelta(hours=hours)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's `Authorization: Token …`, refusing tokens past their lifetime (ask for a new one)."""

    def authenticate(self, request):
        """As DRF's, reusing the lookup a middleware already made for this request (one query, one user)."""
        cached = getattr(getattr(request, "_request", request), "_token_auth", None)
        if cached is not None:
            return cached
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        """The user and token, unless the token is unknown, its user inactive, or it has expired.

        As DRF's (its messages too), reading the token, its user and the user's grants in one query.
        """
        rows = TOKEN_WITH_USER_AND_GRANTS.rows(using=Token.objects.db, key=key)
        if not rows:
            raise AuthenticationFailed(_("Invalid token."))
        User, fields, first = get_user_model(), user_fields(), len(TOKEN_FIELDS)
        token = Token.from_db(Token.objects.db, TOKEN_FIELDS, rows[0][:first])
        user = User.from_db(User._default_manager.db, fields, rows[0][first:first + len(fields)])
        token.user = user
        remember_grants(user, grants_in_rows(rows, first + len(fields)))
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        if token_expired(token):
            raise AuthenticationFailed(_("令牌已过期，请重新获取（POST /api/auth/token/）。"))
        return user, token
