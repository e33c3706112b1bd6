"""Japanese era (和暦) formatting: 令和7年10月27日（月）.

Hand-written rather than a library: the candidates on the package index either pin old
major versions of their dependencies (japanera needs pydantic 1) or do not handle the
first year (元年). The table below covers every date the portal can show; it is tested at
each boundary, including 平成→令和 on 2019-05-01.
"""

import datetime as dt
from typing import NamedTuple

from django.utils.formats import date_format
from django.utils.translation import get_language

WEEKDAYS_JA = ("月", "火", "水", "木", "金", "土", "日")


class Era(NamedTuple):
    name: str
    first_day: dt.date


# Newest first, so the first era whose first day is on or before a date is its era.
ERAS = (
    Era("令和", dt.date(2019, 5, 1)),
    Era("平成", dt.date(1989, 1, 8)),
    Era("昭和", dt.date(1926, 12, 25)),
    Era("大正", dt.date(1912, 7, 30)),
    Era("明治", dt.date(1868, 10, 23)),
)


def era_of(day: dt.date) -> tuple[str, int]:
    """Return the era name and the year within it (1 for 元年)."""
    if isinstance(day, dt.datetime):
        day = day.date()
    for era in ERAS:
        if day >= era.first_day:
            return era.name, day.year - era.first_day.year + 1
    raise ValueError(f"{day.isoformat()} is before 明治 and has no supported era")


def era_year(day: dt.date, *, gannen: bool = True) -> str:
    """「令和7年」, or 「令和元年」 for the first year."""
    name, year = era_of(day)
    return f"{name}{'元' if year == 1 and gannen else year}年"


def weekday_ja(day: dt.date) -> str:
    return WEEKDAYS_JA[day.weekday()]


def format_wareki(day: dt.date, *, weekday: bool = True) -> str:
    """「令和7年10月27日（月）」 (weekday in full-width parentheses, as ministry documents write it)."""
    if isinstance(day, dt.datetime):
        day = day.date()
    text = f"{era_year(day)}{day.month}月{day.day}日"
    if weekday:
        text += f"（{weekday_ja(day)}）"
    return text


def fiscal_year_of(day: dt.date) -> int:
    """Japanese fiscal year (年度): April to March. 2026-03-31 is in FY2025."""
    return day.year if day.month >= 4 else day.year - 1


def format_fiscal_year(fiscal_year: int) -> str:
    """「令和7年度」 for fiscal year 2025.

    A fiscal year in which a new era began is named in the new era, as the government
    renamed FY2019 「令和元年度」 though it began on 2019-04-01, still 平成31年.
    """
    for era in ERAS:
        if era.first_day <= dt.date(fiscal_year + 1, 3, 31) and era.first_day.year <= fiscal_year:
            year = fiscal_year - era.first_day.year + 1
            return f"{era.name}{'元' if year == 1 else year}年度"
    raise ValueError(f"fiscal year {fiscal_year} is before 明治")


# ---------------------------------------------------------------- the reader's language
# Japanese pages write dates in the era, as ministry documents do; the English pages (/en/)
# write them as English does, in the Gregorian calendar, through Django's locale formats.


def _japanese() -> bool:
    return (get_language() or "ja").split("-")[0] == "ja"


def format_day(day: dt.date, *, weekday: bool = True) -> str:
    """「令和7年10月27日（月）」 on a Japanese page, "Mon 27 October 2025" on an English one."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if _japanese():
        return format_wareki(day, weekday=weekday)
    return date_format(day, "D j F Y" if weekday else "j F Y")


def format_day_span(first: dt.date, last: dt.date) -> str:
    """A run of days: 「令和7年10月27日（月）、28日（火）」 / 「…～29日（水）」 in Japanese,
    "Mon 27 – Wed 29 October 2025" in English (month and year written once when shared)."""
    if last == first:
        return format_day(first)
    if _japanese():
        separator = "、" if (last - first).days == 1 else "～"
        if era_year(first) != era_year(last):
            tail = format_wareki(last)
        elif first.month != last.month:
            tail = f"{last.month}月{last.day}日（{weekday_ja(last)}）"
        else:
            tail = f"{last.day}日（{weekday_ja(last)}）"
        return f"{format_wareki(first)}{separator}{tail}"
    if (first.year, first.month) == (last.year, last.month):
        head = date_format(first, "D j")
    elif first.year == last.year:
        head = date_format(first, "D j F")
    else:
        head = format_day(first)
    return f"{head} – {format_day(last)}"


def format_weekday(day: dt.date) -> str:
    """「火」 on a Japanese page, "Tue" on an English one."""
    return weekday_ja(day) if _japanese() else date_format(day, "D")


def format_fiscal_year_for_reader(fiscal_year: int) -> str:
    """「令和7年度」 on a Japanese page, "FY2025" (April 2025 to March 2026) on an English one."""
    return format_fiscal_year(fiscal_year) if _japanese() else f"FY{fiscal_year}"
