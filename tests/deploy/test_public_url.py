"""MADOGUCHI_PUBLIC_URL (issue #12): every PDF, e-mail and widget snippet takes the portal's address
from it; development defaults to the address `make run` serves, production refuses to deploy
without an https one."""

from __future__ import annotations

import subprocess

import pytest
from tests.deploy.tools import REPO_DIR, VENV_BIN, clean_environ

from madoguchi.conf import checks

PRINT_URLS = "from django.conf import settings; print(settings.MADOGUCHI_PUBLIC_URL, settings.MADOGUCHI_STAFF_URL)"


def _settings_in(environ: dict[str, str]) -> str:
    done = subprocess.run(
        [str(VENV_BIN / "madoguchi"), "shell", "-c", PRINT_URLS],
        cwd=REPO_DIR,
        env=clean_environ(**environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]  # after shell's "objects imported" line


def test_development_points_at_the_port_make_run_serves(tmp_path):
    urls = _settings_in({"PORT": "8123", "MADOGUCHI_VAR_DIR": str(tmp_path)})

    assert urls == "http://127.0.0.1:8123 http://127.0.0.1:8123"


def test_development_takes_a_given_public_url(tmp_path):
    urls = _settings_in(
        {"PORT": "8123", "MADOGUCHI_VAR_DIR": str(tmp_path), "MADOGUCHI_PUBLIC_URL": "https://demo.example.jp/"}
    )

    assert urls == "https://demo.example.jp https://demo.example.jp"


def test_the_makefile_passes_its_port_to_every_process_of_make_run():
    makefile = (REPO_DIR / "Makefile").read_text(encoding="utf-8")

    assert "run: export PORT := $(PORT)" in makefile


@pytest.mark.parametrize("url", ["", "http://madoguchi.city.example.lg.jp", "madoguchi.city.example.lg.jp"])
def test_deploying_without_an_https_public_url_is_an_error(settings, url):
    settings.MADOGUCHI_PUBLIC_URL = url

    [error] = checks.check_public_url(None)

    assert error.id == "madoguchi.E001" and error.is_serious()
    assert "MADOGUCHI_PUBLIC_URL" in error.msg


def test_an_https_public_url_passes(settings):
    settings.MADOGUCHI_PUBLIC_URL = "https://madoguchi.city.example.lg.jp"

    assert checks.check_public_url(None) == []


def test_check_deploy_fails_with_production_settings_and_no_public_url(tmp_path):
    environ = clean_environ(
        DJANGO_SETTINGS_MODULE="madoguchi.conf.settings.production",
        MADOGUCHI_SECRET_KEY="deploy-test-" + "k" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'madoguchi.sqlite3'}",
        MADOGUCHI_VAR_DIR=str(tmp_path),
    )
    done = subprocess.run(
        [str(VENV_BIN / "madoguchi"), "check", "--deploy", "--fail-level", "ERROR"],
        cwd=REPO_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode != 0
    assert "madoguchi.E001" in done.stderr
