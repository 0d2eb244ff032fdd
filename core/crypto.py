"""Encryption of personal data at rest: AES-256-GCM ciphertexts and keyed lookup hashes.

ID and passport numbers are stored encrypted (`core.fields.EncryptedCharField`), so a copy
of the database, a backup or a SQL console shows no clear number. Exact lookup and duplicate
detection use a keyed hash of the normalised value in a companion column (`…_hash`):
HMAC-SHA256 with a separate lookup key, so equal numbers give equal hashes, and without
the key the hash cannot be reversed by trying the ~10¹⁰ plausible ID numbers.

Keys
    SHANGHUI_DATA_KEYS   comma-separated `id:key` entries, the first one current, e.g.
                         `k2:BASE64…,k1:BASE64…` (key: 32 bytes, url-safe base64). New values
                         are encrypted with the first key; a ciphertext names its key id, so
                         values written under an older key still read while it is listed.
    SHANGHUI_LOOKUP_KEY  the HMAC key of the lookup hashes (url-safe base64, ≥ 32 bytes).

Without the variables, keys are generated once and kept in var/data_keys and
var/lookup_key (mode 0600), as settings does with the secret key — fine for one machine,
but a production deployment keeps them outside the data directory and its backups.

Ciphertext format: `<key id>:<base64url(nonce ‖ AES-GCM ciphertext ‖ tag)>`, a fresh
12-byte random nonce per value. Rotation (`manage.py rotate_keys`) re-encrypts every value
with the current key and recomputes every lookup hash.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured

KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
HASH_LENGTH = 32  # hex characters of the lookup hash: 128 bits


class DecryptionError(Exception):
    """A stored value cannot be decrypted: unknown key id, wrong key, or not a ciphertext."""


@dataclass(frozen=True)
class Keyring:
    """The data keys (current first) and the lookup key in use."""

    current_id: str
    ciphers: dict
    lookup_key: bytes
    source: str

    @property
    def key_ids(self) -> list[str]:
        """Every usable key id, current first."""
        return list(self.ciphers)


def _b64decode(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def new_data_key() -> str:
    """A fresh `id:key` entry for SHANGHUI_DATA_KEYS (a random 6-hex id, a 256-bit key)."""
    return f"k{secrets.token_hex(3)}:{_b64encode(secrets.token_bytes(32))}"


def parse_data_keys(text: str) -> dict[str, AESGCM]:
    """Parse `id:key,id:key…` into ciphers by key id, in order; ImproperlyConfigured on a bad entry."""
    ciphers: dict[str, AESGCM] = {}
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        kid, sep, raw = entry.partition(":")
        if not sep or not KEY_ID.match(kid):
            raise ImproperlyConfigured("SHANGHUI_DATA_KEYS: each entry is `id:key`, id of letters, digits, _ or -.")
        try:
            key = _b64decode(raw)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise ImproperlyConfigured(f"SHANGHUI_DATA_KEYS: key {kid} is not 32 bytes of url-safe base64.")
        if kid in ciphers:
            raise ImproperlyConfigured(f"SHANGHUI_DATA_KEYS: key id {kid} is listed twice.")
        ciphers[kid] = AESGCM(key)
    if not ciphers:
        raise ImproperlyConfigured("SHANGHUI_DATA_KEYS lists no key.")
    return ciphers


def _var_dir() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR)


def _persisted(name: str, make) -> str:
    """Read var/<name>, creating it (mode 0600) with `make()` the first time."""
    path = _var_dir() / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(make() + "\n")
    return path.read_text().strip()


def data_keys_file() -> Path:
    """Where the generated data keys are kept when SHANGHUI_DATA_KEYS is not set."""
    return _var_dir() / "data_keys"


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    """The keys in use, read once per process (call `reload()` after changing them)."""
    text = os.environ.get("SHANGHUI_DATA_KEYS", "").strip()
    source = "env"
    if not text:
        text = _persisted("data_keys", new_data_key)
        source = "file"
    ciphers = parse_data_keys(text)
    lookup_text = os.environ.get("SHANGHUI_LOOKUP_KEY", "").strip() or _persisted(
        "lookup_key", lambda: _b64encode(secrets.token_bytes(32)))
    try:
        lookup_key = _b64decode(lookup_text)
    except ValueError:
        lookup_key = b""
    if len(lookup_key) < 32:
        raise ImproperlyConfigured("SHANGHUI_LOOKUP_KEY must be at least 32 bytes of url-safe base64.")
    return Keyring(next(iter(ciphers)), ciphers, lookup_key, source)


def reload() -> Keyring:
    """Forget the cached keys and read them again (after rotate_keys changes the key file, or in tests)."""
    keyring.cache_clear()
    _hash_cache.cache_clear()
    return keyring()


def encrypt(value: str) -> str:
    """Encrypt a clear text with the current key: `<key id>:<base64url(nonce‖ciphertext‖tag)>`."""
    ring = keyring()
    nonce = os.urandom(12)
    sealed = ring.ciphers[ring.current_id].encrypt(nonce, value.encode("utf-8"), None)
    return f"{ring.current_id}:{_b64encode(nonce + sealed)}"


def key_id_of(token: str) -> str:
    """The key id a ciphertext was written with."""
    return token.partition(":")[0]


def decrypt(token: str) -> str:
    """Decrypt a ciphertext written by `encrypt()` with any configured key; DecryptionError otherwise."""
    kid, sep, body = token.partition(":")
    cipher = keyring().ciphers.get(kid) if sep else None
    if cipher is None:
        raise DecryptionError(f"no data key with id {kid!r} is configured (SHANGHUI_DATA_KEYS)" if sep
                              else "the stored value is not a ciphertext")
    try:
        raw = _b64decode(body)
        return cipher.decrypt(raw[:12], raw[12:], None).decode("utf-8")
    except (InvalidTag, ValueError) as e:
        raise DecryptionError(f"the value does not decrypt with key {kid!r}") from e


def normalize(value) -> str:
    """The form a value is hashed in: no spaces, upper case (an ID number's x is X)."""
    return "".join(str(value).split()).upper()


@lru_cache(maxsize=4096)
def _hash_cache(text: str, key: bytes) -> str:
    return hmac.digest(key, text.encode("utf-8"), hashlib.sha256).hex()[:HASH_LENGTH]


def lookup_hash(value) -> str | None:
    """The keyed hash (HMAC-SHA256, 128 bits as hex) used to find a value exactly; None for an empty value."""
    if value is None:
        return None
    text = normalize(value)
    if not text:
        return None
    return _hash_cache(text, keyring().lookup_key)
