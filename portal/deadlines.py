"""Deadlines stated as a day ("受付締切 9/23（火）") close at the end of that day in Japan.

Flyers and forms state a date, not a time. The portal reads "締切 9/23" as open through
9/23 23:59:59.999999 Asia/Tokyo and closed from 9/24 00:00 Asia/Tokyo, whatever the
server's own time zone.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

JAPAN = ZoneInfo("Asia/Tokyo")


def today_jst(now: dt.datetime | None = None) -> dt.date:
    """The date in Japan at ``now`` (default: this moment), whatever the server's time zone."""
    return (now or timezone.now()).astimezone(JAPAN).date()


def end_of_day_jst(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in Japan: the moment a deadline of ``day`` closes."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=JAPAN)


def is_before_deadline(day: dt.date, *, now: dt.datetime | None = None) -> bool:
    """True while a deadline stated as ``day`` is still open."""
    return (now or timezone.now()) < end_of_day_jst(day)


def combine_jst(day: dt.date, time: dt.time) -> dt.datetime:
    """An aware datetime for a local Japanese date and time (event start and end times)."""
    return dt.datetime.combine(day, time, tzinfo=JAPAN)
