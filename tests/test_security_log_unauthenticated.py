"""Refused unauthenticated access in the security log: API 401s and tokens refused by login-required pages.

One `access_denied` entry per refused request, with the status and why (`not_authenticated`,
`invalid_token`, `token_expired` naming the token's user, `token_not_accepted`); nothing for a
browser's plain redirect to the login page.
"""
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import SecurityEvent


@pytest.fixture
def web(settings):
    settings.SECURE_SSL_REDIRECT = False
    return Client()


def _events():
    return list(SecurityEvent.objects.filter(kind="access_denied").order_by("pk"))


def test_an_anonymous_api_call_is_logged_once_with_401(api):
    r = api().get("/api/people/")
    assert r.status_code == 401
    (event,) = _events()
    assert event.user is None and event.path == "/api/people/"
    assert event.detail == {"method": "GET", "status": 401, "reason": "not_authenticated"}


def test_an_invalid_token_is_logged(api):
    c = api()
    c.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert c.get("/api/organizations/").status_code == 401
    assert c.post("/api/people/", {}, format="json").status_code == 401
    events = _events()
    assert [(e.detail["reason"], e.detail["method"], e.detail["status"]) for e in events] == \
        [("invalid_token", "GET", 401), ("invalid_token", "POST", 401)]


def test_an_expired_token_is_logged_with_its_user(api, users, settings):
    settings.API_TOKEN_HOURS = 1
    token, _c = Token.objects.get_or_create(user=users["hz_staff"])
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(hours=2))
    c = api()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert c.get("/api/people/").status_code == 401
    (event,) = _events()
    assert event.user == users["hz_staff"] and event.username == "hz_staff"
    assert event.detail["reason"] == "token_expired"


def test_a_valid_token_is_not_logged(api):
    assert api("hz_staff").get("/api/people/").status_code == 200
    assert _events() == []


def test_a_browser_sent_to_the_login_page_is_not_logged(web, tree):
    r = web.get("/registry/people/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    r = web.get("/my/privacy/")
    assert r.status_code == 302 and r["Location"].startswith("/my/login/")
    assert _events() == []


def test_a_token_on_a_login_required_page_is_logged(web, users):
    r = web.get("/registry/people/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert r.status_code == 302
    r = web.get("/my/privacy/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert r.status_code == 302
    token, _c = Token.objects.get_or_create(user=users["hz_staff"])
    web.get("/registry/people/", HTTP_AUTHORIZATION=f"Token {token.key}")  # pages take sessions, not tokens
    events = _events()
    assert [(e.path, e.detail["reason"], e.detail["status"]) for e in events] == [
        ("/registry/people/", "invalid_token", 302), ("/my/privacy/", "invalid_token", 302),
        ("/registry/people/", "token_not_accepted", 302)]
    assert events[2].user == users["hz_staff"]


def test_a_403_is_still_logged_once(web, users):
    web.force_login(users["nobody"])
    assert web.get("/accounts/users/").status_code == 403
    events = _events()
    assert len(events) == 1 and events[0].detail.get("status") is None and events[0].user == users["nobody"]
