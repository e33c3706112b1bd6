import datetime as dt

from django import template

from portal.eras import format_day, format_fiscal_year_for_reader, format_weekday

from ..forms import RegistrationForm, registration_form_html

register = template.Library()


@register.filter
def wareki(day: dt.date | None) -> str:
    """「令和7年9月30日（火）」 ("Tue 30 September 2025" on an English page)."""
    return format_day(day) if day else ""


@register.filter
def fiscal_year(year: int | None) -> str:
    return format_fiscal_year_for_reader(year) if year else ""


@register.filter
def hhmm(value: dt.time | None) -> str:
    return f"{value.hour}:{value.minute:02d}" if value else ""


@register.filter
def month_day(day: dt.date | None) -> str:
    """「9/30」 as the flyer writes dates."""
    return f"{day.month}/{day.day}" if day else ""


@register.filter
def weekday(day: dt.date | None) -> str:
    return format_weekday(day) if day else ""


@register.filter
def strip_prefix(value: str, prefix: str) -> str:
    """「特定非営利活動法人… 常勤理事」 less the linked organization's name: 「 常勤理事」."""
    return value[len(prefix) :] if value and prefix and value.startswith(prefix) else value


@register.simple_tag(takes_context=True)
def registration_form(context, form: RegistrationForm) -> str:
    """``{% crispy form %}`` for the registration form, the empty one rendered once per process."""
    return registration_form_html(form, csrf_token=str(context.get("csrf_token") or ""))
