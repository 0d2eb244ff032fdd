"""Session policy: refused accesses logged, idle and absolute timeouts, second factor and password age.

Order in settings.MIDDLEWARE, after django_otp's OTPMiddleware and the messages middleware:
AccessDeniedLogMiddleware (sees every 403 of everything inside it), SessionTimeoutMiddleware,
LoginPolicyMiddleware.
"""
from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import SecurityEventKind
from accounts.security import log_event, reset_current_request, set_current_request

LOGIN_AT = "_shanghui_login_at"
SEEN_AT = "_shanghui_seen_at"
PASSWORD_EXPIRED = "_shanghui_password_expired"
SEEN_RESOLUTION = 60  # write the last activity at most once a minute


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _wants_page(request) -> bool:
    return not _is_api(request) and not request.headers.get("HX-Request")


class AccessDeniedLogMiddleware:
    """Write `access_denied` for every 403 answer (pages, API, admin, CSRF) not already logged, every 401
    of the API, and every login-required page that sent a client presenting a token to the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_current_request(request)
        try:
            response = self.get_response(request)
        finally:
            reset_current_request(token)
        if getattr(request, "_shanghui_denied_logged", False):
            return response
        if response.status_code == 403:
            log_event(SecurityEventKind.ACCESS_DENIED, request, method=request.method,
                      reason=getattr(request, "_shanghui_denied_reason", "forbidden"))
        elif response.status_code == 401 or _token_refused_by_page(request, response):
            reason, user = _credentials(request)
            log_event(SecurityEventKind.ACCESS_DENIED, request, user=user, method=request.method,
                      status=response.status_code, reason=reason)
        return response


def _credentials(request) -> tuple[str, object]:
    """Why an unauthenticated request was refused, and whose token it carried when that is known.

    `not_authenticated` (no credentials: an anonymous script, an expired session), `invalid_token`
    (no such token), `token_expired` / `inactive_user` (the token's user is named), `token_not_accepted`
    (a valid token on a web page, which takes sessions only), `unsupported_credentials` (another scheme).
    """
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return "not_authenticated", None
    scheme, _sep, key = header.partition(" ")
    if scheme.lower() != "token" or not key.strip():
        return "unsupported_credentials", None
    from rest_framework.authtoken.models import Token

    from accounts.authentication import token_expired

    token = Token.objects.select_related("user").filter(key=key.strip()[:40]).first()
    if token is None:
        return "invalid_token", None
    if not token.user.is_active:
        return "inactive_user", token.user
    if token_expired(token):
        return "token_expired", token.user
    return ("token_not_accepted" if not _is_api(request) else "not_authenticated"), token.user


def _token_refused_by_page(request, response) -> bool:
    """A login-required web page sent a client that presented credentials (an API token) to the login page.

    The plain anonymous redirect of a browser (no Authorization header) is a login prompt, not a
    refused access, and is not logged.
    """
    if response.status_code != 302 or _is_api(request) or not request.META.get("HTTP_AUTHORIZATION"):
        return False
    if getattr(getattr(request, "user", None), "is_authenticated", False):
        return False
    from urllib.parse import urlsplit

    from django.shortcuts import resolve_url

    location = urlsplit(response.get("Location", "")).path
    logins = {resolve_url(settings.LOGIN_URL), reverse("portal:login")}
    return location in logins


def start_session(request, user) -> None:
    """Stamp a fresh login: its time, the last activity, and whether the password has expired."""
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session[PASSWORD_EXPIRED] = policy.password_expired(user)


class SessionTimeoutMiddleware:
    """End a session idle for SESSION_IDLE_MINUTES or older than SESSION_ABSOLUTE_HOURS.

    The expired user is logged out, `session_expired` is logged, and a browser is sent to the
    login page with a message (the API and htmx requests go on as anonymous and are refused).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            expired = self._check(request)
            if expired and _wants_page(request):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse(settings.LOGIN_URL)}?{query}")
        return self.get_response(request)

    def _check(self, request) -> str | None:
        session, now = request.session, int(time.time())
        login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
        if login_at is None:  # a session from before this policy: its clock starts now
            session[LOGIN_AT] = session[SEEN_AT] = now
            return None
        reason = None
        if now - login_at >= policy.absolute_seconds():
            reason = "absolute"
        elif seen_at is not None and now - seen_at >= policy.idle_seconds():
            reason = "idle"
        if reason is None:
            if seen_at is None or now - seen_at >= SEEN_RESOLUTION:
                session[SEEN_AT] = now
            return None
        log_event(SecurityEventKind.SESSION_EXPIRED, request, reason=reason,
                  login_at=login_at, seen_at=seen_at)
        request._shanghui_expiring = True  # the logout receiver leaves the log to this event
        logout(request)
        messages.warning(request, _("会话已超时（%(why)s），请重新登录。") % {
            "why": _("超过 %(n)d 分钟未操作") % {"n": settings.SESSION_IDLE_MINUTES} if reason == "idle"
            else _("登录已满 %(n)d 小时") % {"n": settings.SESSION_ABSOLUTE_HOURS}})
        return reason


# Views an account may open before passing the second factor or changing an expired password.
OTP_OPEN_VIEWS = {"accounts:otp-setup", "accounts:otp-verify", "logout", "login", "set_language"}
PASSWORD_OPEN_VIEWS = OTP_OPEN_VIEWS | {"accounts:password-change"}


class LoginPolicyMiddleware:
    """Hold a logged-in user at the second factor, then at an expired password, before any other page.

    A user who may see personal data (or a superuser) must enrol a TOTP device and verify a code
    in this session; a staff user whose password is older than PASSWORD_MAX_AGE_DAYS must change it.
    Session-authenticated API calls get a 403 naming the step instead of a redirect.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Redirect (or refuse) until the session has passed every step."""
        user = getattr(request, "user", None)
        match = request.resolver_match
        if user is None or not user.is_authenticated or match is None:
            return None
        if policy.requires_otp(user) and not user.is_verified():
            if match.view_name in OTP_OPEN_VIEWS:
                return None
            from accounts.otp import confirmed_device

            step = "accounts:otp-verify" if confirmed_device(user) else "accounts:otp-setup"
            return self._hold(request, step, _("请先完成动态口令（双因素）验证。"), "otp_required")
        if request.session.get(PASSWORD_EXPIRED) and match.view_name not in PASSWORD_OPEN_VIEWS:
            return self._hold(request, "accounts:password-change", _("密码已过期，请先修改密码。"),
                              "password_expired")
        return None

    @staticmethod
    def _hold(request, step: str, message: str, reason: str):
        if _is_api(request):
            request._shanghui_denied_reason = reason
            return JsonResponse({"detail": message, "code": reason}, status=403)
        next_url = request.get_full_path() if request.method == "GET" else reverse(settings.LOGIN_REDIRECT_URL)
        response = redirect(f"{reverse(step)}?{urlencode({'next': next_url})}")
        if request.headers.get("HX-Request"):
            response["HX-Redirect"] = response["Location"]
        return response
