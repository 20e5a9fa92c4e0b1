"""``STORAGES["default"]`` from the environment (read by the settings; imports no app code).

``MADOGUCHI_STORAGE=filesystem`` (default): files under ``MEDIA_ROOT`` (``MADOGUCHI_MEDIA_ROOT``),
on a local disk or a shared mount for several app servers (docs/operations/storage.md).
``MADOGUCHI_STORAGE=s3``: an S3-compatible bucket, configured by the ``MADOGUCHI_S3_*`` variables.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

FILESYSTEM_BACKEND = "madoguchi.storage.backends.VerifiedFileSystemStorage"
S3_BACKEND = "madoguchi.storage.s3.VerifiedS3Storage"
ADDRESSING_STYLES = {"auto", "path", "virtual"}


def default_storage_from_env(environ: Mapping[str, str]) -> dict:
    """Return the ``STORAGES["default"]`` entry the environment asks for. Raise ImproperlyConfigured."""
    kind = environ.get("MADOGUCHI_STORAGE", "filesystem").strip().lower() or "filesystem"
    if kind == "filesystem":
        return {"BACKEND": FILESYSTEM_BACKEND}
    if kind != "s3":
        raise ImproperlyConfigured(f"MADOGUCHI_STORAGE must be filesystem or s3, not {kind!r}.")
    bucket = environ.get("MADOGUCHI_S3_BUCKET", "").strip()
    if not bucket:
        raise ImproperlyConfigured("MADOGUCHI_STORAGE=s3 needs MADOGUCHI_S3_BUCKET.")
    style = environ.get("MADOGUCHI_S3_ADDRESSING_STYLE", "auto").strip().lower() or "auto"
    if style not in ADDRESSING_STYLES:
        raise ImproperlyConfigured(f"MADOGUCHI_S3_ADDRESSING_STYLE must be one of {sorted(ADDRESSING_STYLES)}.")
    from botocore.config import Config  # only a deployment that uses S3 needs botocore loaded

    options = {
        "bucket_name": bucket,
        "endpoint_url": environ.get("MADOGUCHI_S3_ENDPOINT_URL") or None,
        "region_name": environ.get("MADOGUCHI_S3_REGION") or None,
        # Empty: boto3's own chain (instance role, AWS_* variables, shared credentials file).
        "access_key": environ.get("MADOGUCHI_S3_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("MADOGUCHI_S3_SECRET_ACCESS_KEY") or None,
        "location": environ.get("MADOGUCHI_S3_PREFIX", "").strip("/"),
        "verify": environ.get("MADOGUCHI_S3_CA_BUNDLE") or None,
        "addressing_style": style,
        "default_acl": None,  # private: media is never public
        "querystring_auth": True,
        "file_overwrite": True,  # names are content addresses; the same name is the same bytes
        # A resident waits on the PUT: fail within seconds (503, try again) rather than hang.
        "client_config": Config(
            s3={"addressing_style": style},
            signature_version="s3v4",
            connect_timeout=float(environ.get("MADOGUCHI_S3_TIMEOUT", "5")),
            read_timeout=float(environ.get("MADOGUCHI_S3_TIMEOUT", "5")) * 6,
            retries={"max_attempts": 3, "mode": "standard"},
            request_checksum_calculation="when_required",
        ),
    }
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}
