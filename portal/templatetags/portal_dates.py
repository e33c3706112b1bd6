"""Dates both ways for every app: {{ day|wareki }} 令和7年10月27日（月）, {{ day|iso_date }} 2025-10-27."""

import datetime as dt

from django import template
from django.utils import timezone

from portal.deadlines import JAPAN
from portal.eras import format_day, format_day_span

register = template.Library()


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(JAPAN)
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


@register.filter
def wareki(value, arg: str = "") -> str:
    """「令和7年10月27日（月）」 ("Mon 27 October 2025" on an English page); ``|wareki:"noweekday"``
    leaves the weekday out. Empty for no date."""
    day = _as_date(value)
    if day is None:
        return ""
    return format_day(day, weekday=arg != "noweekday")


@register.filter
def iso_date(value) -> str:
    """「2025-10-27」 (ISO 8601), the unambiguous form beside the era date. Empty for no date."""
    day = _as_date(value)
    return day.isoformat() if day else ""


@register.simple_tag
def wareki_span(first, last) -> str:
    """A run of days as ministry documents write it.

    「令和7年10月27日（月）、28日（火）」 for two days in a row, 「令和7年10月27日（月）～29日（水）」
    for more, and the month (or the era year) repeated only when it changes; on an English
    page "Mon 27 – Tue 28 October 2025".
    """
    first, last = _as_date(first), _as_date(last)
    if first is None:
        return ""
    return format_day_span(first, last or first)


@register.simple_tag
def iso_span(first, last) -> str:
    """「2025-10-27～2025-10-28」, or one date for a one-day event."""
    first, last = _as_date(first), _as_date(last)
    if first is None:
        return ""
    if last is None or last == first:
        return first.isoformat()
    return f"{first.isoformat()}～{last.isoformat()}"
