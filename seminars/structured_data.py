"""The seminar page's schema.org Event (portal.structured_data builds it)."""

from django.urls import reverse

from portal import structured_data as sd

from .enums import AttendanceMode
from .models import Seminar


def seminar_event(seminar: Seminar) -> dict | None:
    """Needs a seminar from selectors.seminar_detail (seat counts, prefecture). None without a date.

    Never reads online_url: the meeting link is for confirmed registrants' mail only.
    """
    if seminar.date is None:
        return None
    venue = None
    if seminar.has_venue:
        venue = sd.place(
            name=seminar.venue_name,
            street_address=seminar.venue_address,
            region=seminar.prefecture.local_name if seminar.prefecture else "",
        )
    offers = None
    if seminar.is_registration_open():
        left = {AttendanceMode.VENUE: seminar.venue_seats_left, AttendanceMode.ONLINE: seminar.online_seats_left}
        offers = sd.offer(
            url=sd.absolute(reverse("seminars:register", kwargs={"slug": seminar.slug})),
            closes_at=seminar.registration_closes_at,
            availability=sd.availability(left[mode] for mode in seminar.modes),
        )
    return sd.event(
        name=sd.event_name(seminar.title, is_demo=seminar.is_demo),
        url=sd.absolute(seminar.get_absolute_url()),
        start=seminar.starts_at or seminar.date,
        end=seminar.ends_at,
        in_person=seminar.has_venue,
        online=seminar.has_online,
        venue=venue,
        organizer=sd.organizers(seminar.organizer),
        offers=offers,
    )
