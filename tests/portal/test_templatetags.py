import datetime as dt

import pytest
from django.template import Context, Template

from portal.templatetags.portal_dates import iso_date, iso_span, wareki, wareki_span


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2025, 10, 27), "令和7年10月27日（月）"),
        (dt.date(2019, 5, 1), "令和元年5月1日（水）"),
        (dt.date(2019, 4, 30), "平成31年4月30日（火）"),
        (dt.date(1989, 1, 8), "平成元年1月8日（日）"),
        # An aware datetime is shown as its date in Japan: 15:00 UTC is already the next day.
        (dt.datetime(2025, 10, 2, 15, 0, tzinfo=dt.UTC), "令和7年10月3日（金）"),
        (None, ""),
        ("", ""),
    ],
)
def test_wareki(value, expected):
    assert wareki(value) == expected


def test_wareki_without_weekday():
    assert wareki(dt.date(2025, 10, 3), "noweekday") == "令和7年10月3日"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(dt.date(2025, 10, 27), "2025-10-27"), (dt.datetime(2025, 10, 2, 15, 0, tzinfo=dt.UTC), "2025-10-03"), (None, "")],
)
def test_iso_date(value, expected):
    assert iso_date(value) == expected


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (dt.date(2025, 10, 27), dt.date(2025, 10, 28), "令和7年10月27日（月）、28日（火）"),
        (dt.date(2024, 11, 5), dt.date(2024, 11, 6), "令和6年11月5日（火）、6日（水）"),
        (dt.date(2025, 10, 27), dt.date(2025, 10, 29), "令和7年10月27日（月）～29日（水）"),
        (dt.date(2025, 10, 31), dt.date(2025, 11, 1), "令和7年10月31日（金）、11月1日（土）"),
        (dt.date(2019, 4, 30), dt.date(2019, 5, 1), "平成31年4月30日（火）、令和元年5月1日（水）"),
        (dt.date(2025, 10, 27), dt.date(2025, 10, 27), "令和7年10月27日（月）"),
    ],
)
def test_wareki_span(first, last, expected):
    assert wareki_span(first, last) == expected


def test_iso_span():
    assert iso_span(dt.date(2025, 10, 27), dt.date(2025, 10, 28)) == "2025-10-27～2025-10-28"
    assert iso_span(dt.date(2025, 10, 27), dt.date(2025, 10, 27)) == "2025-10-27"


def test_filters_in_a_template():
    template = Template("{% load portal_dates %}{{ day|wareki }} / {{ day|iso_date }}")

    assert template.render(Context({"day": dt.date(2025, 10, 27)})) == "令和7年10月27日（月） / 2025-10-27"
