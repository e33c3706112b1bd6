import datetime as dt

import pytest

from portal import structured_data as sd
from portal.deadlines import JAPAN


def test_iso_writes_a_datetime_in_japanese_time_and_a_date_alone():
    assert sd.iso(dt.datetime(2025, 9, 30, 4, 30, tzinfo=dt.UTC)) == "2025-09-30T13:30:00+09:00"
    assert sd.iso(dt.date(2025, 10, 27)) == "2025-10-27"


def test_event_name_keeps_the_demo_label():
    assert sd.event_name("全国セミナー", is_demo=True) == "【デモ】全国セミナー"
    assert sd.event_name("全国セミナー", is_demo=False) == "全国セミナー"


def test_organizers_names_the_ministry_as_the_office_and_keeps_the_others(site_url):
    assert sd.organizers("総務省、秋田県") == [
        {"@type": "Organization", "name": "総務省 地域力創造グループ 地域振興室", "url": f"{site_url}/"},
        {"@type": "Organization", "name": "秋田県"},
    ]


def test_organizers_of_an_empty_field_is_empty():
    assert sd.organizers(" ") == []


def test_place_with_every_field():
    assert sd.place(name="長野市生涯学習センター", street_address="長野市大字鶴賀問御所町1271-3", region="長野県") == {
        "@type": "Place",
        "name": "長野市生涯学習センター",
        "address": {
            "@type": "PostalAddress",
            "addressCountry": "JP",
            "addressRegion": "長野県",
            "streetAddress": "長野市大字鶴賀問御所町1271-3",
        },
    }


def test_place_leaves_out_what_is_not_known():
    assert sd.place(name="テスト会場") == {
        "@type": "Place",
        "name": "テスト会場",
        "address": {"@type": "PostalAddress", "addressCountry": "JP"},
    }
    assert sd.place(region="長野県") == {
        "@type": "Place",
        "address": {"@type": "PostalAddress", "addressCountry": "JP", "addressRegion": "長野県"},
    }


def test_place_of_nothing_known_is_none():
    assert sd.place() is None


@pytest.mark.parametrize(
    ("seats_left", "expected"),
    [
        ([0, None], sd.IN_STOCK),  # an unlimited way of attending never runs out
        ([0, 11], sd.IN_STOCK),
        ([0, 10], sd.LIMITED_AVAILABILITY),
        ([1], sd.LIMITED_AVAILABILITY),
        ([0, 0], sd.SOLD_OUT),
        ([0], sd.SOLD_OUT),
        ([], sd.IN_STOCK),
    ],
)
def test_availability(seats_left, expected):
    assert sd.availability(seats_left) == expected


def test_offer_is_valid_through_the_close():
    closes_at = dt.datetime(2025, 9, 24, tzinfo=JAPAN)

    assert sd.offer(url="https://portal.example.go.jp/r/", closes_at=closes_at, availability=sd.SOLD_OUT) == {
        "@type": "Offer",
        "url": "https://portal.example.go.jp/r/",
        "availability": "https://schema.org/SoldOut",
        "validThrough": "2025-09-24T00:00:00+09:00",
    }


def test_event_hybrid_has_a_place_and_a_virtual_location():
    venue = sd.place(name="テスト会場")
    organizer = [{"@type": "Organization", "name": "総務省"}]
    offers = sd.offer(url="https://portal.example.go.jp/reg/", closes_at=None, availability=sd.IN_STOCK)

    data = sd.event(
        name="全国セミナー",
        url="https://portal.example.go.jp/s/",
        start=dt.datetime(2025, 9, 30, 13, 30, tzinfo=JAPAN),
        end=dt.datetime(2025, 9, 30, 17, 0, tzinfo=JAPAN),
        description="概要",
        in_person=True,
        online=True,
        venue=venue,
        organizer=organizer,
        offers=offers,
    )

    assert data == {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": "全国セミナー",
        "url": "https://portal.example.go.jp/s/",
        "description": "概要",
        "startDate": "2025-09-30T13:30:00+09:00",
        "endDate": "2025-09-30T17:00:00+09:00",
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/MixedEventAttendanceMode",
        "location": [venue, {"@type": "VirtualLocation", "url": "https://portal.example.go.jp/s/"}],
        "organizer": organizer,
        "offers": {"@type": "Offer", "url": "https://portal.example.go.jp/reg/", "availability": "https://schema.org/InStock"},
    }


def test_event_in_person_without_a_known_venue_has_no_location_and_no_offers():
    data = sd.event(
        name="サミット", url="https://portal.example.go.jp/m/", start=dt.date(2025, 10, 27), in_person=True, online=False
    )

    assert data == {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": "サミット",
        "url": "https://portal.example.go.jp/m/",
        "startDate": "2025-10-27",
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
    }


def test_event_online_only():
    data = sd.event(
        name="オンライン", url="https://portal.example.go.jp/o/", start=dt.date(2027, 2, 5), in_person=False, online=True
    )

    assert (data["eventAttendanceMode"], data["location"]) == (
        "https://schema.org/OnlineEventAttendanceMode",
        [{"@type": "VirtualLocation", "url": "https://portal.example.go.jp/o/"}],
    )
