"""gunicorn configuration of an app process: ``gunicorn -c python:madoguchi.conf.gunicorn``.

One module for every way production starts the app (supervisord on one machine, systemd units
on a server), read from the environment like the settings. Each app process is bound to one
address given on the command line (``--bind 127.0.0.1:8001``), so a proxy can spread requests
over several of them and keep serving when one is stopped.

- ``MADOGUCHI_WEB_WORKERS``: worker processes per app process (default: 2 × cores + 1, at most 8)
- ``MADOGUCHI_WEB_THREADS``: threads per worker (default 1: sync workers)
- ``MADOGUCHI_WEB_TIMEOUT``: seconds a request may take before its worker is replaced (default 60)
- ``MADOGUCHI_FORWARDED_ALLOW_IPS``: addresses of the proxy whose X-Forwarded-Proto is believed
  (default 127.0.0.1,::1)

Logs go to stdout (requests, with the proxy's X-Request-ID) and stderr (errors) for the process
supervisor to collect.
"""

import os

# Prometheus' multi-process mode when PROMETHEUS_MULTIPROC_DIR is set (one directory per app
# process: each gunicorn empties its own at start); nothing otherwise. docs/operations/observability.md
from madoguchi.observability.gunicorn import child_exit, on_starting  # noqa: F401

_cores = os.cpu_count() or 1

wsgi_app = "madoguchi.conf.wsgi:application"
workers = int(os.environ.get("MADOGUCHI_WEB_WORKERS") or min(2 * _cores + 1, 8))
threads = int(os.environ.get("MADOGUCHI_WEB_THREADS") or 1)
timeout = int(os.environ.get("MADOGUCHI_WEB_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5  # nginx keeps idle upstream connections open (upstream keepalive)
forwarded_allow_ips = os.environ.get("MADOGUCHI_FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
# Each worker is restarted after a while, so a slow leak in a library never grows without end.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
# The proxy's headers, so a request can be followed from nginx's log to the app's: the client
# (X-Real-IP), the chain of addresses, the scheme and the request ID nginx made or passed on.
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}i)s client=%({x-real-ip}i)s '
    'fwd="%({x-forwarded-for}i)s" proto=%({x-forwarded-proto}i)s'
)
# Django, the URLconf and the views' libraries (numpy, the assistant's analyser) are loaded once
# in the master and shared by the forked workers: memory once, and no worker's first request
# pays for the imports. New code therefore needs a restart of the app process, not a HUP.
preload_app = True
# The control socket would default to one path in $HOME shared by every app process of the user.
control_socket_disable = True
# The heartbeat file on a memory file system: on disk an fchmod can stall a worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (a directory, not a file name)


def when_ready(server) -> None:
    """Import the URLconf (and with it every view module) before the workers are forked."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (the import is the point)
