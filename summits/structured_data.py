"""The summit timetable page's schema.org Event (portal.structured_data builds it)."""

from django.urls import reverse

from portal import structured_data as sd
from portal.deadlines import combine_jst

from .models import Summit


def summit_event(summit: Summit) -> dict:
    """A summit is attended in person only; the model holds no online channel."""
    start = combine_jst(summit.first_day, summit.program_start) if summit.program_start else summit.first_day
    # program_end is the end of day 1: it ends a one-day summit, a longer one ends on its last day.
    if summit.program_end and summit.last_day == summit.first_day:
        end = combine_jst(summit.first_day, summit.program_end)
    else:
        end = summit.last_day
    offers = None
    if summit.is_registration_open():
        # Tracks and site-visit courses are optional and the summit itself has no capacity:
        # a delegation can always apply while the deadline is open.
        offers = sd.offer(
            url=sd.absolute(reverse("summits:register", kwargs={"slug": summit.slug})),
            closes_at=summit.deadline_closes_at,
            availability=sd.IN_STOCK,
        )
    return sd.event(
        name=sd.event_name(summit.title, is_demo=summit.is_demo),
        url=sd.absolute(summit.get_absolute_url()),
        start=start,
        end=end,
        description=summit.description,
        in_person=True,
        online=False,
        venue=sd.place(name=summit.venue, street_address=summit.venue_address),
        organizer=sd.organizers(summit.organizers),
        offers=offers,
    )
