"""Headers, CSP, CSRF and the login lockout (portal/security.py, settings).

`manage.py check --deploy` under production settings: tests/portal/test_deploy_settings.py.
"""

import base64
import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from portal.security import client_ip
from summits.models import Application
from tests.clients import PortalClient
from tests.portal.html import find_all, parse, texts
from tests.summits.factories import make_municipality, make_summit

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-staple"
OTHER_ADDRESS = "203.0.113.9"

EXPECTED_CSP = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "script-src": "'self'",
    "style-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


@pytest.fixture(autouse=True)
def _fresh_counters_and_fast_hashing(settings):
    """Rate-limit counts live in the cache, which outlives a test; logins hash passwords."""
    cache.clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _directives(header: str) -> dict[str, str]:
    """CSP header as {directive: sources}; django-csp does not promise an order."""
    return {name: sources.strip() for name, _, sources in (part.strip().partition(" ") for part in header.split(";"))}


def _sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# ---------------------------------------------------------------- headers


@pytest.mark.django_db
def test_public_page_sends_security_headers(client):
    response = client.get(reverse("portal:home"))

    assert response.status_code == 200
    assert _directives(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_https_response_sends_hsts(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000

    response = client.get(reverse("portal:home"), secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_429_page_keeps_the_strict_policy(client, settings):
    settings.RATELIMIT_LOGIN = "1/h"
    client.post(reverse("admin:login"), {"username": "a", "password": "b"})

    response = client.post(reverse("admin:login"), {"username": "a", "password": "b"})

    assert response.status_code == 429
    assert _directives(response["Content-Security-Policy"]) == EXPECTED_CSP


# The admin's policy allows inline styles and the hash of import-export's one handler
# (test_admin_pages_allow_exactly_their_inline_handlers); the portal's own pages allow neither.
ADMIN_ALLOWED_HANDLER = 'onchange="onSelectToggleChange(event)"'


def test_site_templates_have_no_inline_script_style_or_handler():
    """The CSP refuses inline code; a template that adds some would break silently in browsers."""
    violations = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        in_admin = path.relative_to(ROOT / "templates").parts[0] == "admin"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            inline_script = re.search(r"<script(?![^>]*\bsrc=)[^>]*>", line)
            inline_style = re.search(r"<style\b|\sstyle=", line) and not in_admin
            handler = re.search(r"\son[a-z]+\s*=", line.replace(ADMIN_ALLOWED_HANDLER, "") if in_admin else line)
            if inline_script or inline_style or handler:
                violations.append(f"{path.relative_to(ROOT)}:{number}")

    assert violations == []


@pytest.mark.django_db
def test_admin_pages_allow_exactly_their_inline_handlers(client):
    """import-export's export form has one onchange handler: the admin's policy allows its hash only."""
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)

    response = client.get(reverse("admin:summits_delegate_export"))

    handlers = {value for element in parse(response.content) for name, value in element.attrs.items() if name.startswith("on")}
    directives = _directives(response["Content-Security-Policy"])
    assert response.status_code == 200
    assert handlers == {"onSelectToggleChange(event)"}
    assert directives["script-src-attr"] == "'unsafe-hashes' " + _sha256_source("onSelectToggleChange(event)")
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["script-src"] == "'self'"


# ---------------------------------------------------------------- CSRF


@pytest.mark.django_db
def test_registration_post_without_csrf_token_is_refused():
    make_municipality(name="秋田市", code="052019")
    summit = make_summit()
    browser = PortalClient(enforce_csrf_checks=True)

    register_url = reverse("summits:register", kwargs={"slug": summit.slug})
    response = browser.post(register_url, {"municipality": "秋田市"}, HTTP_REFERER=f"http://testserver{register_url}")

    assert response.status_code == 403
    assert texts(response.content, "h1") == ["送信を確認できませんでした"]
    assert texts(response.content, "p")[1] == (
        "入力した内容は保存されていません。前のページに戻って再読み込みし、もう一度入力して送信してください。"
    )
    assert [a.attrs["href"] for a in find_all(response.content, "a") if a.text == "前のページに戻る"] == [register_url]
    assert b"DEBUG" not in response.content
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_csrf_failure_page_never_links_back_to_another_site():
    browser = PortalClient(enforce_csrf_checks=True)

    response = browser.post(reverse("accounts:login"), {"username": "x"}, HTTP_REFERER="https://evil.example/form/")

    assert response.status_code == 403
    assert [a for a in find_all(response.content, "a") if a.text == "前のページに戻る"] == []
    assert b"evil.example" not in response.content


# ---------------------------------------------------------------- client address


def test_client_ip_is_remote_addr_and_ignores_forwarded_for_by_default(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert client_ip(request) == "198.51.100.1"


def test_client_ip_behind_one_proxy_is_the_address_that_proxy_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    forged_then_real = "10.9.9.9, 203.0.113.5"
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forged_then_real)

    assert client_ip(request) == "203.0.113.5"


@pytest.mark.parametrize("forwarded_for", ["", "not-an-address", "203.0.113.5"])
def test_client_ip_falls_back_to_remote_addr_when_forwarded_for_is_short_or_malformed(settings, forwarded_for):
    settings.TRUSTED_PROXY_COUNT = 2 if forwarded_for == "203.0.113.5" else 1
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)

    assert client_ip(request) == "127.0.0.1"


def test_client_ip_ignores_forwarded_for_from_a_peer_that_is_not_our_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_ADDRESSES = ["127.0.0.1", "::1"]
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert client_ip(request) == "198.51.100.7"


def test_client_ip_accepts_a_proxy_network_from_the_setting(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_ADDRESSES = ["10.0.0.0/24"]
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.17", HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert client_ip(request) == "203.0.113.5"


@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        ("203.0.113.5, 10.0.0.2", "203.0.113.5"),  # the first proxy is ours too: the client it saw
        ("203.0.113.5, 198.51.100.66", "127.0.0.1"),  # a hop we do not run wrote the next entry
    ],
)
def test_client_ip_behind_two_proxies_trusts_only_a_chain_of_our_own(settings, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = 2
    settings.TRUSTED_PROXY_ADDRESSES = ["127.0.0.1", "10.0.0.0/24"]
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)

    assert client_ip(request) == expected


# ---------------------------------------------------------------- login lockout


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user("tanaka", password=PASSWORD, is_staff=True)


def _login(client, password, **extra):
    return client.post(reverse("admin:login"), {"username": "tanaka", "password": password, "next": "/admin/"}, **extra)


def test_admin_login_locks_after_failure_limit_even_for_the_right_password(client, staff_user, settings):
    assert settings.AXES_FAILURE_LIMIT == 5

    before_limit = [_login(client, "wrong-password").status_code for _ in range(4)]
    locked = _login(client, "wrong-password")
    right_password = _login(client, PASSWORD)

    assert before_limit == [200, 200, 200, 200]
    assert locked.status_code == 429
    assert texts(locked.content, "h1") == ["ログインが一時的に制限されています"]
    assert texts(locked.content, "p")[:2] == [
        "ログインに5回続けて失敗したため、このユーザー名でのこの接続元からのログインを一時的に制限しています。",
        "30分後に、もう一度ログインしてください。制限中にログインを試すと、その時点から待ち時間がやり直しになります。",
    ]
    assert locked["Retry-After"] == "1800"
    assert right_password.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(client, staff_user):
    for _ in range(5):
        _login(client, "wrong-password")

    from_other_address = _login(PortalClient(), PASSWORD, REMOTE_ADDR=OTHER_ADDRESS)

    assert from_other_address.status_code == 302
    assert from_other_address["Location"] == "/admin/"


def test_lockout_lifts_after_the_cool_off(client, staff_user):
    for _ in range(5):
        _login(client, "wrong-password")
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31))

    response = _login(client, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_user.pk)


def test_successful_login_resets_the_failure_count(client, staff_user):
    for _ in range(4):
        _login(client, "wrong-password")
    _login(client, PASSWORD)
    client.logout()

    after_reset = [_login(client, "wrong-password").status_code for _ in range(4)]

    assert after_reset == [200, 200, 200, 200]


def test_locked_out_account_stays_locked_when_a_direct_client_sends_another_forwarded_for(client, staff_user, settings):
    """The hole: behind a proxy, a client that reaches the app server directly changed the
    address its failures were counted under with each request."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_ADDRESSES = ["127.0.0.1"]
    for number in range(5):
        _login(client, "wrong-password", REMOTE_ADDR=OTHER_ADDRESS, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")

    retry = _login(client, PASSWORD, REMOTE_ADDR=OTHER_ADDRESS, HTTP_X_FORWARDED_FOR="203.0.113.200")

    assert retry.status_code == 429
    assert "_auth_user_id" not in client.session


def test_test_client_login_still_works(client, staff_user):
    assert client.login(username="tanaka", password=PASSWORD) is True
    assert client.login(username="tanaka", password="wrong-password") is False


# ---------------------------------------------------------------- the admin's "view on site"


@pytest.mark.django_db
def test_admin_view_on_site_never_hands_staff_a_persons_token_link(admin_client):
    from django.contrib.contenttypes.models import ContentType

    from seminars.models import Registration
    from tests.seminars.factories import make_registration, make_seminar

    registration = make_registration(make_seminar())
    content_type = ContentType.objects.get_for_model(Registration)

    response = admin_client.get(f"/admin/r/{content_type.pk}/{registration.pk}/")

    assert response.status_code == 404
    assert registration.token not in response.content.decode()


@pytest.mark.django_db
def test_admin_view_on_site_still_opens_a_public_page(admin_client):
    from django.contrib.contenttypes.models import ContentType

    from municipalities.models import Municipality
    from tests.factories import MunicipalityFactory

    MunicipalityFactory(code="202011")
    content_type = ContentType.objects.get_for_model(Municipality)

    response = admin_client.get(f"/admin/r/{content_type.pk}/202011/")

    assert response.status_code == 302
    assert response["Location"] == "http://testserver/municipalities/202011/"
