"""TOTP second factor (django-otp): enrol a device, verify a code, recovery codes, reset a lost device.

The QR code is drawn on the server (segno) and sent as a data: URI, so the page needs no
script; the secret is shown too, for entry by hand.

Recovery codes are django-otp's static tokens, stored as keyed hashes (never in clear): each is
24 random base32 characters (120 bits), shown once when generated and accepted once at the
verification step in place of the six digits.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as _secrets

import segno
from django.db import transaction
from django.utils.translation import gettext_lazy as _lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityEventKind
from accounts.security import log_event

DEVICE_NAME = "Shanghui"


def confirmed_device(user) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if one is enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_device(user) -> TOTPDevice:
    """The device being enrolled: the same unconfirmed key until it is confirmed (reloads keep it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, as authenticator apps accept it typed in."""
    b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(b32[i:i + 4] for i in range(0, len(b32), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (allowed by the CSP's img-src)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _clean(code) -> str:
    return "".join(str(code or "").split())


WRONG = _lazy("动态口令不正确或已使用过，请输入验证器上显示的最新 6 位数字。")
THROTTLED = _lazy("尝试次数过多，请稍等片刻再输入新的动态口令。")


def check_code(user, device: TOTPDevice | None, code, request=None):
    """Verify a 6-digit code against the device: None when right, else the reason to show.

    A refusal goes to the security log (`otp_failed`); django-otp slows down repeated failures.
    """
    code = _clean(code)
    allowed = device is not None and device.verify_is_allowed()[0]
    if allowed and code.isdigit() and device.verify_token(code):
        return None
    throttled = device is not None and not allowed
    log_event(SecurityEventKind.OTP_FAILED, request, user=user, throttled=throttled)
    return str(THROTTLED if throttled else WRONG)


def enrol(request, device: TOTPDevice, code):
    """Confirm a pending device with its first code and mark this session verified; None or the refusal."""
    refused = check_code(request.user, device, code, request)
    if refused:
        return refused
    with transaction.atomic():
        TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    otp_login(request, device)
    request.session.cycle_key()  # a new session id once fully authenticated (no fixation)
    log_event(SecurityEventKind.OTP_ENROLLED, request)
    return None


def verify(request, code):
    """Check a code against the user's device and mark this session verified; None or the refusal."""
    device = confirmed_device(request.user)
    refused = check_code(request.user, device, code, request)
    if refused:
        return refused
    otp_login(request, device)
    request.session.cycle_key()
    return None


def reset(*, by, user, request=None) -> int:
    """Delete the user's TOTP devices and recovery codes (a lost phone): the next login enrols again.

    Returns how many TOTP devices went. Who may: the command line (by=None), a superuser, or an
    administrator of every organization the user holds a grant on (`accounts.sessions.may_manage_user`).
    Logged as `otp_reset` in the security log (who did it) and in the audit log.
    """
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from accounts.sessions import may_manage_user
    from core.audit import acting, log_action

    if by is not None and not may_manage_user(by, user):
        raise PermissionDenied(_("您无权重置该用户的动态口令。"))
    with transaction.atomic(), acting(by):
        count, _detail = TOTPDevice.objects.filter(user=user).delete()
        recovery = StaticToken.objects.filter(device__user=user).count()
        StaticDevice.objects.filter(user=user).delete()
        log_action(user, "accounts.user.otp_reset", by, {"devices": count, "recovery_codes": recovery})
    log_event(SecurityEventKind.OTP_RESET, request, user=user, by=by.get_username() if by else None, devices=count,
              recovery_codes=recovery)
    return count


# --- recovery codes -----------------------------------------------------------------------------

RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODES = 10
RECOVERY_LENGTH = 24  # base32 characters: 120 bits, above ASVS 5.0 V6.5.2's 112 for a plain keyed hash
_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


def _recovery_key() -> bytes:
    from core.crypto import keyring

    return hmac.digest(keyring().lookup_key, b"shanghui otp recovery codes", hashlib.sha256)


def normalize_recovery_code(code) -> str:
    """A code as typed (any case, spaces, dashes) in its canonical form: lower-case base32 characters."""
    return "".join(c for c in str(code or "").lower() if c in _ALPHABET)


def recovery_hash(code) -> str:
    """What is stored for a code: HMAC-SHA256 under a key derived from the lookup key, cut to the 16
    base32 characters (80 bits) django-otp's token column holds."""
    digest = hmac.digest(_recovery_key(), normalize_recovery_code(code).encode(), hashlib.sha256)
    return base64.b32encode(digest).decode().lower()[:16]


def recovery_codes_left(user) -> int:
    """How many unused recovery codes the user has."""
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


def generate_recovery_codes(request, count: int = RECOVERY_CODES) -> list[str]:
    """New recovery codes for the logged-in, verified TOTP user (the old ones stop working); shown once.

    Returns the codes as six groups of four (`xxxx-xxxx-…`); only their keyed hashes are stored.
    """
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    user = request.user
    if confirmed_device(user) is None or not user.is_verified():
        raise PermissionDenied(_("请先绑定并验证动态口令，再生成恢复码。"))
    codes = ["".join(_secrets.choice(_ALPHABET) for _i in range(RECOVERY_LENGTH)) for _n in range(count)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=recovery_hash(c)) for c in codes)
    log_event(SecurityEventKind.OTP_RECOVERY_GENERATED, request, codes=count)
    return ["-".join(c[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4)) for c in codes]


def verify_recovery(request, code):
    """Accept one unused recovery code in place of the six digits (it is used up); None or the refusal.

    A wrong code is logged as `otp_failed` (`recovery: true`); repeated failures are slowed down
    like TOTP codes (django-otp's throttling of the static device).
    """
    from django.utils.translation import gettext as _

    user = request.user
    device = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True).first()
    allowed = device is not None and device.verify_is_allowed()[0]
    normal = normalize_recovery_code(code)
    if allowed and len(normal) == RECOVERY_LENGTH and device.verify_token(recovery_hash(normal)):
        otp_login(request, device)
        request.session.cycle_key()
        log_event(SecurityEventKind.OTP_RECOVERY_USED, request, left=recovery_codes_left(user))
        return None
    if allowed and device is not None and len(normal) != RECOVERY_LENGTH:
        device.throttle_increment()
    throttled = device is not None and not allowed
    log_event(SecurityEventKind.OTP_FAILED, request, user=user, throttled=throttled, recovery=True)
    return str(THROTTLED) if throttled else _("恢复码不正确或已使用过。")
