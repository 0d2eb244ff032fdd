"""Real TOTP codes for tests, computed from a device's key as an authenticator app would."""
from __future__ import annotations

import base64
import time

from django_otp.oath import TOTP


def code_for(key: bytes, after_t: int = -1) -> str:
    """The current 6-digit code for `key`; the next step's when the current one was already used (`after_t`).

    A TOTP device accepts one step either side (tolerance 1) and never the same step twice.
    """
    totp = TOTP(key)
    totp.time = time.time()
    if totp.t() <= after_t:
        totp.drift = after_t - totp.t() + 1
    return f"{totp.token():06d}"


def key_from_secret(secret: str) -> bytes:
    """The binary key from the base32 secret shown on the enrolment page."""
    b32 = "".join(secret.split()).upper()
    return base64.b32decode(b32 + "=" * (-len(b32) % 8))


def device_code(device) -> str:
    """A code the device accepts now (respecting its last used step)."""
    device.refresh_from_db()
    return code_for(device.bin_key, device.last_t)
