"""The development settings refuse to run where production is meant.

The ``madoguchi`` command defaults to the development settings (DEBUG on, a public secret key,
the demo signing keys, the demo software card) so that a checkout works without configuration.
On a server that default would be dangerous: an operator who forgets
``DJANGO_SETTINGS_MODULE`` would show residents debug pages and sign with a key anyone knows.
So the development settings refuse to load when the environment says production
(``MADOGUCHI_ENV=production``) or when the database is not a local SQLite file: a PostgreSQL
database is a production database unless a developer says otherwise with
``MADOGUCHI_ENV=development``.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

DEV_SETTINGS = "madoguchi.conf.settings.dev"
PRODUCTION_SETTINGS = "madoguchi.conf.settings.production"


def dev_settings_refusal(environ: Mapping[str, str]) -> str | None:
    """Return why the development settings must not run in ``environ``, or None if they may."""
    declared = environ.get("MADOGUCHI_ENV", "").strip().lower()
    if declared == "production":
        return "MADOGUCHI_ENV=production is set"
    url = environ.get("DATABASE_URL", "").strip()
    scheme = urlsplit(url).scheme.lower() if url else "sqlite"
    if not scheme.startswith("sqlite") and declared != "development":
        return f"DATABASE_URL names a {scheme} database, not the local SQLite file"
    return None


def refusal_message(reason: str) -> str:
    return (
        f"Refusing to run with the development settings ({DEV_SETTINGS}): {reason}.\n"
        f"On a server, set DJANGO_SETTINGS_MODULE={PRODUCTION_SETTINGS} (with MADOGUCHI_SECRET_KEY and the rest\n"
        "of the production configuration, see deploy/env.example). To develop against a local PostgreSQL\n"
        "on purpose, set MADOGUCHI_ENV=development."
    )
