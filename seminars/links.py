"""The absolute links a registration's mails and pages carry, and which of them a registration has.

Mail read behind LGWAN's 無害化 loses its attachments, so every file a mail attaches (the .ics,
the 受付票 QR) is also on a page under the person's token, and the mail gives that page's URL.
"""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from .enums import AttendanceMode, RegistrationStatus
from .models import Registration

GOOGLE_CALENDAR_TEMPLATE = "https://calendar.google.com/calendar/render"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def registration_url(registration: Registration) -> str:
    return absolute(reverse("seminars:registration_detail", kwargs={"token": registration.token}))


def checkin_url(registration: Registration) -> str:
    """What the 受付票 QR holds: the staff check-in page, by the check-in token only."""
    return absolute(reverse("seminars:checkin_registration", kwargs={"token": registration.checkin_token}))


def has_calendar(registration: Registration) -> bool:
    """A confirmed place at a seminar whose times are set: a waiting-list place is not a date to keep yet."""
    seminar = registration.seminar
    return (
        registration.status == RegistrationStatus.CONFIRMED
        and not registration.is_anonymized
        and seminar.starts_at is not None
        and seminar.ends_at is not None
    )


def has_ticket(registration: Registration) -> bool:
    """The 受付票 is for the door: confirmed places at the venue only."""
    return (
        registration.status == RegistrationStatus.CONFIRMED
        and registration.mode == AttendanceMode.VENUE
        and not registration.is_anonymized
    )


def calendar_url(registration: Registration) -> str:
    """The .ics under the token, or "" when the registration has none."""
    if not has_calendar(registration):
        return ""
    return absolute(reverse("seminars:registration_calendar", kwargs={"token": registration.token}))


def ticket_url(registration: Registration) -> str:
    """The 受付票 page under the token, or "" when the registration has none."""
    if not has_ticket(registration):
        return ""
    return absolute(reverse("seminars:registration_ticket", kwargs={"token": registration.token}))


@dataclass(frozen=True)
class RegistrationLinks:
    """What a mail about one registration links to, each URL on its own line ("" = not offered)."""

    registration: Registration
    registration_url: str
    calendar_url: str
    ticket_url: str


def links_for(registration: Registration) -> RegistrationLinks:
    return RegistrationLinks(
        registration=registration,
        registration_url=registration_url(registration),
        calendar_url=calendar_url(registration),
        ticket_url=ticket_url(registration),
    )


def google_calendar_url(registration: Registration, *, location: str) -> str:
    """A link the person may choose to follow; the page loads nothing from it.

    It carries only what the public seminar page says (title, times, venue, its URL), never
    the person's token link: the query string goes to a third party.
    """
    seminar = registration.seminar
    if not has_calendar(registration):
        return ""
    stamp = "%Y%m%dT%H%M%SZ"
    dates = f"{seminar.starts_at.astimezone(dt.UTC):{stamp}}/{seminar.ends_at.astimezone(dt.UTC):{stamp}}"
    query = {
        "action": "TEMPLATE",
        "text": str(seminar),
        "dates": dates,
        "location": location,
        "details": absolute(seminar.get_absolute_url()),
    }
    return f"{GOOGLE_CALENDAR_TEMPLATE}?{urlencode(query)}"
