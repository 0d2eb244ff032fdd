"""Protections of the public intake (no login): rate limits per address, a challenge, spam marking.

The challenge is written by hand rather than taken from django-simple-captcha, which needs
Pillow and renders images a phone user must squint at: a small sum ("3 加 4 等于几？") whose
answer travels signed (django.core.signing) with the time it was issued. A token can be used
once; a form sent back sooner than a person can type is marked as spam, as is one whose hidden
honeypot field was filled — those are stored (the bot sees the same success page and learns
nothing) but flagged, so they never reach a case officer's queue unmarked.
"""
from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

SALT = "cases.intake.challenge"
MIN_SECONDS = 3
MAX_SECONDS = 2 * 3600


class IntakeThrottle(SimpleRateThrottle):
    """Submissions per client address (CASES_INTAKE_RATE, default 5/hour), shared by the web form and the API."""

    scope = "cases_intake"

    def get_rate(self):
        """The configured rate."""
        return getattr(settings, "CASES_INTAKE_RATE", "5/hour")

    def get_cache_key(self, request, view):
        """One counter per address."""
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TrackThrottle(IntakeThrottle):
    """Tracking look-ups per address (CASES_TRACK_RATE, default 30/hour): secrets cannot be guessed by brute force."""

    scope = "cases_track"

    def get_rate(self):
        """The configured rate."""
        return getattr(settings, "CASES_TRACK_RATE", "30/hour")


def allowed(request, throttle_class) -> bool:
    """Count this request against the address's limit; False once it is exceeded."""
    return throttle_class().allow_request(request, None)


def make_challenge() -> tuple[str, str]:
    """A new question and its signed token."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"s": a + b, "t": time.time(), "n": secrets.token_hex(6)}, salt=SALT)
    return _("%(a)s 加 %(b)s 等于几？") % {"a": a, "b": b}, token


def check_challenge(token: str, answer) -> str:
    """'ok', 'wrong' (a person mistyped: ask again), 'expired', or 'spam' (too fast or a replayed token)."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_SECONDS)
    except signing.SignatureExpired:
        return "expired"
    except signing.BadSignature:
        return "wrong"
    if str(answer).strip() != str(data["s"]):
        return "wrong"
    if not cache.add(f"cases:intake:used:{data['n']}", 1, MAX_SECONDS):
        return "spam"
    if time.time() - data["t"] < getattr(settings, "CASES_INTAKE_MIN_SECONDS", MIN_SECONDS):
        return "spam"
    return "ok"


def default_org():
    """The organization public requests go to when none is named (CASES_INTAKE_ORG, else the first root)."""
    from orgs.models import Organization

    code = getattr(settings, "CASES_INTAKE_ORG", "")
    if code:
        return Organization.objects.filter(code=code).first()
    return Organization.objects.filter(depth=1).order_by("path").first()


def intake_org(code: str | None):
    """The organization named by code in a public request, or the default one."""
    from orgs.models import Organization

    if code:
        return Organization.objects.filter(code=code).first()
    return default_org()


def public_status(case) -> dict:
    """What the applicant may see: the status and the public entries of the timeline, nothing else."""
    from django.utils import timezone

    events = case.events.filter(public=True).order_by("at", "pk")
    return {
        "number": case.number,
        "status": case.status,
        "status_display": str(case.get_status_display()),
        "submitted_at": timezone.localtime(case.submitted_at).isoformat(),
        "updates": [{"at": timezone.localtime(e.at).isoformat(), "status": e.status, "text": e.note} for e in events],
    }
