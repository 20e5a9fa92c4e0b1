"""The production instance's configuration: the env file, the values derived from it, the rendered files.

Everything comes from the environment, as in the settings. ``make production`` reads an env
file (``var/production/env`` unless ``MADOGUCHI_ENV_FILE`` names another; made once with a
random secret key when missing); a variable set in the calling environment wins over the file,
and the file wins over the defaults below. The same file format is systemd's
``EnvironmentFile=``: ``NAME=value`` lines, ``#`` comments, values optionally in quotes.

The templates in ``deploy/`` have ``{{ name }}`` placeholders; :func:`render` refuses a template
that names a value it was not given, so a typo never reaches nginx or supervisord as text.

Standard library only: the nginx site can be rendered on any machine with the source.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEPLOY_DIR = Path(__file__).resolve().parent
REPO_DIR = DEPLOY_DIR.parent
PRODUCTION_SETTINGS = "madoguchi.conf.settings.production"

# Defaults for a production-shaped instance on one machine; deploy/env.example explains each.
DEFAULTS = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/madoguchi_production",
    "MADOGUCHI_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "MADOGUCHI_LISTEN_ADDRESS": "127.0.0.1",
    "MADOGUCHI_HTTPS_PORT": "8443",
    "MADOGUCHI_HTTP_PORT": "",
    "MADOGUCHI_WEB_PORTS": "8001,8002",
    "MADOGUCHI_BEHIND_TLS_PROXY": "true",
    "MADOGUCHI_CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
    "MADOGUCHI_SSL_REDIRECT": "true",
    "MADOGUCHI_MAX_UPLOAD_MB": "10",
    "MADOGUCHI_SCHEDULER": "auto",
    "MADOGUCHI_PRODUCTION_DEMO": "false",
    "MADOGUCHI_NGINX": "/usr/sbin/nginx",
    "MADOGUCHI_NGINX_WORKERS": "auto",
}
# Always so for this instance, whatever the environment says.
FORCED = {"DJANGO_SETTINGS_MODULE": PRODUCTION_SETTINGS, "MADOGUCHI_ENV": "production"}

# The app accepts at most this many files in one request (madoguchi.api.requests.MAX_FILES_PER_REQUEST)
# and this much besides them (DATA_UPLOAD_MAX_MEMORY_SIZE); tests/deploy checks nginx's limit
# stays at least the app's, so a resident gets the app's translated refusal, not nginx's page.
APP_MAX_FILES_PER_REQUEST = 20
APP_FORM_BYTES = 2 * 1024 * 1024

_LINE_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
_PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_TRUE = {"1", "true", "yes", "on"}


class ConfigError(Exception):
    """A configuration the instance cannot start with; the message says what to change."""


def parse_env_file(text: str) -> dict[str, str]:
    """Return the variables of an env file (systemd EnvironmentFile syntax, the common subset)."""
    values = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith(("#", ";")):
            continue
        match = _LINE_RE.match(line)
        if match is None:
            raise ConfigError(f"env file line {number}: expected NAME=value, got {line.strip()[:60]!r}")
        name, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def env_file_create(path: Path) -> None:
    """Write a first env file for a local instance: a random secret key, the database, a pointer to the docs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (
        "# Production-shaped instance on this machine, made once by `make production`; edit freely.\n"
        "# Every variable is explained in deploy/env.example; a variable set in the calling\n"
        "# environment wins over this file.\n"
        f"MADOGUCHI_SECRET_KEY={secrets.token_urlsafe(50)}\n"
        f"DATABASE_URL={DEFAULTS['DATABASE_URL']}\n"
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def load_environment(environ: Mapping[str, str], env_file: Path) -> dict[str, str]:
    """Return the environment of every process: defaults < env file < calling environment < forced."""
    merged = dict(DEFAULTS)
    if env_file.is_file():
        merged.update(parse_env_file(env_file.read_text(encoding="utf-8")))
    merged.update(environ)
    merged.update(FORCED)
    return merged


def render(template: str, values: Mapping[str, object]) -> str:
    """Replace every ``{{ name }}`` in ``template``; refuse a name without a value."""
    missing = sorted({name for name in _PLACEHOLDER_RE.findall(template) if name not in values})
    if missing:
        raise ConfigError(f"template needs values for: {', '.join(missing)}")
    return _PLACEHOLDER_RE.sub(lambda match: str(values[match.group(1)]), template)


def _port(value: str, name: str) -> int:
    if not value.strip().isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"{name} must be a TCP port number, got {value!r}")
    return int(value)


def client_max_body_mb(max_upload_mb: float) -> int:
    """nginx's request-body limit in MB: the largest body the app itself accepts, rounded up."""
    app_bytes = max_upload_mb * 1024 * 1024 * APP_MAX_FILES_PER_REQUEST / 4 + APP_FORM_BYTES
    return math.ceil(app_bytes / (1024 * 1024))


@dataclass(frozen=True)
class Instance:
    """Where the instance lives and what it listens on, all derived from its environment."""

    env: dict[str, str]
    state_dir: Path  # var/production: env file, TLS files, nginx prefix, logs, supervisor socket
    bin_dir: Path  # the virtual environment's bin/ with madoguchi, gunicorn, supervisord

    @property
    def var_dir(self) -> Path:
        return Path(self.env["MADOGUCHI_VAR_DIR"])

    @property
    def static_root(self) -> Path:
        return Path(self.env.get("MADOGUCHI_STATIC_ROOT") or self.var_dir / "static")

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "log"

    @property
    def nginx_prefix(self) -> Path:
        return self.state_dir / "nginx"

    @property
    def tls_dir(self) -> Path:
        return self.state_dir / "tls"

    @property
    def supervisord_conf(self) -> Path:
        return self.state_dir / "supervisord.conf"

    @property
    def listen_address(self) -> str:
        return self.env["MADOGUCHI_LISTEN_ADDRESS"]

    @property
    def https_port(self) -> int:
        return _port(self.env["MADOGUCHI_HTTPS_PORT"], "MADOGUCHI_HTTPS_PORT")

    @property
    def http_port(self) -> int | None:
        value = self.env.get("MADOGUCHI_HTTP_PORT", "").strip()
        return _port(value, "MADOGUCHI_HTTP_PORT") if value else None

    @property
    def web_ports(self) -> list[int]:
        ports = [_port(p, "MADOGUCHI_WEB_PORTS") for p in self.env["MADOGUCHI_WEB_PORTS"].split(",") if p.strip()]
        if not ports or len(set(ports)) != len(ports):
            raise ConfigError("MADOGUCHI_WEB_PORTS must list one or more different ports, e.g. 8001,8002")
        return ports

    @property
    def host_names(self) -> list[str]:
        return [h.strip() for h in self.env["MADOGUCHI_ALLOWED_HOSTS"].split(",") if h.strip() and h.strip() != "*"]

    @property
    def tls_certificate(self) -> Path:
        return Path(self.env.get("MADOGUCHI_TLS_CERT") or self.tls_dir / "server.pem")

    @property
    def tls_key(self) -> Path:
        return Path(self.env.get("MADOGUCHI_TLS_KEY") or self.tls_dir / "server.key")

    @property
    def tls_generated(self) -> bool:
        """Whether the certificate is this instance's own (made at start), not the operator's."""
        return not self.env.get("MADOGUCHI_TLS_CERT")

    @property
    def demo(self) -> bool:
        return self.env.get("MADOGUCHI_PRODUCTION_DEMO", "").strip().lower() in _TRUE

    @property
    def base_url(self) -> str:
        host = self.host_names[0] if self.host_names else "127.0.0.1"
        return f"https://{host}" + ("" if self.https_port == 443 else f":{self.https_port}")

    def program(self, name: str) -> Path:
        return self.bin_dir / name

    def nginx_site_values(self) -> dict[str, object]:
        servers = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in self.web_ports)
        redirect = ""
        if self.http_port is not None:
            redirect = render(
                (DEPLOY_DIR / "nginx" / "http-redirect.conf.template").read_text(encoding="utf-8"),
                {"listen_address": self.listen_address, "http_port": self.http_port, "https_port": self.https_port},
            )
        return {
            "upstream_servers": servers,
            "listen_address": self.listen_address,
            "https_port": self.https_port,
            "server_names": " ".join(self.host_names) or "_",
            "tls_certificate": self.tls_certificate,
            "tls_key": self.tls_key,
            "client_max_body_size": f"{client_max_body_mb(float(self.env['MADOGUCHI_MAX_UPLOAD_MB']))}m",
            "static_root": self.static_root,
            "http_redirect": redirect,
        }


def _base_and_state(environ: Mapping[str, str]) -> tuple[Path, Path]:
    base = Path(environ.get("MADOGUCHI_BASE_DIR") or REPO_DIR).resolve()
    return base, (base / (environ.get("MADOGUCHI_PRODUCTION_DIR") or "var/production")).resolve()


def env_file_path(environ: Mapping[str, str]) -> Path:
    """The env file: MADOGUCHI_ENV_FILE, else ``env`` in the state directory (var/production)."""
    base, state = _base_and_state(environ)
    return base / environ.get("MADOGUCHI_ENV_FILE", str(state / "env"))


def instance_from(environ: Mapping[str, str], *, bin_dir: Path | None = None) -> Instance:
    """Return the instance configured by ``environ`` and its env file, with relative paths made absolute."""
    base, state = _base_and_state(environ)
    env = load_environment(environ, env_file_path(environ))
    env["MADOGUCHI_BASE_DIR"] = str(base)
    env.setdefault("MADOGUCHI_VAR_DIR", str(state))
    for name in ("MADOGUCHI_VAR_DIR", "MADOGUCHI_STATIC_ROOT", "MADOGUCHI_MEDIA_ROOT", "MADOGUCHI_TLS_CERT",
                 "MADOGUCHI_TLS_KEY", "MADOGUCHI_SIGNATURES_FILE"):  # fmt: skip
        if env.get(name):
            env[name] = str((base / env[name]).resolve())
    instance = Instance(env=env, state_dir=state, bin_dir=bin_dir or Path(sys.executable).parent)
    demo_signatures = instance.var_dir / "demo-pki" / "signatures.yaml"
    # A demo instance keeps signing with its demo keys after `make production-demo`.
    if not env.get("MADOGUCHI_SIGNATURES_FILE") and (instance.demo or demo_signatures.is_file()):
        env["MADOGUCHI_SIGNATURES_FILE"] = str(demo_signatures)
    env.setdefault("MADOGUCHI_PUBLIC_URL", instance.base_url)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return instance


def nginx_binary(instance: Instance) -> Path:
    path = Path(instance.env["MADOGUCHI_NGINX"])
    if not path.is_file():
        found = shutil.which("nginx")
        if found is None:
            raise ConfigError(f"nginx not found at {path} (Debian: apt-get install nginx-light or nginx)")
        path = Path(found)
    return path
