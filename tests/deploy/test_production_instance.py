"""A production-shaped instance under supervisord: real nginx, two gunicorn app processes, both job workers.

Started by the same code as ``make production`` (deploy/production.py) on free ports, on SQLite
in a temporary directory, then asked real HTTPS requests through nginx (deploy/smoke.py, the
check of ``make production-check``) and stopped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
from tests.deploy.tools import REPO_DIR, VENV_BIN, clean_environ, free_port, require

from deploy import config, production
from deploy.smoke import smoke_check


@pytest.fixture(scope="module")
def instance():
    require(config.DEFAULTS["MADOGUCHI_NGINX"], "nginx")
    # Not under pytest's private tmp directory: nginx's workers (nobody, when run as root) read static files.
    state = Path(tempfile.mkdtemp(prefix="madoguchi-deploy-"))
    state.chmod(0o755)
    env_file = state / "env"
    env_file.write_text(f"MADOGUCHI_SECRET_KEY=deploy-test-{'k' * 50}\nDATABASE_URL=sqlite:///{state / 'db.sqlite3'}\n")
    environ = clean_environ(
        MADOGUCHI_BASE_DIR=str(REPO_DIR),
        MADOGUCHI_PRODUCTION_DIR=str(state),
        MADOGUCHI_ENV_FILE=str(env_file),
        MADOGUCHI_HTTPS_PORT=str(free_port()),
        MADOGUCHI_WEB_PORTS=f"{free_port()},{free_port()}",
        MADOGUCHI_WEB_WORKERS="1",
        MADOGUCHI_NGINX_WORKERS="1",
        MADOGUCHI_SCHEDULER="true",
    )
    instance = config.instance_from(environ, bin_dir=VENV_BIN)
    try:
        production.start(instance)
        yield instance
    finally:
        with contextlib.suppress(Exception):
            production.stop(instance)
        pid = production.supervisord_pid(instance)
        if pid is not None:  # never leave our processes behind: TERM makes supervisord stop its programs
            os.kill(pid, signal.SIGTERM)
        else:
            shutil.rmtree(state, ignore_errors=True)


def test_every_role_runs_under_supervisord(instance):
    states = production.program_states(instance)

    roles = ["nginx", "web-1", "web-2", "worker-default", "worker-documents", "scheduler"]
    assert states == dict.fromkeys(roles, "RUNNING")


def test_requests_through_nginx_reach_the_app_with_the_proxy_headers(instance):
    assert smoke_check(instance, report=lambda line: None) == []


def test_every_program_logs_to_its_own_file(instance):
    names = {path.stem for path in instance.log_dir.glob("*.log")}

    assert {"nginx", "web-1", "web-2", "worker-default", "worker-documents", "scheduler", "supervisord"} <= names
    assert "queues=documents" in (instance.log_dir / "worker-documents.log").read_text()
