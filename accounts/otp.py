"""TOTP second factor (django-otp): enrol a device, verify a code, reset a lost device.

The QR code is drawn on the server (segno) and sent as a data: URI, so the page needs no
script; the secret is shown too, for entry by hand.
"""
from __future__ import annotations

import base64

import segno
from django.db import transaction
from django.utils.translation import gettext as _
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


def check_code(user, device: TOTPDevice | None, code, request=None) -> bool:
    """Verify a 6-digit code against the device; a failure (or throttled try) goes to the security log."""
    code = _clean(code)
    allowed = device is not None and device.verify_is_allowed()[0]
    if allowed and code.isdigit() and device.verify_token(code):
        return True
    log_event(SecurityEventKind.OTP_FAILED, request, user=user, throttled=device is not None and not allowed)
    return False


def enrol(request, device: TOTPDevice, code) -> bool:
    """Confirm a pending device with its first code and mark this session verified."""
    if not check_code(request.user, device, code, request):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    otp_login(request, device)
    log_event(SecurityEventKind.OTP_ENROLLED, request)
    return True


def verify(request, code) -> bool:
    """Check a code against the user's device and mark this session verified."""
    device = confirmed_device(request.user)
    if not check_code(request.user, device, code, request):
        return False
    otp_login(request, device)
    return True


def reset(*, by, user) -> int:
    """Delete the user's TOTP devices (a lost phone): the next login enrols again. Returns how many."""
    with transaction.atomic():
        count, _detail = TOTPDevice.objects.filter(user=user).delete()
    log_event(SecurityEventKind.OTP_RESET, user=user, by=by.get_username() if by else None, devices=count)
    return count


def throttle_message(device: TOTPDevice | None) -> str:
    """What to tell a user whose code was refused."""
    if device is not None and not device.verify_is_allowed()[0]:
        return _("尝试次数过多，请稍等片刻再输入新的动态口令。")
    return _("动态口令不正确或已使用过，请输入验证器上显示的最新 6 位数字。")
