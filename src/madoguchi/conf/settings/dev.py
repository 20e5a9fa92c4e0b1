"""The embedded default: one machine, SQLite in var/, no other service."""

import os

from django.core.exceptions import ImproperlyConfigured

from madoguchi.conf.environment import dev_settings_refusal, refusal_message

from .base import *  # noqa: F403
from .base import env_bool

# The same refusal as the `madoguchi` command's, for every other way in (a WSGI server, a script).
if _refusal := dev_settings_refusal(os.environ):
    raise ImproperlyConfigured(refusal_message(_refusal))

DEBUG = env_bool("MADOGUCHI_DEBUG", True)
SECRET_KEY = os.environ.get("MADOGUCHI_SECRET_KEY") or "dev-only-insecure-key-never-use-in-production"
# E-mails are printed to the console unless an SMTP server (or another backend) is configured.
if not os.environ.get("MADOGUCHI_EMAIL_HOST") and not os.environ.get("MADOGUCHI_EMAIL_BACKEND"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The demo PKI made by `madoguchi demo` (demo CA, software card, demo municipality keys).
MADOGUCHI_SIGNATURES_FILE = os.environ.get("MADOGUCHI_SIGNATURES_FILE") or str(VAR_DIR / "demo-pki" / "signatures.yaml")  # noqa: F405
MADOGUCHI_DEMO_SOFTWARE_CARD = env_bool("MADOGUCHI_DEMO_SOFTWARE_CARD", True)
# Links in PDFs and e-mails point at the server `make run` starts (runserver on PORT) unless
# MADOGUCHI_PUBLIC_URL says otherwise.
if not MADOGUCHI_PUBLIC_URL:  # noqa: F405
    MADOGUCHI_PUBLIC_URL = f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
    MADOGUCHI_STAFF_URL = (os.environ.get("MADOGUCHI_STAFF_URL") or MADOGUCHI_PUBLIC_URL).rstrip("/")
