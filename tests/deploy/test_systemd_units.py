"""The systemd units: every role, the hardening of a municipal host, and systemd's own verification."""

from __future__ import annotations

import configparser
import shutil
import subprocess

import pytest
from tests.deploy.tools import REPO_DIR, VENV_BIN, require

UNITS_DIR = REPO_DIR / "deploy" / "systemd"
INSTALLED_BIN = "/opt/madoguchi/venv/bin"  # where deployment.md installs the virtual environment
SERVICES = [
    "madoguchi-web@8001.service",
    "madoguchi-worker-default.service",
    "madoguchi-worker-documents.service",
    "madoguchi-scheduler.service",
    "madoguchi-setup.service",
]


def read_unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read_string((UNITS_DIR / name).read_text(encoding="utf-8"))
    return parser


@pytest.fixture
def rendered_units(tmp_path):
    """The unit files with ExecStart pointing at this test's virtual environment, which exists."""
    target = tmp_path / "units"
    shutil.copytree(UNITS_DIR, target)
    for path in target.rglob("*"):
        if path.is_file():
            path.write_text(path.read_text(encoding="utf-8").replace(INSTALLED_BIN, str(VENV_BIN)), encoding="utf-8")
    return target


def test_systemd_analyze_verifies_every_unit_without_a_complaint(rendered_units):
    systemd_analyze = require("systemd-analyze", "systemd")
    units = [str(rendered_units / name) for name in [*SERVICES, "madoguchi.target"]]

    result = subprocess.run(
        [systemd_analyze, "verify", "--man=no", *units], capture_output=True, text=True, timeout=60, check=False
    )

    # verify exits 0 on unknown keys and bad values and only says so: any output is a failure.
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr
    assert result.stdout.strip() == "", result.stdout


def test_systemd_analyze_would_catch_a_mistyped_hardening_option(rendered_units):
    """The verification above can fail: a typo in the shared drop-in is reported."""
    systemd_analyze = require("systemd-analyze", "systemd")
    drop_in = rendered_units / "madoguchi-.service.d" / "10-common.conf"
    drop_in.write_text(drop_in.read_text().replace("ProtectSystem=strict", "ProtectSystem=stricter"))

    result = subprocess.run(
        [systemd_analyze, "verify", "--man=no", str(rendered_units / "madoguchi-worker-default.service")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert "stricter" in result.stderr


def test_every_role_has_a_unit_in_the_target():
    for name in SERVICES:
        unit = read_unit(name.replace("@8001", "@"))
        assert unit["Install"]["WantedBy"] == "madoguchi.target", name
        assert unit["Service"]["ExecStart"].startswith(INSTALLED_BIN), name
    assert "--queue-name default" in read_unit("madoguchi-worker-default.service")["Service"]["ExecStart"]
    assert "--queue-name documents" in read_unit("madoguchi-worker-documents.service")["Service"]["ExecStart"]
    assert "--bind 127.0.0.1:%i" in read_unit("madoguchi-web@.service")["Service"]["ExecStart"]


def test_every_service_runs_hardened_as_the_app_account_with_production_settings():
    common = (UNITS_DIR / "madoguchi-.service.d" / "10-common.conf").read_text(encoding="utf-8")
    for line in [
        "User=madoguchi",
        "EnvironmentFile=/etc/madoguchi/env",
        "Environment=DJANGO_SETTINGS_MODULE=madoguchi.conf.settings.production MADOGUCHI_ENV=production",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/madoguchi",
        "PrivateTmp=yes",
        "ProtectHome=yes",
        "CapabilityBoundingSet=",
    ]:
        assert f"\n{line}\n" in common, line
