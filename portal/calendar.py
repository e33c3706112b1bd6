"""iCalendar (RFC 5545) files for events, built with the icalendar library."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import icalendar
from django.conf import settings

from .deadlines import JAPAN

PRODUCT_ID = "-//総務省 地域振興室//RMO portal//JA"


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT. ``uid`` must be stable for the same event so calendars update, not duplicate.

    ``start`` and ``end`` are aware datetimes, or dates for an all-day event (``end`` is then
    the day after the last day, as RFC 5545 counts DTEND exclusively).
    """

    uid: str
    summary: str
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date
    location: str = ""
    description: str = ""
    url: str = ""


def build_calendar(events: Iterable[CalendarEvent], *, name: str = "") -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Tokyo")
    stamp = dt.datetime.now(tz=dt.UTC)
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("summary", item.summary)
        event.add("dtstart", _local(item.start))
        event.add("dtend", _local(item.end))
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        calendar.add_component(event)
    # Adds the VTIMEZONE for Asia/Tokyo that the TZID parameters refer to.
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _local(moment: dt.datetime | dt.date) -> dt.datetime | dt.date:
    if isinstance(moment, dt.datetime):
        return moment.astimezone(JAPAN)
    return moment  # an all-day event: VALUE=DATE, no time zone


def event_uid(kind: str, pk: object) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]
    return f"{kind}-{pk}@{host}"
