"""The summit program as iCalendar events (portal.calendar builds the file)."""

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _

from portal.calendar import CalendarEvent, build_calendar, event_uid
from portal.deadlines import combine_jst

from .models import Session, Summit


def _summit_label(summit: Summit) -> str:
    return _("【デモ】%(title)s") % {"title": summit.title} if summit.is_demo else summit.title


def session_event(session: Session, *, summit: Summit) -> CalendarEvent:
    """A timed session at its Japanese times; an untimed one (現地視察) as an all-day event."""
    if session.is_timed:
        start = combine_jst(session.day, session.start_time)
        end = combine_jst(session.day, session.end_time)
    else:
        start, end = session.day, session.day + dt.timedelta(days=1)
    title = session.display_title + session.slot_label
    lines = []
    if session.speaker_name:
        lines.append(" ".join(p for p in (session.speaker_name, session.speaker_affiliation, session.speaker_title) if p))
    if session.kind == "breakout":
        lines.extend(str(track) for track in summit.tracks.all())
    if session.description:
        lines.append(session.description)
    return CalendarEvent(
        uid=event_uid("summit-session", session.pk),
        summary=f"{_summit_label(summit)} {title}",
        start=start,
        end=end,
        location=summit.venue,
        description="\n".join(lines),
        url=settings.SITE_URL.rstrip("/") + summit.get_absolute_url(),
    )


def summit_calendar(summit: Summit) -> bytes:
    """The whole program; expects a summit from selectors.summit_get_public (prefetched)."""
    return build_calendar((session_event(s, summit=summit) for s in summit.sessions.all()), name=_summit_label(summit))


def session_calendar(session: Session, *, summit: Summit) -> bytes:
    return build_calendar([session_event(session, summit=summit)], name=_summit_label(summit))
