"""Shanghui settings: every value comes from the environment, with safe defaults.

DATABASE_URL (default: SQLite in var/), SECRET_KEY (default: a random key kept in
var/secret_key), DEBUG (default off), ALLOWED_HOSTS, HTTPS (secure cookies, HSTS and
redirect; on unless DEBUG), SECURE_PROXY_SSL_HEADER_NAME.
"""
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from shanghui.env import env, envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("SHANGHUI_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Take SECRET_KEY from the environment, or a random one persisted in var/."""
    key = env("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "csp",
    "treebeard",
    "auditlog",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # recovery codes (accounts.otp), part of django-otp
    "django_tasks",
    "django_tasks_db",
    "core",
    "accounts",
    "orgs",
    "registry",
    "stats",
    "pairing",
    "cases",
    "directory",
    "activities",
    "charity",
    "awards",
    "portal",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.AccessDeniedLogMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.LoginPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.audit.AuditMiddleware",
    "axes.middleware.AxesMiddleware",
    "portal.middleware.MemberBoundaryMiddleware",
]

ROOT_URLCONF = "shanghui.urls"
FORM_RENDERER = "core.renderers.FormRenderer"  # <select> without a template include per option
WSGI_APPLICATION = "shanghui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
    # The rows of the busiest lists (core.jinja), rendered from Django templates by `{% jinja %}`.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "core.jinja.environment"},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'shanghui.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids
    # "database is locked" when two writers upgrade their locks at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A connection broken by a database restart is noticed and replaced at the next request,
# so Shanghui recovers without being restarted itself.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, reading the session's user and their grants in one query.
    "accounts.backends.StaffBackend",
    # Members log in with the phone or e-mail of their registry record (portal/backends.py).
    "portal.backends.MemberBackend",
]
# Password policy (docs/security.md): 等保 2.0 level 2 by default — at least
# PASSWORD_MIN_LENGTH characters from PASSWORD_MIN_CLASSES of upper/lower/digit/symbol, and
# staff accounts change their password every PASSWORD_MAX_AGE_DAYS (0: never, as ASVS prefers).
PASSWORD_MIN_LENGTH = envint("PASSWORD_MIN_LENGTH", 8)
PASSWORD_MIN_CLASSES = envint("PASSWORD_MIN_CLASSES", 3)
PASSWORD_MAX_AGE_DAYS = envint("PASSWORD_MAX_AGE_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": PASSWORD_MIN_CLASSES}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login failures: an account (username) locks after AXES_FAILURE_LIMIT failures
# for AXES_COOLOFF_MINUTES, whatever address the attempts come from. Addresses are not
# locked: a county office sits behind one router, and one person's typos must not lock
# out the whole office (axes.W006 says so, hence silenced). The API token endpoint is
# also rate-limited per address by DRF's throttle.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
# A member's failures count against its account whatever form of its phone or e-mail is typed.
AXES_USERNAME_CALLABLE = "portal.backends.lockout_username"
# Invitation links to the member portal stay valid this many days; links in messages start with SITE_URL.
PORTAL_INVITATION_DAYS = envint("PORTAL_INVITATION_DAYS", 7)
SITE_URL = env("SITE_URL", "")
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "core.storage.StaticStorage"
    },
}
WHITENOISE_USE_FINDERS = envbool("WHITENOISE_USE_FINDERS", False)

HTTPS = envbool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env("SECURE_PROXY_SSL_HEADER_NAME"):
    SECURE_PROXY_SSL_HEADER = (env("SECURE_PROXY_SSL_HEADER_NAME"), "https")
# Sessions end after SESSION_IDLE_MINUTES without a request and SESSION_ABSOLUTE_HOURS after
# login, whatever happens (accounts.middleware.SessionTimeoutMiddleware); API tokens live as
# long as a session (API_TOKEN_HOURS). Users who may see personal data (and superusers) must
# pass a TOTP second factor (OTP_TOTP_ISSUER names Shanghui in the authenticator app).
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", 30)
SESSION_ABSOLUTE_HOURS = envint("SESSION_ABSOLUTE_HOURS", 12)
API_TOKEN_HOURS = envint("API_TOKEN_HOURS", SESSION_ABSOLUTE_HOURS)
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", SESSION_ABSOLUTE_HOURS * 3600)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "Shanghui")
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache and written through to the database (0.4 ms less a request than a
# query); whatever deletes sessions goes through accounts.sessions.delete_sessions, which clears both.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
X_FRAME_OPTIONS = "DENY"
# Hostile input (docs/security.md §5): cookies never sent cross-site on a POST, the CSRF cookie unread by
# scripts (htmx takes the token from the page), no referrer beyond the origin, no MIME sniffing.
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Uploads are checked by content (core/uploads.py); limits per kind in bytes, and for zips once unpacked.
UPLOAD_MAX_BYTES = {"sheet": envint("UPLOAD_MAX_SHEET_MB", 100) * 1024 * 1024,
                    "document": envint("UPLOAD_MAX_DOCUMENT_MB", 5) * 1024 * 1024,
                    "image": envint("UPLOAD_MAX_IMAGE_MB", 8) * 1024 * 1024}
UPLOAD_MAX_UNZIPPED_BYTES = {"sheet": envint("UPLOAD_MAX_UNZIPPED_SHEET_MB", 2048) * 1024 * 1024,
                             "document": envint("UPLOAD_MAX_UNZIPPED_DOCUMENT_MB", 100) * 1024 * 1024}
UPLOAD_MAX_ZIP_RATIO = envint("UPLOAD_MAX_ZIP_RATIO", 100)
UPLOAD_MAX_PIXELS = envint("UPLOAD_MAX_PIXELS", 40_000_000)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API's inline scripts break under our CSP; /api/docs/ is the UI.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shanghui API",
    "DESCRIPTION": "商会 — organizations, the registry of people and enterprises, memberships.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "cases.models.Kind", "CaseStatusEnum": "cases.models.Status",
        "CaseChannelEnum": "cases.models.Channel", "DepartmentKindEnum": "cases.models.DepartmentKind",
        "ExpertKindEnum": "cases.models.ExpertKind", "ReferralKindEnum": "cases.models.ReferralKind",
        "CertificationKindEnum": "awards.models.CertificationKind", "CertificationLevelEnum": "awards.models.Level",
        "CampaignStatusEnum": "awards.models.CampaignStatus", "NominationStatusEnum": "awards.models.NominationStatus",
    },
    # The schema is checked by the test suite (tests/test_api.py), not by `check --deploy`,
    # where enum-name collisions between apps' `kind` fields would fail a deployment.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job stamps a heartbeat every JOB_HEARTBEAT_SECONDS; without one for JOB_STALE_SECONDS
# its worker is taken for dead and the job is marked failed (and may be run again).
JOB_HEARTBEAT_SECONDS = envint("JOB_HEARTBEAT_SECONDS", 5)
JOB_STALE_SECONDS = envint("JOB_STALE_SECONDS", 60)

# The cache carries live job progress between the worker and the web server: Redis when
# REDIS_URL is set, else files under var/ (shared by every process on the machine).
if env("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}
# Rendered fragments that depend only on code, language and the query string (a list's filter form):
# each process keeps its own, and a new release starts empty.
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments",
                       "OPTIONS": {"MAX_ENTRIES": 2000}}

AUDITLOG_INCLUDE_ALL_MODELS = False
# The audit and security logs are kept AUDIT_RETENTION_DAYS (at least 180, 等保 2.0) and then
# removed by `manage.py audit prune`; see core/chain.py.
AUDIT_RETENTION_DAYS = envint("AUDIT_RETENTION_DAYS", 365)

# Data-subject requests (privacy) are due PRIVACY_RESPONSE_DAYS after receipt. Personal data is kept
# PRIVACY_RETENTION_DAYS per kind of record, then anonymised by `manage.py retention apply` (cron);
# the audit and security logs have their own retention (`manage.py audit prune`).
PRIVACY_RESPONSE_DAYS = envint("PRIVACY_RESPONSE_DAYS", 15)
PRIVACY_RETENTION_DAYS = {
    "cases.closed": envint("RETENTION_CASES_DAYS", 5 * 365),
    "activities.registration": envint("RETENTION_REGISTRATIONS_DAYS", 3 * 365),
    "directory.inquiry": envint("RETENTION_INQUIRIES_DAYS", 2 * 365),
    "portal.invitation": envint("RETENTION_INVITATIONS_DAYS", 90),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
