"""TOTP second factor (django-otp): enrol a device, verify a code, reset a lost device.

The QR code is drawn on the server (segno) and sent as a data: URI, so the page needs no
script; the secret is shown too, for entry by hand.
"""
from __future__ import annotations

import base64

import segno
from django.db import transaction
from django.utils.translation import gettext_lazy as _lazy
from django_otp import login as otp_login
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


def reset(*, by, user) -> int:
    """Delete the user's TOTP devices (a lost phone): the next login enrols again. Returns how many."""
    with transaction.atomic():
        count, _detail = TOTPDevice.objects.filter(user=user).delete()
    log_event(SecurityEventKind.OTP_RESET, user=user, by=by.get_username() if by else None, devices=count)
    return count
