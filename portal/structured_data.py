"""schema.org Event JSON-LD for the event pages: plain values in, a dict out.

seminars.structured_data and summits.structured_data read their models into these functions;
the templates render the dict with the ``json_ld`` filter (portal/templatetags/json_ld.py).
A value no model holds is left out, never guessed: search engines show these facts as the
ministry's word.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.deadlines import JAPAN

SCHEMA_ORG = "https://schema.org"
# The office as the footer and the privacy page name it.
OFFICE_NAME = gettext_lazy("総務省 地域力創造グループ 地域振興室")
# How the 主催 fields write the ministry; the office runs the ministry's seminars and summits.
MINISTRY = "総務省"
# LimitedAvailability when the way of attending with the most room has at most this many seats.
FEW_SEATS = 10

IN_STOCK = f"{SCHEMA_ORG}/InStock"
LIMITED_AVAILABILITY = f"{SCHEMA_ORG}/LimitedAvailability"
SOLD_OUT = f"{SCHEMA_ORG}/SoldOut"

_ATTENDANCE_MODES = {
    (True, True): f"{SCHEMA_ORG}/MixedEventAttendanceMode",
    (True, False): f"{SCHEMA_ORG}/OfflineEventAttendanceMode",
    (False, True): f"{SCHEMA_ORG}/OnlineEventAttendanceMode",
}


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def iso(value: dt.date | dt.datetime) -> str:
    """A datetime in Japanese time with its +09:00 offset; a date alone as YYYY-MM-DD."""
    if isinstance(value, dt.datetime):
        return value.astimezone(JAPAN).isoformat()
    return value.isoformat()


def event_name(title: str, *, is_demo: bool) -> str:
    """The name as the page's <title> writes it: a demo keeps 【デモ】, so no search result shows it as real."""
    return f"{_('【デモ】')}{title}" if is_demo else title


def organizers(text: str) -> list[dict]:
    """A 主催 field (「総務省、秋田県」) as Organizations; the ministry as the office, with the portal's URL."""
    names = [name.strip() for name in text.split("、") if name.strip()]
    return [
        {"@type": "Organization", "name": str(OFFICE_NAME), "url": absolute("/")}
        if name == MINISTRY
        else {"@type": "Organization", "name": name}
        for name in names
    ]


def place(*, name: str = "", street_address: str = "", region: str = "") -> dict | None:
    """The venue from what is known of it; None when nothing is (a venue still 未定)."""
    if not (name or street_address or region):
        return None
    address = {"@type": "PostalAddress", "addressCountry": "JP"}
    if region:
        address["addressRegion"] = region
    if street_address:
        address["streetAddress"] = street_address
    venue = {"@type": "Place"}
    if name:
        venue["name"] = name
    venue["address"] = address
    return venue


def availability(seats_left: Iterable[int | None]) -> str:
    """Over the ways of attending (None: no limit): sold out when none has a seat, limited when
    even the roomiest has few."""
    left = list(seats_left)
    if not left or None in left:
        return IN_STOCK
    most = max(left)
    if most == 0:
        return SOLD_OUT
    return LIMITED_AVAILABILITY if most <= FEW_SEATS else IN_STOCK


def offer(*, url: str, closes_at: dt.datetime | None, availability: str) -> dict:
    """Registration while it is open. No price: no model records a fee (fee_note is free text)."""
    data = {"@type": "Offer", "url": url, "availability": availability}
    if closes_at is not None:
        # schema.org's validThrough is the moment the offer stops being valid: the close itself.
        data["validThrough"] = iso(closes_at)
    return data


def event(
    *,
    name: str,
    url: str,
    start: dt.date | dt.datetime,
    end: dt.date | dt.datetime | None = None,
    description: str = "",
    in_person: bool,
    online: bool,
    venue: dict | None = None,
    organizer: list[dict] | None = None,
    offers: dict | None = None,
) -> dict:
    """A schema.org Event. The VirtualLocation is the public page ``url``: the meeting link is
    mailed to registrants only and must never reach a page."""
    data = {"@context": SCHEMA_ORG, "@type": "Event", "name": name, "url": url}
    if description:
        data["description"] = description
    data["startDate"] = iso(start)
    if end is not None:
        data["endDate"] = iso(end)
    # Neither seminars nor summits record a cancellation or a postponement.
    data["eventStatus"] = f"{SCHEMA_ORG}/EventScheduled"
    data["eventAttendanceMode"] = _ATTENDANCE_MODES[(in_person, online)]
    location = [venue] if venue else []
    if online:
        location.append({"@type": "VirtualLocation", "url": url})
    if location:
        data["location"] = location
    if organizer:
        data["organizer"] = organizer
    if offers:
        data["offers"] = offers
    return data
