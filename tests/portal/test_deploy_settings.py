"""Production serving: Django's deployment checks, and gunicorn.conf.py (workers, access log).

Each test starts a real process with a production-like environment (DEBUG off, a long random
SECRET_KEY, no .env file), the way an app server starts.
"""

import json
import os
import re
import runpy
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
# What the test runner sets for itself (pyproject's pytest env) and a developer's shell may
# hold; a production process starts with none of it.
NOT_IN_PRODUCTION = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_TLS_PROXY",
    "STATICFILES_BACKEND",
    "STATIC_ROOT",
    "SITE_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
}


def _production_environment(**overrides: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key not in NOT_IN_PRODUCTION}
    environment.update(
        DJANGO_SETTINGS_MODULE="rmo_portal.settings",
        READ_DOTENV="false",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example.go.jp",
        CSRF_TRUSTED_ORIGINS="https://portal.example.go.jp",
        SITE_URL="https://portal.example.go.jp",
        DATABASE_URL=os.environ["DATABASE_URL"],
    )
    environment.update(overrides)
    return environment


# ---------------------------------------------------------------- manage.py check --deploy
DEPLOYMENTS = {
    # One app server terminating TLS itself, local-memory cache.
    "single-server": {},
    # App servers behind a TLS-terminating reverse proxy, sharing Redis.
    "behind-proxy-with-redis": {"BEHIND_TLS_PROXY": "true", "REDIS_URL": "redis://127.0.0.1:6379/0"},
}


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_check_deploy_reports_nothing_in_production_environment(deployment):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_environment(**DEPLOYMENTS[deployment]),
        capture_output=True,
        text=True,
        timeout=120,
    )

    # Start-up log lines may go to stderr; a finding of the checks fails the command.
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("System check identified no issues"), result.stdout


def test_healthz_answers_a_plain_http_health_check_when_https_is_enforced(client, settings, db):
    """Load balancers probe each app server over plain HTTP, without X-Forwarded-Proto."""
    settings.SECURE_SSL_REDIRECT = True  # the production default; SecurityMiddleware reads it per client

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


# ---------------------------------------------------------------- gunicorn.conf.py
def _gunicorn_config(monkeypatch, **environment: str) -> dict:
    for name in (
        "WEB_CONCURRENCY",
        "GUNICORN_THREADS",
        "GUNICORN_BIND",
        "GUNICORN_MAX_REQUESTS",
        "GUNICORN_MAX_REQUESTS_JITTER",
        "GUNICORN_ACCESSLOG",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_defaults_scale_workers_with_cores_up_to_eight(monkeypatch):
    config = _gunicorn_config(monkeypatch)

    assert config["workers"] == min(2 * (os.cpu_count() or 1) + 1, 8)
    assert (config["worker_class"], config["threads"]) == ("gthread", 4)
    assert config["bind"] == ["127.0.0.1:8000"]
    assert config["preload_app"] is False
    assert (config["max_requests"], config["max_requests_jitter"]) == (1000, 100)
    assert config["accesslog"] == "-"


def test_gunicorn_takes_its_knobs_from_the_environment(monkeypatch):
    config = _gunicorn_config(
        monkeypatch,
        WEB_CONCURRENCY="3",
        GUNICORN_THREADS="2",
        GUNICORN_BIND="127.0.0.1:9001, unix:/run/rmo/app.sock",
        GUNICORN_MAX_REQUESTS="0",
        GUNICORN_ACCESSLOG="",
    )

    assert (config["workers"], config["threads"]) == (3, 2)
    assert config["bind"] == ["127.0.0.1:9001", "unix:/run/rmo/app.sock"]
    assert config["max_requests"] == 0
    assert config["accesslog"] is None


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/seminars/r/abc/", "/seminars/r/[token]/"),
        ("/seminars/checkin/abc/", "/seminars/checkin/[token]/"),
        ("/summits/a/abc/withdraw/", "/summits/a/[token]/withdraw/"),
        ("/x/Zq3_kP9-LmN0aBcDeFgHiJkLmN/", "/x/[token]/"),
        # Staff pages and slugs stay readable.
        ("/seminars/rmo-2026-tokyo/checkin/counts.json", "/seminars/rmo-2026-tokyo/checkin/counts.json"),
        ("/seminars/national-rmo-seminar-2026-autumn/", "/seminars/national-rmo-seminar-2026-autumn/"),
    ],
)
def test_gunicorn_access_log_redacts_token_paths(monkeypatch, path, logged):
    redact_path = _gunicorn_config(monkeypatch)["redact_path"]

    assert redact_path(path) == logged


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _serve_and_request(tmp_path: Path, paths: list[str]) -> tuple[list[int], str, str]:
    """Start gunicorn (gunicorn.conf.py) on the test database, request each path, stop it."""
    database = connection.settings_dict
    database_url = (
        f"postgres://{quote(database['USER'] or '', safe='')}:{quote(database['PASSWORD'] or '', safe='')}"
        f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )
    port = _free_port()
    environment = _production_environment(
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
        DATABASE_POOL_MIN="1",
        DATABASE_POOL_MAX="2",
        # No collectstatic in a test run: plain storage instead of the hashed manifest.
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        server = subprocess.Popen([str(GUNICORN)], cwd=ROOT, env=environment, stdout=stdout, stderr=stderr)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(base + "/healthz") == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, err.read_text()
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz within 60 s"
            time.sleep(0.2)
        statuses = [_get(base + path) for path in paths]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    return statuses, out.read_text(), err.read_text()


@pytest.mark.django_db(transaction=True)
def test_gunicorn_access_log_is_json_without_tokens_or_query_strings(tmp_path):
    token = secrets.token_urlsafe(32)

    statuses, stdout, _ = _serve_and_request(
        tmp_path, [f"/healthz?session={token}", f"/seminars/r/{token}/?from=mail", f"/summits/a/{token}/"]
    )

    lines = [json.loads(line) for line in stdout.splitlines()]
    requests = [(line["method"], line["path"], line["status"]) for line in lines][-3:]
    assert statuses == [200, 404, 404]
    assert requests == [
        ("GET", "/healthz", 200),
        ("GET", "/seminars/r/[token]/", 404),
        ("GET", "/summits/a/[token]/", 404),
    ]
    assert token not in stdout
    assert set(lines[-1]) == {"time", "client", "peer", "method", "path", "status", "bytes", "duration_ms", "user_agent", "pid"}


@pytest.mark.django_db(transaction=True)
def test_app_server_logs_never_contain_a_personal_token(tmp_path):
    """Django's own request log ("Not Found: <path>") must not carry the token either."""
    token = secrets.token_urlsafe(32)

    _, stdout, stderr = _serve_and_request(tmp_path, [f"/seminars/r/{token}/", f"/summits/a/{token}/"])

    leaked = [line for line in (stdout + stderr).splitlines() if token in line]
    assert leaked == []
    assert re.search(r"Not Found: /seminars/r/\[token\]/", stderr)
