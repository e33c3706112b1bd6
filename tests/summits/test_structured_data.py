"""The summit timetable page's schema.org Event JSON-LD (summits/structured_data.py), read from the page."""

import datetime as dt

import pytest
from django.core.management import call_command

from tests.portal.html import json_ld

from .factories import make_summit

pytestmark = pytest.mark.django_db


def office(site_url: str) -> dict:
    return {"@type": "Organization", "name": "総務省 地域力創造グループ 地域振興室", "url": f"{site_url}/"}


def page_event(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200
    [event] = json_ld(response.content)
    return event


def test_open_summit_with_a_venue(client, site_url):
    summit = make_summit(
        slug="2026-akita",
        title="全国市町村長サミット2026in秋田",
        program_start=dt.time(13, 0),
        program_end=dt.time(18, 50),
        venue="秋田市文化創造館",
        venue_address="秋田県秋田市千秋明徳町3-16",
        description="全国の市町村長等が一堂に会して議論・交流を行います。",
    )

    event = page_event(client, summit.get_absolute_url())

    assert event == {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": "全国市町村長サミット2026in秋田",
        "url": f"{site_url}/summits/2026-akita/",
        "description": "全国の市町村長等が一堂に会して議論・交流を行います。",
        "startDate": f"{summit.first_day.isoformat()}T13:00:00+09:00",
        "endDate": summit.last_day.isoformat(),  # program_end is day 1's end, not the last day's
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": [
            {
                "@type": "Place",
                "name": "秋田市文化創造館",
                "address": {"@type": "PostalAddress", "addressCountry": "JP", "streetAddress": "秋田県秋田市千秋明徳町3-16"},
            }
        ],
        "organizer": [office(site_url), {"@type": "Organization", "name": "秋田県"}],
        "offers": {
            "@type": "Offer",
            "url": f"{site_url}/summits/2026-akita/register/",
            "availability": "https://schema.org/InStock",
            "validThrough": f"{(summit.application_deadline + dt.timedelta(days=1)).isoformat()}T00:00:00+09:00",
        },
    }


def test_one_day_summit_ends_at_its_program_end(client):
    day = make_summit().first_day
    summit = make_summit(last_day=day, first_day=day, program_start=dt.time(13, 0), program_end=dt.time(17, 0))

    event = page_event(client, summit.get_absolute_url())

    assert (event["startDate"], event["endDate"]) == (f"{day}T13:00:00+09:00", f"{day}T17:00:00+09:00")


def test_summit_without_a_deadline_has_no_offers(client):
    summit = make_summit(application_deadline=None)

    event = page_event(client, summit.get_absolute_url())

    assert "offers" not in event


def test_past_seed_summit_has_no_offers_and_no_invented_venue(client, site_url):
    call_command("load_demo_summits", verbosity=0)

    event = page_event(client, "/summits/2025-akita/")

    assert event == {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": "全国市町村長サミット2025in秋田",
        "url": f"{site_url}/summits/2025-akita/",
        "description": (
            "全国の市町村長等が一堂に会して議論・交流を行うことを通じて、地域活性化の一層の進展・普及を図ることを目的に、"
            "例年、全国市町村長サミットを開催しています。"
        ),
        "startDate": "2025-10-27T13:00:00+09:00",
        "endDate": "2025-10-28",
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "organizer": [office(site_url), {"@type": "Organization", "name": "秋田県"}],
    }


def test_demo_summit_keeps_the_demo_label(client):
    call_command("load_demo_summits", verbosity=0)

    event = page_event(client, "/summits/demo-2027/")

    assert (event["name"], event["organizer"], event["location"]) == (
        "【デモ】全国市町村長サミット2027（デモ）",
        [{"@type": "Organization", "name": "総務省（デモ）"}],
        [{"@type": "Place", "name": "デモ会場（架空）", "address": {"@type": "PostalAddress", "addressCountry": "JP"}}],
    )


def test_script_end_tag_in_a_title_cannot_end_the_element(client):
    summit = make_summit(title="</script><b>サミット</b>")

    response = client.get(summit.get_absolute_url())

    assert "</script><b>" not in response.content.decode()
    [event] = json_ld(response.content)
    assert event["name"] == "</script><b>サミット</b>"
