"""The whole-page cache of the public pages (portal/pagecache.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import RequestFactory

from organizations import services
from portal.pagecache import CACHE_STATUS_HEADER, KeptPage, page_cache_key
from tests.factories import OrganizationFactory, make_ikuwa
from tests.portal.html import texts


@pytest.fixture
def ikuwa(db):
    return make_ikuwa()


@pytest.mark.django_db
def test_second_anonymous_read_is_served_from_the_cache_without_a_query(client, ikuwa, django_assert_num_queries):
    first = client.get("/organizations/")

    with django_assert_num_queries(0):
        second = client.get("/organizations/")

    assert (first[CACHE_STATUS_HEADER], second[CACHE_STATUS_HEADER]) == ("miss", "hit")
    assert second.content == first.content
    assert "生桑振興会" in texts(second.content, "h3")


@pytest.mark.django_db
def test_cached_page_keeps_the_headers_of_a_fresh_one(client, ikuwa):
    first = client.get(f"/organizations/{ikuwa.pk}/")
    second = client.get(f"/organizations/{ikuwa.pk}/")

    assert second[CACHE_STATUS_HEADER] == "hit"
    for header in ("Content-Type", "Content-Language", "Content-Security-Policy", "X-Frame-Options"):
        assert second[header] == first[header], header
    assert set(second["Vary"].split(", ")) == set(first["Vary"].split(", ")) == {"Accept-Language", "Cookie"}


@pytest.mark.django_db
def test_registry_write_shows_at_once(client, ikuwa, django_capture_on_commit_callbacks):
    assert "生桑振興会" in client.get(f"/organizations/{ikuwa.pk}/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.organization_update(organization=ikuwa, name="生桑地区振興会")
    response = client.get(f"/organizations/{ikuwa.pk}/")

    assert response[CACHE_STATUS_HEADER] == "miss"
    assert texts(response.content, "h1") == ["生桑地区振興会"]


@pytest.mark.django_db
def test_each_language_is_its_own_page(client, ikuwa):
    japanese = client.get("/stats/")
    english = client.get("/en/stats/")

    assert (japanese[CACHE_STATUS_HEADER], english[CACHE_STATUS_HEADER]) == ("miss", "miss")
    assert (japanese["Content-Language"], english["Content-Language"]) == ("ja", "en")
    assert client.get("/en/stats/").content == english.content


@pytest.mark.django_db
def test_query_string_is_part_of_the_page(client, ikuwa):
    OrganizationFactory(municipality=ikuwa.municipality, name="東山まちづくり協議会")
    client.get("/organizations/?q=%E7%94%9F%E6%A1%91")  # 生桑

    other = client.get("/organizations/?q=%E6%9D%B1%E5%B1%B1")  # 東山

    assert other[CACHE_STATUS_HEADER] == "miss"
    assert texts(other.content, "h3") == ["東山まちづくり協議会"]


@pytest.mark.django_db
def test_logged_in_reader_always_gets_a_fresh_page(client, ikuwa):
    client.get("/")
    user = get_user_model().objects.create_user("reader", password="x-very-long-password-1")
    client.force_login(user)

    response = client.get("/")

    assert CACHE_STATUS_HEADER not in response
    assert "掲載情報の管理" in texts(response.content, "a")


@pytest.mark.django_db
def test_missing_page_is_not_stored(client):
    client.get("/organizations/999999/")

    response = client.get("/organizations/999999/")

    assert response.status_code == 404
    assert CACHE_STATUS_HEADER not in response


@pytest.mark.django_db
def test_zero_seconds_turns_the_cache_off(client, ikuwa, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    client.get("/organizations/")

    response = client.get("/organizations/")

    assert CACHE_STATUS_HEADER not in response


@pytest.mark.urls("tests.portal.pagecache_urls")
@pytest.mark.parametrize("path", ["/form/", "/never/"])
def test_page_that_sets_a_cookie_or_its_own_cache_control_is_never_kept(client, path):
    first = client.get(path)
    second = client.get(path)

    assert (first.status_code, second.status_code) == (200, 200)
    assert CACHE_STATUS_HEADER not in first
    assert CACHE_STATUS_HEADER not in second


@pytest.mark.django_db
def test_unmarked_page_is_never_served_from_the_cache(client):
    # Seminar pages show live seat counts and are not marked: even an entry under their key
    # (which nothing writes) is not looked at.
    planted = KeptPage(versions={}, headers={"Content-Type": "text/plain"}, content=b"planted")
    cache.set(page_cache_key(RequestFactory().get("/seminars/"), "ja"), planted, 60)

    response = client.get("/seminars/")

    assert response.status_code == 200
    assert response.content != b"planted"
    assert CACHE_STATUS_HEADER not in response


@pytest.mark.django_db
def test_stale_entry_of_another_release_is_a_miss(client, ikuwa):
    request = RequestFactory().get("/organizations/")
    cache.set(page_cache_key(request, "ja"), ("an", "older", "shape", "of", "entry"), 60)

    response = client.get("/organizations/")

    assert response.status_code == 200
    assert response[CACHE_STATUS_HEADER] == "miss"


@pytest.mark.django_db
def test_session_cookie_bypasses_the_cache(client, ikuwa):
    client.get("/organizations/")
    client.cookies["sessionid"] = "whatever"

    response = client.get("/organizations/")

    assert CACHE_STATUS_HEADER not in response
