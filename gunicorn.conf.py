"""Gunicorn settings for the RMO portal (docs/deploy.md).

Gunicorn reads this file by itself when started from the project directory:

    .venv/bin/gunicorn rmo_portal.wsgi

Every knob is an environment variable, like the portal's own settings:

    WEB_CONCURRENCY            worker processes (default 2 x cores + 1, at most 8)
    GUNICORN_THREADS           threads per worker (default 4; keep <= DATABASE_POOL_MAX)
    GUNICORN_BIND              where to listen, comma-separated (default 127.0.0.1:8000)
    GUNICORN_TIMEOUT           seconds before a silent worker is restarted (default 30)
    GUNICORN_GRACEFUL_TIMEOUT  seconds a stopping worker may finish its requests (default 30)
    GUNICORN_KEEPALIVE         seconds to keep an idle proxy connection (default 5)
    GUNICORN_MAX_REQUESTS      requests before a worker is replaced (default 1000; 0 = never)
    GUNICORN_MAX_REQUESTS_JITTER  random extra, so workers are not replaced together (default 100)
    GUNICORN_ACCESSLOG         access log target: "-" stdout (default), a file, or "" for none
    FORWARDED_ALLOW_IPS        proxy addresses trusted for X-Forwarded-* (default 127.0.0.1,::1)
    LOG_LEVEL                  as for the portal (default INFO)

The access log is one JSON object a line, and never holds a query string or a personal token:
links that act for a person carry their token in the path (/seminars/r/<token>/), so the
path is redacted before it is written, and the Referer is left out.
"""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from gunicorn.glogging import Logger, SafeAtoms

from portal.logging import redact_tokens


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# ---------------------------------------------------------------- processes
wsgi_app = "rmo_portal.wsgi:application"
proc_name = "rmo-portal"
# Each worker holds its own psycopg pool (DATABASE_POOL_MAX connections at most), so the
# worker count is what the database sees: docs/deploy.md has the arithmetic.
workers = _env_int("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1) + 1, 8))
# Threads let a worker overlap requests that wait on PostgreSQL (gthread worker).
threads = _env_int("GUNICORN_THREADS", 4)
worker_class = "gthread"
# Off: every worker imports the app and opens its own pool after the fork, so no connection
# or lock is ever shared between processes, and a HUP reload picks up new code.
preload_app = False
# Replace workers now and then (memory growth of long-lived processes), not all at once.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# The heartbeat file on tmpfs: a slow disk must not make the arbiter kill healthy workers.
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"
# Several app servers may run on one host; the control socket is per-user, so it stays off.
control_socket_disable = True

# ---------------------------------------------------------------- network
bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if address.strip()]
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# ---------------------------------------------------------------- logs
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
errorlog = "-"
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
# One JSON object a line; status and duration are numbers (gunicorn always sets them).
access_log_format = (
    '{"time": "%(iso_time)s", "client": "%({x-forwarded-for}i)s", "peer": "%(h)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(b)s", '
    '"duration_ms": %(M)s, "user_agent": "%(a)s", "pid": "%(p)s"}'
)

redact_path = redact_tokens  # one rule for Django's logs and this access log


class JsonEscapedAtoms(SafeAtoms):
    """Atoms escaped for a JSON string (quotes, backslashes, control characters), where
    gunicorn's own wrapper escapes only quotes, so a crafted User-Agent could break the line."""

    def __init__(self, atoms):
        dict.__init__(self)
        for key, value in atoms.items():
            self[key] = json.dumps(value, ensure_ascii=False)[1:-1] if isinstance(value, str) else value


class RedactingJsonLogger(Logger):
    """Gunicorn's logger with an access log that is safe to keep and to parse: the atoms
    that could carry a token or a query string are replaced before the line is formatted."""

    atoms_wrapper_class = JsonEscapedAtoms

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact_path(environ.get("PATH_INFO") or "")
        atoms["U"] = path
        atoms["r"] = f"{atoms['m']} {path} {atoms['H']}"
        atoms["q"] = ""
        atoms["f"] = "-"
        atoms["{referer}i"] = "-"
        for key in [key for key in atoms if key.endswith("}e")]:
            del atoms[key]  # the WSGI environ repeats the raw URI and the query string
        atoms["iso_time"] = datetime.now(UTC).isoformat(timespec="milliseconds")
        return atoms


logger_class = RedactingJsonLogger
