"""Settings for ``make bench`` (bench/submit.py): production in shape, with the submit rate
limit off and the bench-only endpoints of ``bench/minimal`` mounted.

Never use these settings for anything but the benchmark: the secret key is public.
"""

import os
import sys
from pathlib import Path

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, VAR_DIR, database_from_env

# bench/ lives beside src/, not in the installed package: make ``bench.minimal`` importable
# when the settings are used without PYTHONPATH (bench/submit.py sets it anyway).
_REPO_DIR = Path(__file__).resolve().parents[4]
if (_REPO_DIR / "bench" / "minimal").is_dir() and str(_REPO_DIR) not in sys.path:
    sys.path.append(str(_REPO_DIR))

DEBUG = False
SECRET_KEY = "bench-only-key-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1"]
# One load generator is one client IP: the submit limit would answer 429 after 20 requests.
MADOGUCHI_SUBMIT_RATE = ""
INSTALLED_APPS = [*INSTALLED_APPS, "bench.minimal"]
ROOT_URLCONF = "bench.minimal.urls"
# `bench/submit.py --sqlite-synchronous full,normal` measures what synchronous=FULL costs.
_SYNCHRONOUS = os.environ.get("MADOGUCHI_BENCH_SQLITE_SYNCHRONOUS", "FULL").upper()
if _SYNCHRONOUS not in {"FULL", "NORMAL"}:
    raise ValueError("MADOGUCHI_BENCH_SQLITE_SYNCHRONOUS must be FULL or NORMAL")
DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'madoguchi.sqlite3'}", sqlite_synchronous=_SYNCHRONOUS)}
