"""Rate limits per client address on registration and login POSTs (portal/ratelimits.py)."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from summits.models import Application
from tests.portal.html import texts
from tests.summits.factories import make_municipality, make_summit

pytestmark = pytest.mark.django_db

FLOODER = "198.51.100.23"
NEIGHBOUR = "203.0.113.9"


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    """Counts live in the cache, which outlives a test. Hourly limits: a test never straddles a window."""
    cache.clear()
    settings.RATELIMIT_REGISTRATION = "3/h"
    settings.RATELIMIT_LOGIN = "3/h"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def summit():
    make_municipality(name="秋田市", code="052019")
    make_municipality(name="能代市", code="052027")
    return make_summit()


def _application(municipality: str, *, consent: bool = True) -> dict:
    data = {
        "prefecture": "",
        "municipality": municipality,
        "contact_name": "担当 花子",
        "contact_department": "企画課",
        "contact_email": "tanto@city.example.jp",
        "contact_phone": "018-000-0000",
        "delegates-TOTAL_FORMS": "1",
        "delegates-INITIAL_FORMS": "0",
        "delegates-MIN_NUM_FORMS": "1",
        "delegates-MAX_NUM_FORMS": "10",
        "delegates-0-role": "mayor",
        "delegates-0-name": "秋田 太郎",
        "delegates-0-name_kana": "あきた たろう",
        "delegates-0-title": "市長",
    }
    if consent:
        data["consent"] = "on"
    return data


def _register(summit, data: dict, **extra):
    return Client().post(reverse("summits:register", kwargs={"slug": summit.slug}), data, **extra)


def test_registration_flood_from_one_address_gets_429_while_another_address_registers(summit):
    within_limit = [_register(summit, _application("秋田市", consent=False), REMOTE_ADDR=FLOODER) for _ in range(3)]

    over_limit = _register(summit, _application("秋田市"), REMOTE_ADDR=FLOODER)
    neighbour = _register(summit, _application("能代市"), REMOTE_ADDR=NEIGHBOUR)

    assert [response.status_code for response in within_limit] == [200, 200, 200]
    assert over_limit.status_code == 429
    assert texts(over_limit.content, "h1") == ["しばらくお待ちください"]
    assert texts(over_limit.content, "p")[:2] == [
        "短い時間に、同じ接続元から多くの送信がありました。混雑を防ぐため、今回の送信は受け付けていません（申込みなどは登録されていません）。",
        f"{-(-int(over_limit['Retry-After']) // 60)}分ほど待ってから、もう一度送信してください。",
    ]
    assert 0 < int(over_limit["Retry-After"]) <= 3600
    assert over_limit["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert neighbour.status_code == 302
    assert list(Application.objects.values_list("municipality__name", flat=True)) == ["能代市"]


def test_registration_page_views_are_not_counted(summit):
    for _ in range(5):
        Client().get(reverse("summits:register", kwargs={"slug": summit.slug}), REMOTE_ADDR=FLOODER)

    response = _register(summit, _application("秋田市"), REMOTE_ADDR=FLOODER)

    assert response.status_code == 302


def test_forged_forwarded_for_does_not_escape_the_limit_without_a_trusted_proxy(summit, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(3):
        _register(summit, _application("秋田市", consent=False), REMOTE_ADDR=FLOODER, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")

    response = _register(summit, _application("秋田市"), REMOTE_ADDR=FLOODER, HTTP_X_FORWARDED_FOR="192.0.2.99")

    assert response.status_code == 429


def test_behind_a_trusted_proxy_each_client_is_counted_on_its_own(summit, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(3):
        _register(summit, _application("秋田市", consent=False), HTTP_X_FORWARDED_FOR=FLOODER, **proxy)

    flooder = _register(summit, _application("秋田市"), HTTP_X_FORWARDED_FOR=FLOODER, **proxy)
    neighbour = _register(summit, _application("能代市"), HTTP_X_FORWARDED_FOR=NEIGHBOUR, **proxy)

    assert flooder.status_code == 429
    assert neighbour.status_code == 302


def test_empty_rate_turns_the_registration_limit_off(summit, settings):
    settings.RATELIMIT_REGISTRATION = ""
    for _ in range(4):
        _register(summit, _application("秋田市", consent=False), REMOTE_ADDR=FLOODER)

    response = _register(summit, _application("秋田市"), REMOTE_ADDR=FLOODER)

    assert response.status_code == 302


def test_admin_login_posts_are_limited_per_address():
    attempts = [
        Client().post(reverse("admin:login"), {"username": f"guess{number}", "password": "x"}, REMOTE_ADDR=FLOODER)
        for number in range(4)
    ]
    neighbour = Client().post(reverse("admin:login"), {"username": "guess9", "password": "x"}, REMOTE_ADDR=NEIGHBOUR)

    assert [response.status_code for response in attempts] == [200, 200, 200, 429]
    assert texts(attempts[-1].content, "h1") == ["しばらくお待ちください"]
    assert neighbour.status_code == 200
