"""Helpers of the deployment tests: real nginx, gunicorn, supervisord, systemd-analyze and pip, started by them.

A missing tool (nginx, systemd-analyze) skips its tests with the reason on a workstation and
fails them in CI (CI=true), where a skipped deployment test would hide a broken deployment.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
# Variables of the calling shell that would steer a started instance away from the test's own.
INHERITED_PREFIXES = ("MADOGUCHI_", "DJANGO_", "DATABASE_", "CACHE_URL")


def require(tool: str, package: str) -> str:
    """Return the path of ``tool``, or skip (fail in CI) saying which Debian package brings it."""
    path = tool if os.path.isabs(tool) and os.access(tool, os.X_OK) else shutil.which(tool)
    if not path:
        reason = f"{tool} is missing: install Debian's {package} package to run the deployment tests"
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def clean_environ(**values: str) -> dict[str, str]:
    """The test process's environment without its Django and Madoguchi settings, plus ``values``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(INHERITED_PREFIXES)}
    environ.update(values)
    return environ


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
