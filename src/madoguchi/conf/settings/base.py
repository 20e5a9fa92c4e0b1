"""Settings shared by every environment.

Every value an operator may need to change comes from an environment variable, so one
build runs unchanged as the embedded default, in CI and in production.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

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


SECRET_KEY = os.environ.get("MADOGUCHI_SECRET_KEY", "")
DEBUG = env_bool("MADOGUCHI_DEBUG", False)
ALLOWED_HOSTS = env_list("MADOGUCHI_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("MADOGUCHI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs page from its own static files, not a CDN
    "madoguchi.jp",
    "madoguchi.tenants",
    "madoguchi.audit",
    "madoguchi.procedures",
    "madoguchi.cases",
    "madoguchi.portal",
    "madoguchi.api",
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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "madoguchi.portal.middleware.ContentSecurityPolicyMiddleware",
    "madoguchi.tenants.middleware.PlatformAdminScopeMiddleware",
]

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


def database_from_env(default_url: str) -> dict:
    url = os.environ.get("DATABASE_URL", default_url)
    config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock when a transaction starts, so two submits never
        # deadlock upgrading read locks; WAL lets readers go on during a write.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
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
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
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
STATICFILES_DIRS = [
    ("vendor/design-tokens", NODE_MODULES_DIR / "@digital-go-jp" / "design-tokens" / "dist"),
]
MEDIA_ROOT = Path(os.environ.get("MADOGUCHI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served publicly: attachments are personal data
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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

MADOGUCHI_CATALOG_DIR = Path(os.environ.get("MADOGUCHI_CATALOG_DIR", BASE_DIR / "catalog"))
# django-ratelimit rate strings, e.g. "20/m"; an empty value disables the limit.
MADOGUCHI_SUBMIT_RATE = os.environ.get("MADOGUCHI_SUBMIT_RATE", "20/m")
MADOGUCHI_LOOKUP_RATE = os.environ.get("MADOGUCHI_LOOKUP_RATE", "30/m")
RATELIMIT_VIEW = "madoguchi.portal.views.errors.rate_limited"
# Behind a load balancer set this to the header that carries the client address.
RATELIMIT_IP_META_KEY = os.environ.get("MADOGUCHI_CLIENT_IP_HEADER") or None

SITE_NAME = _("Madoguchi")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MADOGUCHI_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
CSRF_FAILURE_VIEW = "madoguchi.portal.views.errors.csrf_failure"
# A form draft (personal data, not yet submitted) lives at most this long; run
# `madoguchi drafts purge` and `madoguchi clearsessions` daily.
SESSION_COOKIE_AGE = int(os.environ.get("MADOGUCHI_SESSION_HOURS", "72")) * 3600
