"""The ``madoguchi`` command never runs as development where production is meant (issue: Run it in production)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tests.deploy.tools import VENV_BIN, clean_environ

from madoguchi.conf.environment import dev_settings_refusal

SHOW_DEBUG = ["shell", "-c", "from django.conf import settings; print('DEBUG', settings.DEBUG)"]


def run_madoguchi(tmp_path, *args: str, **environ: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV_BIN / "madoguchi"), *args],
        env=clean_environ(MADOGUCHI_BASE_DIR=str(tmp_path), **environ),
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_madoguchi_refuses_dev_settings_when_the_environment_says_production(tmp_path):
    result = run_madoguchi(tmp_path, *SHOW_DEBUG, MADOGUCHI_ENV="production")

    assert result.returncode == 2
    assert "MADOGUCHI_ENV=production is set" in result.stderr
    assert "DJANGO_SETTINGS_MODULE=madoguchi.conf.settings.production" in result.stderr
    assert "DEBUG" not in result.stdout
    assert "Traceback" not in result.stderr


def test_madoguchi_refuses_dev_settings_on_a_postgresql_database(tmp_path):
    result = run_madoguchi(tmp_path, *SHOW_DEBUG, DATABASE_URL="postgres://madoguchi@db.example.lg.jp/madoguchi")

    assert result.returncode == 2
    assert "DATABASE_URL names a postgres database, not the local SQLite file" in result.stderr
    assert "DJANGO_SETTINGS_MODULE=madoguchi.conf.settings.production" in result.stderr


def test_madoguchi_runs_as_development_on_the_local_sqlite_file(tmp_path):
    result = run_madoguchi(tmp_path, *SHOW_DEBUG)

    assert result.returncode == 0, result.stderr
    assert "DEBUG True" in result.stdout


def test_a_developer_may_choose_postgresql_with_the_dev_settings_explicitly(tmp_path):
    result = run_madoguchi(
        tmp_path, *SHOW_DEBUG, DATABASE_URL="postgres://postgres@127.0.0.1/madoguchi_dev", MADOGUCHI_ENV="development"
    )

    assert result.returncode == 0, result.stderr
    assert "DEBUG True" in result.stdout


def test_madoguchi_runs_with_the_production_settings_when_told(tmp_path):
    result = run_madoguchi(
        tmp_path, *SHOW_DEBUG, MADOGUCHI_ENV="production", MADOGUCHI_SECRET_KEY="k" * 50,
        DJANGO_SETTINGS_MODULE="madoguchi.conf.settings.production",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


def test_the_dev_settings_refuse_to_load_through_other_entry_points(tmp_path):
    """A WSGI server or script importing the dev settings gets the same refusal."""
    result = subprocess.run(
        [sys.executable, "-c", "import madoguchi.conf.settings.dev"],
        env=clean_environ(MADOGUCHI_ENV="production", MADOGUCHI_BASE_DIR=str(tmp_path)),
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Refusing to run with the development settings" in result.stderr


@pytest.mark.parametrize(
    ("environ", "refused"),
    [
        ({}, False),
        ({"DATABASE_URL": "sqlite:///var/madoguchi.sqlite3"}, False),
        ({"DATABASE_URL": "postgresql://u@h/d"}, True),
        ({"DATABASE_URL": "mysql://u@h/d"}, True),
        ({"MADOGUCHI_ENV": "Production"}, True),
        ({"MADOGUCHI_ENV": "production", "DATABASE_URL": "sqlite:///x"}, True),
        ({"MADOGUCHI_ENV": "development", "DATABASE_URL": "postgres://u@h/d"}, False),
    ],
)
def test_dev_settings_refusal_by_environment(environ, refused):
    assert (dev_settings_refusal(environ) is not None) is refused
