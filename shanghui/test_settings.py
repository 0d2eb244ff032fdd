"""Settings for the test suite: the production settings, served over plain HTTP on loopback."""
import tempfile

from shanghui.settings import *  # noqa: F403
from shanghui.settings import STATIC_ROOT

HTTPS = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Each test process gets its own cache directory, shared with the worker it runs in-process.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                      "LOCATION": tempfile.mkdtemp(prefix="shanghui-cache-")}}
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"}

# Test flushes (transactional and browser tests) may empty the append-only log tables (core/chain.py).
AUDIT_FLUSH_ALLOWED = True
