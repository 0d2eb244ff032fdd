"""API token authentication with a lifetime: a token older than API_TOKEN_HOURS is refused."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


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
        """The user and token, unless the token is unknown, its user inactive, or it has expired."""
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise AuthenticationFailed(_("令牌已过期，请重新获取（POST /api/auth/token/）。"))
        return user, token
