"""Settings for the test suite: the same as production in shape, fast where safe."""

import os

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MADOGUCHI_PUBLIC_URL = os.environ.get("MADOGUCHI_PUBLIC_URL", "http://testserver").rstrip("/")
MADOGUCHI_STAFF_URL = os.environ.get("MADOGUCHI_STAFF_URL", MADOGUCHI_PUBLIC_URL).rstrip("/")
MEDIA_ROOT = Path(os.environ.get("MADOGUCHI_TEST_MEDIA_ROOT", "/tmp/madoguchi-test-media"))  # noqa: F405, S108
STORAGES = {
    "default": {"BACKEND": "madoguchi.storage.backends.VerifiedFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "documents"]}}
