"""Two app servers, one PostgreSQL, one Redis (docs/deploy.md "Process layout").

Two gunicorn processes, started with the deploy config (gunicorn.conf.py) on two free
loopback ports, serve the test database that pytest-django created. Any request may go to
either server, as behind a load balancer without sticky sessions, so:

- a registration burst split across both never overbooks, never loses a registration
  and never answers 5xx (the seat count is decided under the seminar's row lock in
  PostgreSQL, not in either process);
- a session started on one server holds on the other (sessions live in PostgreSQL);
- a rate limit counted on one server holds on the other (counters live in Redis).

The servers sit behind an imagined proxy (TRUSTED_PROXY_COUNT=1), so each simulated client
sends its own address in X-Forwarded-For: the burst's 60 people come from 60 addresses, as
on flyer day, and the rate limit (3 registrations a minute per address) is the production
rule, not switched off.
"""

import concurrent.futures
import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from seminars.enums import AttendanceMode, RegistrationStatus
from seminars.models import Registration
from tests.seminars.factories import make_seminar

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_DB = 11  # flushed before and after: this test's own database number
VENUE_SEATS, ONLINE_SEATS, CLIENTS = 10, 20, 60
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FULL_MESSAGE = "会場・オンラインとも満席です。"


# ---------------------------------------------------------------- servers
def _redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _redis_flush() -> None:
    with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2) as sock:
        sock.sendall(f"SELECT {REDIS_DB}\r\nFLUSHDB\r\n".encode())
        replies = b""
        while replies.count(b"\r\n") < 2:
            replies += sock.recv(64)
        assert replies == b"+OK\r\n+OK\r\n", replies


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    """The test database pytest-django created (test_<name>), as a DATABASE_URL."""
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


@dataclass
class AppServer:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return f"--- {self.name} (port {self.port}) log:\n" + "\n".join(text.splitlines()[-lines:])


def _environment(port: int) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "READ_DOTENV": "false",
        "DJANGO_SETTINGS_MODULE": "rmo_portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": "two-servers-test-secret-the-same-on-both-servers",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "DATABASE_URL": _database_url(),
        "DATABASE_POOL_MIN": "1",
        "DATABASE_POOL_MAX": "4",
        "REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
        "TRUSTED_PROXY_COUNT": "1",
        "RATELIMIT_REGISTRATION": "3/m",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",  # mail stays queued in the DB
        "AXES_ENABLED": "true",
        "LOG_LEVEL": "WARNING",
        # gunicorn.conf.py, the deploy config: 2 workers x 4 threads per server on this 2-core box.
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
        "GUNICORN_ACCESSLOG": "",
        "GUNICORN_TIMEOUT": "60",
        "GUNICORN_GRACEFUL_TIMEOUT": "5",
    }


def _request(port: int, method: str, path: str, *, headers=None, body: str | None = None, timeout: float = 60):
    """One HTTP/1.1 request on a fresh connection: (status, headers as a dict of lists, text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        received: dict[str, list[str]] = {}
        for key, value in response.getheaders():
            received.setdefault(key.lower(), []).append(value)
        return response.status, received, text
    finally:
        conn.close()


def _wait_healthy(server: AppServer, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"{server.name} exited with {server.process.returncode}\n{server.log_tail()}")
        try:
            status, _headers, _text = _request(server.port, "GET", "/healthz", timeout=5)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{server.name} did not answer /healthz within {timeout} s\n{server.log_tail()}")


@pytest.fixture
def app_servers(transactional_db, tmp_path) -> list[AppServer]:
    """Servers A and B, killed (whole process group) when the test ends, pass or fail.

    Depends on transactional_db so that the servers stop before pytest-django empties the
    test database (their pooled connections would otherwise hold it open).
    """
    if not _redis_answers():
        pytest.skip(f"Redis does not answer on {REDIS_HOST}:{REDIS_PORT}: the shared rate-limit store is needed")
    if not GUNICORN.exists():
        pytest.skip(f"gunicorn is not installed at {GUNICORN}")
    _redis_flush()
    servers: list[AppServer] = []
    try:
        for name in ("A", "B"):
            port = _free_port()
            log = tmp_path / f"gunicorn-{name}.log"
            with log.open("wb") as handle:
                process = subprocess.Popen(
                    [str(GUNICORN)],  # gunicorn.conf.py in ROOT names the app and reads the variables
                    cwd=ROOT,
                    env=_environment(port),
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            servers.append(AppServer(name=name, port=port, process=process, log=log))
        for server in servers:
            _wait_healthy(server)
        yield servers
    finally:
        for server in servers:
            _stop(server.process)
        _redis_flush()


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's own process group (its master and workers), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, 15)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait(timeout=10)


# ---------------------------------------------------------------- clients
@dataclass
class Client:
    """One browser: its cookies and its address as the proxy would report it."""

    address: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, port: int, method: str, path: str, *, form: dict | None = None):
        headers = {"X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{port}"
        status, received, text = _request(port, method, path, headers=headers, body=body)
        for cookie in received.get("set-cookie", []):
            key, _, rest = cookie.partition("=")
            self.cookies[key.strip()] = rest.split(";", 1)[0]
        return status, received, text

    def csrf_token(self, port: int, path: str) -> str:
        status, _headers, text = self.request(port, "GET", path)
        assert status == 200, (path, status)
        return CSRF_INPUT.search(text).group(1)


def _person(index: int) -> dict[str, str]:
    """Half want the venue and take online when it is full; half want online or the waiting list."""
    venue = index % 2 == 0
    return {
        "name": f"同時 申込{index}",
        "kana": "どうじ もうしこみ",
        "email": f"burst{index}@example.jp",
        "email_confirm": f"burst{index}@example.jp",
        "affiliation": "",
        "category": "other",
        "municipality": "",
        "mode": "venue" if venue else "online",
        "when_full": "online" if venue else "waitlist",
        "accessibility_needs": "",
        "consent": "on",
    }


# ---------------------------------------------------------------- tests
def test_burst_split_across_two_servers_fills_exact_capacity_without_loss_or_5xx(app_servers):
    seminar = make_seminar(venue_capacity=VENUE_SEATS, online_capacity=ONLINE_SEATS, slug="two-servers")
    path = f"/seminars/{seminar.slug}/register/"
    clients = [Client(address=f"10.0.{index // 200}.{index % 200 + 1}") for index in range(CLIENTS)]
    # Each client fills in the form on one server and sends it through the other half the time:
    # the CSRF cookie and token of one server must pass on the other.
    ports = [(app_servers[i % 2].port, app_servers[(i // 2) % 2].port) for i in range(CLIENTS)]
    start = threading.Barrier(CLIENTS, timeout=120)

    def run(index: int) -> tuple[int, dict, str]:
        form_port, post_port = ports[index]
        client = clients[index]
        try:
            token = client.csrf_token(form_port, path)
        finally:
            start.wait()  # every POST leaves at the same moment
        return client.request(post_port, "POST", path, form={**_person(index), "csrfmiddlewaretoken": token})

    with concurrent.futures.ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [pool.submit(run, index) for index in range(CLIENTS)]
        results = [future.result(timeout=180) for future in futures]

    logs = "\n".join(server.log_tail() for server in app_servers)
    statuses = Counter(status for status, _headers, _text in results)
    assert all(status < 500 for status in statuses), f"{statuses}\n{logs}"
    assert set(statuses) <= {200, 302}, f"{statuses}\n{logs}"
    rows = {row.email: row for row in Registration.objects.filter(seminar=seminar)}
    confirmed = Counter(row.mode for row in rows.values() if row.status == RegistrationStatus.CONFIRMED)
    assert confirmed == {AttendanceMode.VENUE: VENUE_SEATS, AttendanceMode.ONLINE: ONLINE_SEATS}
    for index, (status, headers, text) in enumerate(results):
        email = _person(index)["email"]
        if status == 302:  # registered: the row exists, and the answer links to it
            assert rows[email].status in {RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED}
            assert headers["location"] == [f"/seminars/r/{rows[email].token}/"]
        else:  # refused with the reason on the form, and nothing saved
            assert FULL_MESSAGE in text, (index, status, text[:500])
            assert email not in rows
    assert len(rows) == statuses[302]
    # Venue people who found the venue full moved online (never waitlisted); online people waited.
    waitlisted = Counter(row.mode for row in rows.values() if row.status == RegistrationStatus.WAITLISTED)
    assert set(waitlisted) <= {AttendanceMode.ONLINE}
    assert sum(confirmed.values()) + sum(waitlisted.values()) == statuses[302]


def test_admin_session_started_on_one_server_holds_on_the_other(app_servers):
    server_a, server_b = app_servers
    staff = get_user_model().objects.create_superuser("staff", "staff@example.jp", "correct-horse-battery-staple")
    # Production requires two-step login of staff: the password on one server, the code too.
    device = TOTPDevice.objects.create(user=staff, name="認証アプリ", confirmed=True)
    browser = Client(address="10.1.0.1")
    token = browser.csrf_token(server_a.port, "/admin/login/")

    status, headers, _text = browser.request(
        server_a.port,
        "POST",
        "/admin/login/?next=/admin/",
        form={"username": "staff", "password": "correct-horse-battery-staple", "next": "/admin/", "csrfmiddlewaretoken": token},
    )
    assert (status, headers["location"]) == (302, ["/accounts/login/code/"])
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"
    status, headers, _text = browser.request(
        server_a.port, "POST", "/accounts/login/code/", form={"code": code, "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
    )
    assert (status, headers["location"]) == (302, ["/admin/"])
    assert "sessionid" in browser.cookies

    status, _headers, text = browser.request(server_b.port, "GET", "/admin/")

    assert status == 200
    assert re.search(r'<div id="user-tools">[^<]*<strong>staff</strong>', text), text[:2000]
    # Control: the same request without the session is sent to the login page.
    stranger = Client(address="10.1.0.2")
    status, headers, _text = stranger.request(server_b.port, "GET", "/admin/")
    assert (status, headers["location"]) == (302, ["/admin/login/?next=/admin/"])


def test_rate_limit_counted_on_one_server_holds_on_the_other(app_servers):
    server_a, server_b = app_servers
    seminar = make_seminar(slug="rate-limit")
    path = f"/seminars/{seminar.slug}/register/"
    flooder = Client(address="10.2.0.1")
    token = flooder.csrf_token(server_a.port, path)

    # Three POSTs on A (an incomplete form: refused by the form, but each one counts).
    for _ in range(3):
        status, _headers, _text = flooder.request(server_a.port, "POST", path, form={"csrfmiddlewaretoken": token})
        assert status == 200
    status, headers, text = flooder.request(server_b.port, "POST", path, form={"csrfmiddlewaretoken": token})

    assert status == 429
    assert 1 <= int(headers["retry-after"][0]) <= 60
    assert "<h1>しばらくお待ちください</h1>" in text
    # Control: another address on B is not limited, so the 429 above was the count from A.
    neighbour = Client(address="10.2.0.2")
    neighbour_token = neighbour.csrf_token(server_b.port, path)
    status, _headers, _text = neighbour.request(server_b.port, "POST", path, form={"csrfmiddlewaretoken": neighbour_token})
    assert status == 200
    assert Registration.objects.count() == 0
