"""Keep member accounts out of staff pages: they reach the portal, the public pages and logout only."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from portal.access import is_member_only

# Pages outside the portal that a member may open: public intake and tracking, the public
# catalogue, public registration and passes, published award lists, language and logout.
MEMBER_ALLOWED_NAMESPACES = {"portal", "portal-api", "catalogue"}
MEMBER_ALLOWED_VIEWS = {
    "public-intake", "public-intake-org", "public-track", "set_language", "logout",
    "activities:public-register", "activities:public-pass", "awards:public",
    "api-token", "api-intake-challenge", "api-intake", "api-track", "api-catalogue", "api-catalogue-inquiry",
}


def _token_user(request):
    """The user of an API token: DRF authenticates inside the view, after this middleware has run."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not request.path.startswith("/api/") or not header.startswith("Token "):
        return None
    from rest_framework.exceptions import AuthenticationFailed

    from accounts.authentication import ExpiringTokenAuthentication

    try:
        request._token_auth = ExpiringTokenAuthentication().authenticate_credentials(header[6:].strip())
    except AuthenticationFailed:
        return None  # DRF answers 401 in the view
    return request._token_auth[0]


class MemberBoundaryMiddleware:
    """Refuse staff pages and staff API endpoints to member-only accounts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Redirect a member's browser to the portal; answer 403 on the API and admin."""
        match = request.resolver_match
        user = request.user if request.user.is_authenticated else _token_user(request)
        if match is None or user is None or not is_member_only(user):
            return None
        if match.namespace in MEMBER_ALLOWED_NAMESPACES or match.view_name in MEMBER_ALLOWED_VIEWS:
            return None
        if request.path.startswith(("/" + settings.STATIC_URL.lstrip("/"),)):
            return None
        from accounts.security import log_event

        log_event("access_denied", request, user=user, reason="member_on_staff_page")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("会员账号不能使用工作人员接口。")}, status=403)
        if request.path.startswith("/admin/") or request.method != "GET":
            raise PermissionDenied
        return redirect("portal:home")
