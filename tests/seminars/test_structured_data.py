"""The seminar page's schema.org Event JSON-LD (seminars/structured_data.py), read from the page."""

import datetime as dt

import pytest

from seminars.enums import AttendanceMode
from tests.portal.html import json_ld, texts
from tests.seminars.factories import make_municipality, make_program_item, make_registration, make_seminar

pytestmark = pytest.mark.django_db


def office(site_url: str) -> dict:
    return {"@type": "Organization", "name": "総務省 地域力創造グループ 地域振興室", "url": f"{site_url}/"}


def page_event(client, seminar) -> dict:
    response = client.get(seminar.get_absolute_url())
    assert response.status_code == 200
    [event] = json_ld(response.content)
    return event


def test_hybrid_seminar_open_for_registration(client, site_url):
    prefecture = make_municipality("202011", "長野市").prefecture
    seminar = make_seminar(
        slug="2027-nagano",
        title="地域運営組織 全国セミナーin長野",
        prefecture=prefecture,
        venue_name="長野市生涯学習センター",
        venue_address="長野市大字鶴賀問御所町1271-3",
        venue_capacity=80,
    )

    event = page_event(client, seminar)

    assert event == {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": "地域運営組織 全国セミナーin長野",
        "url": f"{site_url}/seminars/2027-nagano/",
        "startDate": "2027-02-05T13:30:00+09:00",
        "endDate": "2027-02-05T17:00:00+09:00",
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/MixedEventAttendanceMode",
        "location": [
            {
                "@type": "Place",
                "name": "長野市生涯学習センター",
                "address": {
                    "@type": "PostalAddress",
                    "addressCountry": "JP",
                    "addressRegion": "長野県",
                    "streetAddress": "長野市大字鶴賀問御所町1271-3",
                },
            },
            {"@type": "VirtualLocation", "url": f"{site_url}/seminars/2027-nagano/"},
        ],
        "organizer": [office(site_url)],
        "offers": {
            "@type": "Offer",
            "url": f"{site_url}/seminars/2027-nagano/register/",
            "availability": "https://schema.org/InStock",
            "validThrough": "2027-01-30T00:00:00+09:00",  # the end of the deadline day 1/29
        },
    }


def test_venue_only_seminar_is_offline_with_a_place_only(client):
    seminar = make_seminar(has_online=False, venue_name="テスト会場", venue_capacity=50)

    event = page_event(client, seminar)

    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert event["location"] == [
        {"@type": "Place", "name": "テスト会場", "address": {"@type": "PostalAddress", "addressCountry": "JP"}}
    ]


def test_online_only_seminar_has_a_virtual_location_only(client, site_url):
    seminar = make_seminar(has_venue=False, venue_name="", venue_capacity=None)

    event = page_event(client, seminar)

    assert (event["eventAttendanceMode"], event["location"]) == (
        "https://schema.org/OnlineEventAttendanceMode",
        [{"@type": "VirtualLocation", "url": f"{site_url}{seminar.get_absolute_url()}"}],
    )


def test_few_seats_left_is_limited_availability(client):
    seminar = make_seminar(has_online=False, venue_capacity=12)
    make_registration(seminar, mode=AttendanceMode.VENUE)
    make_registration(seminar, mode=AttendanceMode.VENUE)

    event = page_event(client, seminar)

    assert event["offers"]["availability"] == "https://schema.org/LimitedAvailability"


def test_full_venue_with_online_seats_is_in_stock(client):
    seminar = make_seminar(venue_capacity=1, online_capacity=100)
    make_registration(seminar, mode=AttendanceMode.VENUE)

    event = page_event(client, seminar)

    assert event["offers"]["availability"] == "https://schema.org/InStock"


def test_every_mode_full_is_sold_out(client):
    seminar = make_seminar(venue_capacity=1, online_capacity=1)
    make_registration(seminar, mode=AttendanceMode.VENUE)
    make_registration(seminar, mode=AttendanceMode.ONLINE)

    event = page_event(client, seminar)

    assert event["offers"]["availability"] == "https://schema.org/SoldOut"


def test_registration_closed_by_staff_has_no_offers(client):
    seminar = make_seminar(closed_by_staff=True)

    event = page_event(client, seminar)

    assert ("offers" in event, event["eventStatus"]) == (False, "https://schema.org/EventScheduled")


def test_past_seminar_has_no_offers_and_stays_scheduled(client):
    seminar = make_seminar(date=dt.date(2025, 9, 30), deadline=dt.date(2025, 9, 23))

    event = page_event(client, seminar)

    assert ("offers" in event, event["startDate"], event["eventStatus"]) == (
        False,
        "2025-09-30T13:30:00+09:00",
        "https://schema.org/EventScheduled",
    )


def test_registration_not_yet_open_has_no_offers(client):
    seminar = make_seminar(registration_opens_at=dt.datetime(2027, 1, 20, 9, 0, tzinfo=dt.UTC))

    event = page_event(client, seminar)

    assert "offers" not in event


def test_demo_seminar_keeps_the_demo_label_as_the_page_title_shows_it(client):
    seminar = make_seminar(title="全国セミナー（デモ会場）", is_demo=True)

    response = client.get(seminar.get_absolute_url())

    [event] = json_ld(response.content)
    assert event["name"] == "【デモ】全国セミナー（デモ会場）"
    assert texts(response.content, "title") == ["【デモ】全国セミナー（デモ会場） | 総務省 地域振興室"]


def test_co_organizer_is_kept_beside_the_office(client, site_url):
    seminar = make_seminar(organizer="総務省、長野県")

    event = page_event(client, seminar)

    assert event["organizer"] == [office(site_url), {"@type": "Organization", "name": "長野県"}]


def test_script_end_tag_in_a_title_cannot_end_the_element(client):
    seminar = make_seminar(title="</script><script>alert(1)</script>&")

    response = client.get(seminar.get_absolute_url())

    content = response.content.decode()
    assert "</script><script>alert(1)" not in content
    assert '"name": "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E\\u0026"' in content
    [event] = json_ld(response.content)
    assert event["name"] == "</script><script>alert(1)</script>&"


def test_secret_online_url_is_not_on_the_page(client, site_url):
    seminar = make_seminar(online_url="https://meet.example.jp/j/8812345678?pwd=secret-pass")

    response = client.get(seminar.get_absolute_url())

    [event] = json_ld(response.content)
    assert event["location"][1] == {"@type": "VirtualLocation", "url": f"{site_url}{seminar.get_absolute_url()}"}
    assert "meet.example.jp" not in response.content.decode()
    assert "secret-pass" not in response.content.decode()


def test_detail_page_query_count_is_unchanged(client, django_assert_num_queries):
    seminar = make_seminar(prefecture=make_municipality().prefecture)
    make_registration(seminar)
    make_program_item(seminar)

    # The seminar with its seat counts and prefecture, its program, the program's organizations.
    with django_assert_num_queries(3):
        client.get(seminar.get_absolute_url())
