import datetime as dt
from zoneinfo import ZoneInfo

from portal.deadlines import end_of_day_jst, is_before_deadline, today_jst

JST = ZoneInfo("Asia/Tokyo")


def test_deadline_day_is_open_until_its_last_second_in_japan():
    deadline = dt.date(2025, 9, 23)

    assert is_before_deadline(deadline, now=dt.datetime(2025, 9, 23, 23, 59, 59, tzinfo=JST)) is True
    assert is_before_deadline(deadline, now=dt.datetime(2025, 9, 24, 0, 0, 0, tzinfo=JST)) is False


def test_deadline_is_judged_in_japan_time_even_for_utc_clocks():
    deadline = dt.date(2025, 9, 23)
    # 2025-09-23 15:00 UTC is 2025-09-24 00:00 in Japan: closed.
    assert is_before_deadline(deadline, now=dt.datetime(2025, 9, 23, 15, 0, tzinfo=dt.UTC)) is False
    assert is_before_deadline(deadline, now=dt.datetime(2025, 9, 23, 14, 59, 59, tzinfo=dt.UTC)) is True


def test_end_of_day_jst_is_next_midnight_in_tokyo():
    assert end_of_day_jst(dt.date(2025, 10, 3)) == dt.datetime(2025, 10, 4, 0, 0, tzinfo=JST)


def test_today_jst_turns_at_midnight_in_japan_for_utc_clocks():
    # 15:00 UTC is midnight in Japan.
    assert today_jst(dt.datetime(2026, 12, 5, 14, 59, 59, tzinfo=dt.UTC)) == dt.date(2026, 12, 5)
    assert today_jst(dt.datetime(2026, 12, 5, 15, 0, 0, tzinfo=dt.UTC)) == dt.date(2026, 12, 6)


def test_today_jst_keeps_the_day_of_a_japanese_clock():
    assert today_jst(dt.datetime(2026, 12, 5, 23, 59, 59, tzinfo=JST)) == dt.date(2026, 12, 5)
    assert today_jst(dt.datetime(2026, 12, 6, 0, 0, 0, tzinfo=JST)) == dt.date(2026, 12, 6)
