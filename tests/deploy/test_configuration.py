"""The production configuration: env files, rendered nginx and supervisord files, the body limit."""

from __future__ import annotations

import re
import subprocess

import pytest
from tests.deploy.tools import REPO_DIR, VENV_BIN, clean_environ, require

from deploy import config, production
from madoguchi.api.requests import MAX_FILES_PER_REQUEST, max_request_bytes

ENV_EXAMPLE = REPO_DIR / "deploy" / "env.example"
VARIABLE_RE = re.compile(r"^#?([A-Z][A-Z0-9_]+)=", re.MULTILINE)


def example_instance(tmp_path, **values: str) -> config.Instance:
    environ = clean_environ(
        MADOGUCHI_BASE_DIR=str(tmp_path), MADOGUCHI_ENV_FILE=str(ENV_EXAMPLE), MADOGUCHI_WEB_PORTS="8001,8002", **values
    )
    return config.instance_from(environ, bin_dir=VENV_BIN)


def test_env_file_syntax_is_systemds_common_subset():
    text = "# comment\n\nA=1\nB = two words \nC=\"quoted # not a comment\"\nD='single'\nE=\n"

    assert config.parse_env_file(text) == {"A": "1", "B": "two words", "C": "quoted # not a comment", "D": "single", "E": ""}
    with pytest.raises(config.ConfigError, match="line 1"):
        config.parse_env_file("export A=1")


def test_the_calling_environment_wins_over_the_env_file_and_production_is_forced(tmp_path):
    env_file = tmp_path / "env"
    env_file.write_text("MADOGUCHI_HTTPS_PORT=9443\nDJANGO_SETTINGS_MODULE=madoguchi.conf.settings.dev\n")

    env = config.load_environment({"MADOGUCHI_HTTPS_PORT": "18443"}, env_file)

    assert env["MADOGUCHI_HTTPS_PORT"] == "18443"
    assert env["DJANGO_SETTINGS_MODULE"] == "madoguchi.conf.settings.production"
    assert env["MADOGUCHI_ENV"] == "production"


def test_a_first_env_file_gets_a_random_secret_key_readable_by_its_owner_only(tmp_path):
    config.env_file_create(tmp_path / "a" / "env")
    config.env_file_create(tmp_path / "b" / "env")

    first = config.parse_env_file((tmp_path / "a" / "env").read_text())
    second = config.parse_env_file((tmp_path / "b" / "env").read_text())
    assert len(first["MADOGUCHI_SECRET_KEY"]) >= 50
    assert first["MADOGUCHI_SECRET_KEY"] != second["MADOGUCHI_SECRET_KEY"]
    assert (tmp_path / "a" / "env").stat().st_mode & 0o077 == 0


def test_render_refuses_a_placeholder_without_a_value():
    with pytest.raises(config.ConfigError, match="server_name"):
        config.render("listen {{ port }}; server_name {{ server_name }};", {"port": 1})


@pytest.mark.parametrize("max_upload_mb", ["1", "10", "25.5"])
def test_nginx_body_limit_is_at_least_what_the_app_accepts(settings, max_upload_mb):
    settings.MADOGUCHI_MAX_UPLOAD_BYTES = int(float(max_upload_mb) * 1024 * 1024)

    assert config.client_max_body_mb(float(max_upload_mb)) * 1024 * 1024 >= max_request_bytes()
    assert config.APP_MAX_FILES_PER_REQUEST == MAX_FILES_PER_REQUEST
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == config.APP_FORM_BYTES


def test_the_env_example_documents_only_variables_the_code_reads():
    sources = "\n".join(
        path.read_text(encoding="utf-8")
        for path in [*(REPO_DIR / "src").rglob("*.py"), *(REPO_DIR / "deploy").glob("*.py")]
    )
    names = set(VARIABLE_RE.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))

    assert names, "no variables found"
    assert sorted(name for name in names if f'"{name}"' not in sources) == []


def documented(name: str, text: str) -> bool:
    """`NAME` in the text, or a row's shorthand for a family of names (`MADOGUCHI_EMAIL_HOST` / `_PORT`)."""
    if f"`{name}`" in text:
        return True
    cuts = [i for i, char in enumerate(name) if char == "_"]
    return any(f"`{name[:i]}_" in text and f"`{name[i:]}`" in text for i in cuts)


def test_every_variable_of_the_env_example_is_in_the_readme_configuration_table():
    readme = (REPO_DIR / "README.md").read_text(encoding="utf-8")
    names = set(VARIABLE_RE.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))

    assert sorted(name for name in names if not documented(name, readme)) == []


def test_the_rendered_nginx_site_passes_nginx_t_for_a_debian_host(tmp_path):
    """`render nginx-site` for a host's own nginx, from the env example, checked by nginx itself."""
    nginx = require(config.DEFAULTS["MADOGUCHI_NGINX"], "nginx")
    from deploy.tls import certificate_ensure

    certificate_ensure(tmp_path / "tls", ["madoguchi.city.example.lg.jp"])
    instance = example_instance(
        tmp_path,
        MADOGUCHI_TLS_CERT=str(tmp_path / "tls" / "server.pem"),
        MADOGUCHI_TLS_KEY=str(tmp_path / "tls" / "server.key"),
        MADOGUCHI_HTTP_PORT="8080",
        MADOGUCHI_NGINX_ACCESS_LOG=str(tmp_path / "access.log"),
    )
    prefix = instance.nginx_prefix
    (prefix / "temp").mkdir(parents=True)
    site = prefix / "madoguchi-site.conf"
    site.write_text(production.render(instance, "nginx-site"))
    (prefix / "nginx.conf").write_text(production.render(instance, "nginx"))

    result = subprocess.run(
        [nginx, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "stderr"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    text = site.read_text()
    assert "server 127.0.0.1:8001" in text and "server 127.0.0.1:8002" in text
    assert "client_max_body_size 52m;" in text
    assert "return 301 https://$host:8443$request_uri;" in text
    assert "server_name madoguchi.city.example.lg.jp;" in text


def test_the_supervisord_file_has_one_program_per_role_and_the_scheduler_only_when_enabled(tmp_path):
    instance = example_instance(tmp_path)

    without = production.supervisord_conf(instance, scheduler=False)
    with_scheduler = production.supervisord_conf(instance, scheduler=True)

    programs = re.findall(r"^\[program:([a-z0-9-]+)\]", without, re.MULTILINE)
    assert programs == ["web-1", "web-2", "worker-default", "worker-documents", "nginx"]
    assert "--bind 127.0.0.1:8001" in without and "--bind 127.0.0.1:8002" in without
    assert "[program:scheduler]" in with_scheduler
    assert f"command = {VENV_BIN}/madoguchi scheduler" in with_scheduler
