"""A registration's seminar as an iCalendar file: the same bytes for the mail's attachment and the
token page's download (portal.calendar builds the file)."""

from django.utils.translation import gettext as _

from portal.calendar import CalendarEvent, build_calendar, event_uid

from .enums import AttendanceMode
from .links import absolute, has_calendar, registration_url
from .models import Registration


def registration_location(registration: Registration) -> str:
    seminar = registration.seminar
    if registration.mode != AttendanceMode.VENUE:
        return _("オンライン")
    if seminar.venue_address:
        return f"{seminar.venue_name}（{seminar.venue_address}）"
    return seminar.venue_name


def registration_calendar(registration: Registration) -> bytes | None:
    """None when the registration has no date to keep (links.has_calendar)."""
    if not has_calendar(registration):
        return None
    seminar = registration.seminar
    event = CalendarEvent(
        uid=event_uid("seminar", seminar.pk),
        summary=str(seminar),
        start=seminar.starts_at,
        end=seminar.ends_at,
        location=registration_location(registration),
        description=registration_url(registration),
        url=absolute(seminar.get_absolute_url()),
    )
    return build_calendar([event], name=str(seminar))


def registration_calendar_filename(registration: Registration) -> str:
    return f"seminar-{registration.seminar.slug}.ics"
