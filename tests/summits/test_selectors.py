import datetime as dt

import pytest

from portal.deadlines import JAPAN
from summits.selectors import summit_list_upcoming, summit_partition

from .factories import make_summit

pytestmark = pytest.mark.django_db


def test_summit_partition_uses_the_japanese_date():
    ends_today = make_summit(first_day=dt.date(2026, 11, 25), last_day=dt.date(2026, 11, 26), application_deadline=None)
    ended = make_summit(first_day=dt.date(2025, 10, 27), last_day=dt.date(2025, 10, 28), application_deadline=None)
    # 2026-11-26 15:00 UTC is already 2026-11-27 in Japan: the summit ending on the 26th is past.
    now = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)

    upcoming, past = summit_partition([ends_today, ended], now=now)
    upcoming_before, _past = summit_partition([ends_today, ended], now=dt.datetime(2026, 11, 26, 23, 59, tzinfo=JAPAN))

    assert (upcoming, past) == ([], [ends_today, ended])
    assert upcoming_before == [ends_today]


def test_summit_list_upcoming_soonest_first_and_published_only():
    later = make_summit(first_day=dt.date(2028, 1, 10), last_day=dt.date(2028, 1, 11), application_deadline=None)
    sooner = make_summit(first_day=dt.date(2027, 1, 10), last_day=dt.date(2027, 1, 11), application_deadline=None)
    make_summit(first_day=dt.date(2027, 2, 1), last_day=dt.date(2027, 2, 2), is_published=False, application_deadline=None)
    make_summit(first_day=dt.date(2024, 11, 5), last_day=dt.date(2024, 11, 6), application_deadline=None)

    result = list(summit_list_upcoming(now=dt.datetime(2026, 11, 26, 12, 0, tzinfo=JAPAN)))

    assert result == [sooner, later]
