"""Shared fixtures: a province tree with two disjoint city subtrees and their users."""
import pytest

from tests import factories as f


@pytest.fixture
def tree(db):
    """浙江省侨联 → 杭州市侨联 → 上城区侨联, and 温州市侨联 → 温州商会 (disjoint from 杭州)."""
    zj = f.org("zj", "浙江省侨联", region="330000")
    hz = f.org("hz", "杭州市侨联", zj, region="330100")
    sc = f.org("hz-sc", "上城区侨联", hz, region="330102")
    wz = f.org("wz", "温州市侨联", zj, region="330300")
    wzc = f.org("wz-chamber", "温州市侨商会", wz, kind="overseas_merchant_association", region="330300")
    return {"zj": zj, "hz": hz, "sc": sc, "wz": wz, "wzc": wzc}


@pytest.fixture
def users(tree):
    """hz_admin (personal data), hz_staff, hz_viewer, wz_staff, a province admin and a user with no grant."""
    return {
        "hz_admin": f.user("hz_admin", (tree["hz"], "administrator", True)),
        "hz_staff": f.user("hz_staff", (tree["hz"], "staff")),
        "hz_viewer": f.user("hz_viewer", (tree["hz"], "viewer")),
        "wz_staff": f.user("wz_staff", (tree["wz"], "staff", True)),
        "zj_admin": f.user("zj_admin", (tree["zj"], "administrator", True)),
        "nobody": f.user("nobody"),
    }


@pytest.fixture
def api(users, settings):
    """API clients authenticated by token, as a script would be: `api("hz_staff")`, `api()` is anonymous."""
    from django.core.cache import cache
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    settings.SECURE_SSL_REDIRECT = False  # plain-HTTP test requests, whatever HTTPS says
    cache.clear()  # throttle counters live in the cache

    def client(name: str | None = None) -> APIClient:
        c = APIClient()
        if name:
            token, _created = Token.objects.get_or_create(user=users[name])
            c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c

    return client


@pytest.fixture(autouse=True)
def kept_search_answers_forgotten():
    """Each test starts without the search candidates a process keeps (core.search.CANDIDATES_SECONDS).

    A test's writes are rolled back, but its generation token stays in the shared cache, so candidates
    kept during one test could otherwise be read by the next.
    """
    from django.core.cache import caches

    caches["fragments"].clear()


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """A request in English leaves English active in the thread; the next test starts in Chinese again."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def otp_verified_force_login():
    """`client.force_login(user)` of a user who must pass two-factor also verifies that session.

    Exactly what the login flow does after a right code: a confirmed TOTP device of the user
    (real, in the database) is bound to the session with `django_otp.login`. Logins through the
    login page (WSGI requests) are left alone, so tests of the real flow (tests/test_auth_security.py,
    tests/browser/) enter codes computed from the device's key. Nothing is patched.
    """
    from django.contrib.auth.signals import user_logged_in
    from django.http import HttpRequest

    def verify(sender, request, user, **kwargs):
        if type(request) is not HttpRequest:  # the login page's request is a WSGIRequest
            return
        from django_otp import login as otp_login
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts.policy import requires_otp

        if requires_otp(user):
            device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
                      or TOTPDevice.objects.create(user=user, name="test", confirmed=True))
            request.user = user  # django.contrib.auth.login sets it only on requests that have one
            otp_login(request, device)

    user_logged_in.connect(verify, dispatch_uid="tests-otp-verified-force-login")
    yield
    user_logged_in.disconnect(dispatch_uid="tests-otp-verified-force-login")
