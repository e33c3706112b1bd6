import datetime as dt

import pytest

from portal.eras import era_of, format_fiscal_year, format_wareki, fiscal_year_of


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
