import datetime as dt

import pytest
from django.utils import translation

from portal.eras import (
    era_of,
    fiscal_year_of,
    format_day,
    format_day_span,
    format_fiscal_year,
    format_fiscal_year_for_reader,
    format_wareki,
    format_weekday,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2025, 10, 27), "令和7年10月27日（月）"),
        (dt.date(2025, 10, 3), "令和7年10月3日（金）"),
        (dt.date(2024, 11, 5), "令和6年11月5日（火）"),
        (dt.date(2019, 4, 30), "平成31年4月30日（火）"),
        (dt.date(2019, 5, 1), "令和元年5月1日（水）"),
        (dt.date(2020, 1, 1), "令和2年1月1日（水）"),
        (dt.date(1989, 1, 7), "昭和64年1月7日（土）"),
        (dt.date(1989, 1, 8), "平成元年1月8日（日）"),
    ],
)
def test_format_wareki_matches_official_notation(day, expected):
    assert format_wareki(day) == expected


def test_era_of_boundary_heisei_to_reiwa():
    assert era_of(dt.date(2019, 4, 30)) == ("平成", 31)
    assert era_of(dt.date(2019, 5, 1)) == ("令和", 1)


def test_era_of_before_meiji_raises():
    with pytest.raises(ValueError):
        era_of(dt.date(1868, 1, 1))


def test_fiscal_year_runs_april_to_march():
    assert fiscal_year_of(dt.date(2026, 3, 31)) == 2025
    assert fiscal_year_of(dt.date(2026, 4, 1)) == 2026
    assert format_fiscal_year(2025) == "令和7年度"
    assert format_fiscal_year(2019) == "令和元年度"
    assert format_fiscal_year(2018) == "平成30年度"
    assert format_fiscal_year(1988) == "昭和63年度"
    assert format_fiscal_year(1989) == "平成元年度"
    assert format_fiscal_year(2016) == "平成28年度"


# ---------------------------------------------------------------- the reader's language


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ja", ("令和7年9月30日（火）", "令和7年9月30日", "火", "令和7年度")),
        ("en", ("Tue 30 September 2025", "30 September 2025", "Tue", "FY2025")),
    ],
)
def test_dates_follow_the_page_language(language, expected):
    day = dt.date(2025, 9, 30)
    with translation.override(language):
        shown = (format_day(day), format_day(day, weekday=False), format_weekday(day), format_fiscal_year_for_reader(2025))

    assert shown == expected


@pytest.mark.parametrize(
    ("first", "last", "japanese", "english"),
    [
        (dt.date(2025, 10, 27), dt.date(2025, 10, 27), "令和7年10月27日（月）", "Mon 27 October 2025"),
        (dt.date(2025, 10, 27), dt.date(2025, 10, 28), "令和7年10月27日（月）、28日（火）", "Mon 27 – Tue 28 October 2025"),
        (dt.date(2025, 10, 30), dt.date(2025, 11, 2), "令和7年10月30日（木）～11月2日（日）", "Thu 30 October – Sun 2 November 2025"),
        (dt.date(2025, 12, 30), dt.date(2026, 1, 2), "令和7年12月30日（火）～令和8年1月2日（金）", "Tue 30 December 2025 – Fri 2 January 2026"),
    ],
)
def test_day_spans_in_each_language(first, last, japanese, english):
    with translation.override("ja"):
        shown_ja = format_day_span(first, last)
    with translation.override("en"):
        shown_en = format_day_span(first, last)

    assert (shown_ja, shown_en) == (japanese, english)
