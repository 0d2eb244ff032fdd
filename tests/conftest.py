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
