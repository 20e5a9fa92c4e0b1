"""Production: everything from the environment, nothing insecure by default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool

if not SECRET_KEY:
    raise ImproperlyConfigured("Set MADOGUCHI_SECRET_KEY.")

SESSION_COOKIE_SECURE = env_bool("MADOGUCHI_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("MADOGUCHI_SSL_REDIRECT", False)
# Probes and Prometheus talk to the app server over plain HTTP on the inside.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
SECURE_HSTS_SECONDS = int(__import__("os").environ.get("MADOGUCHI_HSTS_SECONDS", "0"))
if env_bool("MADOGUCHI_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if env_bool("MADOGUCHI_DEMO_SOFTWARE_CARD", False):
    raise ImproperlyConfigured("The demo software card is never enabled in production.")
