"""Run a production-shaped Madoguchi on this machine under supervisord: ``python -m deploy.production``.

    start [--demo]   set up (idempotent) and start every role; a running instance is restarted
    stop             stop every role and supervisord
    status           the process table
    check            start, make real requests through nginx (and take one app process away), stop
    render NAME      print a rendered file: nginx-site (for a host's own nginx), nginx, supervisord

The roles, one supervisord program each: nginx (TLS, static files, body limit, client address),
two or more gunicorn app processes on their own ports behind nginx's upstream, one job worker per
queue (``default``: the assistant's embeddings; ``documents``: signed decision PDFs) and the
scheduler when ``madoguchi scheduler`` exists (MADOGUCHI_SCHEDULER=auto|true|false). Setup on
every start: create the PostgreSQL database if missing, migrate, createcachetable,
collectstatic, compilemessages when a catalogue changed, ``madoguchi demo`` only when asked
(``--demo`` or MADOGUCHI_PRODUCTION_DEMO=true: its staff have public passwords), and
``madoguchi check --deploy``. Configuration: deploy/config.py and deploy/env.example.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from deploy import config
from deploy.config import ConfigError, Instance
from deploy.probes import app_answers, https_request

READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 150.0
COMMAND_TIMEOUT_S = 900.0  # `madoguchi demo` embeds the FAQ questions: minutes on a small machine


def log(message: str) -> None:
    print(f"[production] {message}", flush=True)


# --------------------------------------------------------------------------- setup


def madoguchi(instance: Instance, *args: str, check: bool = True, quiet: bool = False) -> subprocess.CompletedProcess:
    command = [str(instance.program("madoguchi")), *args]
    return subprocess.run(  # noqa: S603 (our own command line)
        command,
        env=instance.env,
        cwd=instance.state_dir,
        check=check,
        timeout=COMMAND_TIMEOUT_S,
        capture_output=quiet,
        text=True,
    )


def database_ensure(instance: Instance) -> None:
    """Create the PostgreSQL database named by DATABASE_URL when it does not exist yet."""
    url = urlsplit(instance.env["DATABASE_URL"])
    if not url.scheme.startswith("postgres"):
        return
    import psycopg
    from psycopg import sql

    name = url.path.lstrip("/")
    maintenance = url._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as connection:
            if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                log(f"created database {name}")
    except psycopg.Error as exc:
        raise ConfigError(f"cannot reach or create the database {name!r} at {url.hostname}: {exc}") from exc


def messages_outdated(package_dir: Path) -> bool:
    for po in package_dir.rglob("locale/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.is_file() or mo.stat().st_mtime < po.stat().st_mtime:
            return True
    return False


def scheduler_enabled(instance: Instance) -> bool:
    choice = instance.env.get("MADOGUCHI_SCHEDULER", "auto").strip().lower()
    if choice in {"0", "false", "no", "off"}:
        return False
    exists = madoguchi(instance, "help", "scheduler", check=False, quiet=True).returncode == 0
    if choice == "auto":
        return exists
    if not exists:
        raise ConfigError("MADOGUCHI_SCHEDULER is on but this version has no `madoguchi scheduler` command")
    return True


def setup(instance: Instance) -> None:
    """Bring the database, static files and translations up to date (each step does nothing when current)."""
    database_ensure(instance)
    madoguchi(instance, "migrate", "--noinput", "--verbosity", "0")
    madoguchi(instance, "createcachetable")
    madoguchi(instance, "collectstatic", "--noinput", "--verbosity", "0")
    package = importlib.util.find_spec("madoguchi")
    package_dir = Path(next(iter(package.submodule_search_locations)))
    if messages_outdated(package_dir):
        log("compiling message catalogues")
        subprocess.run(  # noqa: S603
            [str(instance.program("madoguchi")), "compilemessages", "--verbosity", "0"],
            env=instance.env, cwd=package_dir, check=True, timeout=COMMAND_TIMEOUT_S,
        )  # fmt: skip
    if instance.demo:
        log("loading the demo municipalities: their staff have PUBLIC passwords, never expose this instance")
        madoguchi(instance, "demo")
    madoguchi(instance, "check", "--deploy", "--fail-level", "ERROR")


def metrics_dir(instance: Instance, number: int) -> Path:
    """Prometheus' multi-process directory of app process ``number`` (each gunicorn empties its own)."""
    return instance.state_dir / "metrics" / f"web-{number}"


def _world_searchable(directory: Path) -> bool:
    """Whether an account with no special rights can reach files in ``directory``."""
    return all(path.stat().st_mode & 0o001 for path in [directory, *directory.parents])


def render_files(instance: Instance, *, scheduler: bool) -> None:
    """Write the nginx and supervisord configuration of ``instance`` into its state directory."""
    templates = config.DEPLOY_DIR
    # Each app process's Prometheus directory must exist before it loads the app (preload).
    metrics = [metrics_dir(instance, number) for number, _ in enumerate(instance.web_ports, start=1)]
    for directory in (instance.log_dir, instance.nginx_prefix / "temp", instance.static_root, *metrics):
        directory.mkdir(parents=True, exist_ok=True)
    if instance.tls_generated:
        from deploy.tls import certificate_ensure

        if certificate_ensure(instance.tls_dir, instance.host_names):
            log(f"made a TLS certificate for {', '.join(instance.host_names)} (trust {instance.tls_dir / 'ca.pem'})")
    if os.geteuid() == 0 and not _world_searchable(instance.static_root):
        log(f"warning: nginx's workers (nobody) cannot reach {instance.static_root}: static files will answer 403")
    site_values = {**instance.nginx_site_values(), "access_log": "/dev/stdout"}
    site = config.render((templates / "nginx" / "madoguchi-site.conf.template").read_text(), site_values)
    (instance.nginx_prefix / "madoguchi-site.conf").write_text(site)
    main = config.render(
        (templates / "nginx" / "nginx.conf.template").read_text(),
        {"nginx_prefix": instance.nginx_prefix, "nginx_workers": instance.env["MADOGUCHI_NGINX_WORKERS"]},
    )
    (instance.nginx_prefix / "nginx.conf").write_text(main)
    (instance.supervisord_conf).write_text(supervisord_conf(instance, scheduler=scheduler))


def supervisord_conf(instance: Instance, *, scheduler: bool) -> str:
    templates = config.DEPLOY_DIR
    common = {"bin_dir": instance.bin_dir, "log_dir": instance.log_dir}
    web = (templates / "supervisord-web.conf.template").read_text()
    programs = "".join(
        config.render(web, {**common, "number": number, "port": port, "metrics_dir": metrics_dir(instance, number)})
        for number, port in enumerate(instance.web_ports, start=1)
    )
    scheduler_program = (
        config.render((templates / "supervisord-scheduler.conf.template").read_text(), common) if scheduler else ""
    )
    return config.render(
        (templates / "supervisord.conf.template").read_text(),
        {
            **common,
            "state_dir": instance.state_dir,
            "nginx": config.nginx_binary(instance),
            "nginx_prefix": instance.nginx_prefix,
            "web_programs": programs,
            "scheduler_program": scheduler_program,
        },
    )


# --------------------------------------------------------------------------- supervisord


def supervisord_pid(instance: Instance) -> int | None:
    """The pid of this instance's running supervisord, or None.

    A pid file outlives a crash, and its number may since belong to another process: only a
    supervisord started with this instance's configuration counts.
    """
    pidfile = instance.state_dir / "supervisord.pid"
    with contextlib.suppress(OSError, ValueError):
        pid = int(pidfile.read_text().strip())
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if any(b"supervisord" in a for a in arguments) and str(instance.supervisord_conf).encode() in arguments:
            return pid
    return None


def supervisorctl(instance: Instance, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [str(instance.program("supervisorctl")), "-c", str(instance.supervisord_conf), *args],
        env=instance.env, capture_output=True, text=True, timeout=STOP_TIMEOUT_S, check=False,
    )  # fmt: skip


def program_states(instance: Instance) -> dict[str, str]:
    """Program name -> supervisor state (RUNNING, STARTING, BACKOFF, FATAL, STOPPED ...)."""
    states = {}
    for line in supervisorctl(instance, "status").stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            states[parts[0]] = parts[1]
    return states


def wait_ready(instance: Instance) -> None:
    """Wait until every program runs, every app process answers, and so does nginx; fail on a program given up.

    supervisord calls a program RUNNING once it has lived a few seconds; an app process listens
    only after loading the app. Each is asked directly first: a request through nginx before
    then would make nginx count the app process as failed and answer 502 for a while.
    """
    deadline = time.monotonic() + READY_TIMEOUT_S
    last = ""
    while time.monotonic() < deadline:
        states = program_states(instance)
        failed = [name for name, state in states.items() if state == "FATAL"]
        if failed:
            raise ConfigError(f"{', '.join(failed)} did not start; see {instance.log_dir}/<program>.log")
        if states and all(state == "RUNNING" for state in states.values()):
            waiting = [port for port in instance.web_ports if not app_answers(instance, port)]
            last = f"app processes on {waiting} not answering yet" if waiting else last
            if not waiting:
                with contextlib.suppress(OSError, http.client.HTTPException):
                    status, _, _ = https_request(instance, "/")
                    if status == 200:
                        return
                    last = f"GET / through nginx answered {status}"
        time.sleep(0.5)
    raise ConfigError(f"the instance did not become ready within {READY_TIMEOUT_S:.0f} s ({last})")


def start(instance: Instance) -> None:
    if supervisord_pid(instance) is not None:
        log("an instance is running: restarting it with the current code and configuration")
        stop(instance)
    instance.state_dir.mkdir(parents=True, exist_ok=True)
    scheduler = scheduler_enabled(instance)
    render_files(instance, scheduler=scheduler)
    setup(instance)
    subprocess.run(  # noqa: S603 (daemonises, writes its pid file)
        [str(instance.program("supervisord")), "-c", str(instance.supervisord_conf)],
        env=instance.env, cwd=instance.state_dir, check=True, timeout=60,
    )  # fmt: skip
    wait_ready(instance)
    if not scheduler:
        log("scheduler: not started (MADOGUCHI_SCHEDULER, or no `madoguchi scheduler` command in this version)")
    print(supervisorctl(instance, "status").stdout, end="")
    log(f"serving {instance.base_url}/ (nginx on {instance.listen_address}:{instance.https_port})")
    log(f"logs: {instance.log_dir}/<program>.log; stop with `make production-stop`")


def stop(instance: Instance) -> None:
    pid = supervisord_pid(instance)
    if pid is None:
        log("not running")
        return
    supervisorctl(instance, "shutdown")
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 0)
            time.sleep(0.2)
            continue
        log("stopped")
        return
    os.kill(pid, signal.SIGTERM)
    raise ConfigError(f"supervisord (pid {pid}) did not stop within {STOP_TIMEOUT_S:.0f} s; sent it TERM")


def status(instance: Instance) -> int:
    if supervisord_pid(instance) is None:
        log("not running")
        return 3
    result = supervisorctl(instance, "status")
    print(result.stdout, end="")
    return result.returncode


def check(instance: Instance) -> int:
    from deploy.smoke import smoke_check

    started_here = supervisord_pid(instance) is None
    try:
        if started_here:
            start(instance)
        log("smoke check through nginx:")
        failures = smoke_check(instance)
    finally:
        if started_here:
            stop(instance)
    log("PASS" if not failures else f"FAIL: {len(failures)} check(s) failed")
    return 1 if failures else 0


def render(instance: Instance, name: str) -> str:
    if name == "nginx-site":
        values = {**instance.nginx_site_values(), "access_log": instance.env.get("MADOGUCHI_NGINX_ACCESS_LOG", "/dev/stdout")}
        return config.render((config.DEPLOY_DIR / "nginx" / "madoguchi-site.conf.template").read_text(), values)
    if name == "nginx":
        return config.render(
            (config.DEPLOY_DIR / "nginx" / "nginx.conf.template").read_text(),
            {"nginx_prefix": instance.nginx_prefix, "nginx_workers": instance.env["MADOGUCHI_NGINX_WORKERS"]},
        )
    return supervisord_conf(instance, scheduler=instance.env.get("MADOGUCHI_SCHEDULER", "auto").lower() in {"1", "true", "yes", "on"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start_parser = commands.add_parser("start", help="set up and start (restart when running)")
    start_parser.add_argument("--demo", action="store_true", help="load the demo municipalities (public passwords)")
    commands.add_parser("stop", help="stop every program and supervisord")
    commands.add_parser("status", help="the process table")
    commands.add_parser("check", help="start, smoke-check through nginx, stop")
    render_parser = commands.add_parser("render", help="print a rendered configuration file")
    render_parser.add_argument("name", choices=["nginx-site", "nginx", "supervisord"])
    args = parser.parse_args(argv)

    environ = dict(os.environ)
    if args.command == "start" and args.demo:
        environ["MADOGUCHI_PRODUCTION_DEMO"] = "true"
    env_file = config.env_file_path(environ)
    try:
        if args.command in {"start", "check"} and not env_file.exists():
            config.env_file_create(env_file)
            log(f"wrote {env_file} with a new secret key (edit it; deploy/env.example explains every variable)")
        instance = config.instance_from(environ)
        if args.command == "start":
            start(instance)
        elif args.command == "stop":
            stop(instance)
        elif args.command == "status":
            return status(instance)
        elif args.command == "check":
            return check(instance)
        else:
            print(render(instance, args.name), end="")
    except (ConfigError, subprocess.CalledProcessError) as exc:
        log(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
