"""Reads shared by the views, each page in a fixed number of queries."""

import datetime as dt
import unicodedata

import jaconv
from django.db.models import Count, F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.shortcuts import get_object_or_404

from portal.deadlines import today_jst

from .enums import AttendanceMode, RegistrationSource, RegistrationStatus
from .models import ProgramItem, Registration, Seminar


def _confirmed(mode: str) -> Count:
    return Count(
        "registrations",
        filter=Q(registrations__mode=mode, registrations__status=RegistrationStatus.CONFIRMED),
    )


def with_counts(queryset: QuerySet[Seminar]) -> QuerySet[Seminar]:
    """Annotate confirmed seats per mode (venue_taken, online_taken) in the same query."""
    return queryset.annotate(venue_taken=_confirmed(AttendanceMode.VENUE), online_taken=_confirmed(AttendanceMode.ONLINE))


def seminar_list_upcoming(*, now: dt.datetime | None = None) -> QuerySet[Seminar]:
    return with_counts(Seminar.objects.filter(is_published=True, date__gte=today_jst(now))).select_related(
        "prefecture"
    ).order_by("date", "start_time", "id")


def seminar_list_past(*, now: dt.datetime | None = None) -> QuerySet[Seminar]:
    return (
        Seminar.objects.filter(is_published=True, date__lt=today_jst(now))
        .select_related("prefecture")
        .order_by("-date", "-start_time", "-id")
    )


def seminar_detail(*, slug: str, include_unpublished: bool = False) -> Seminar:
    """One seminar with its counts and program (organizations prefetched): 3 queries."""
    queryset = Seminar.objects.all() if include_unpublished else Seminar.objects.filter(is_published=True)
    program = ProgramItem.objects.order_by("order").prefetch_related("organizations")
    return get_object_or_404(
        with_counts(queryset).select_related("prefecture").prefetch_related(Prefetch("program_items", queryset=program)),
        slug=slug,
    )


def seminar_for_registration(*, slug: str) -> Seminar:
    """Just the seminar row, for a registration POST: the service counts seats under its lock."""
    return get_object_or_404(Seminar.objects.filter(is_published=True), slug=slug)


def seminar_for_registration_page(*, slug: str) -> Seminar:
    """The seminar with its seats left, for the registration page: one query (the page shows
    no program, unlike seminar_detail)."""
    return get_object_or_404(with_counts(Seminar.objects.filter(is_published=True)), slug=slug)


def seminar_dashboard(*, seminar: Seminar) -> dict:
    """Counts for staff: per mode and status, checked in, from the flyer. One query."""
    counts = Registration.objects.filter(seminar=seminar).aggregate(
        venue_confirmed=Count("id", filter=Q(mode=AttendanceMode.VENUE, status=RegistrationStatus.CONFIRMED)),
        venue_waitlisted=Count("id", filter=Q(mode=AttendanceMode.VENUE, status=RegistrationStatus.WAITLISTED)),
        online_confirmed=Count("id", filter=Q(mode=AttendanceMode.ONLINE, status=RegistrationStatus.CONFIRMED)),
        online_waitlisted=Count("id", filter=Q(mode=AttendanceMode.ONLINE, status=RegistrationStatus.WAITLISTED)),
        cancelled=Count("id", filter=Q(status=RegistrationStatus.CANCELLED)),
        checked_in=Count("id", filter=Q(checked_in_at__isnull=False)),
        exchange=Count("id", filter=Q(joins_exchange=True, status=RegistrationStatus.CONFIRMED)),
        from_flyer=Count("id", filter=Q(source=RegistrationSource.FLYER) & ~Q(status=RegistrationStatus.CANCELLED)),
    )
    counts["venue_capacity"] = seminar.venue_capacity
    counts["online_capacity"] = seminar.online_capacity
    counts["venue_left"] = None if seminar.venue_capacity is None else max(seminar.venue_capacity - counts["venue_confirmed"], 0)
    counts["online_left"] = (
        None if seminar.online_capacity is None else max(seminar.online_capacity - counts["online_confirmed"], 0)
    )
    return counts


def normalize_for_search(text: str) -> str:
    """What people type at the desk, in one form: full-width digits and letters and half-width
    kana (ﾀﾅｶ) folded by NFKC, katakana as hiragana, lower case, no spaces at all (a name is
    typed with or without the space between family and given name).

    The same folding as organizations.search.normalize, minus the spaces; seminars does not
    import organizations, so it lives here until a shared text helper exists in portal.
    """
    text = jaconv.kata2hira(unicodedata.normalize("NFKC", text))
    return "".join(text.lower().split())


def _without_spaces(field: str):
    """The column with its ASCII and full-width spaces removed, for a space-insensitive match."""
    return Replace(Replace(F(field), Value(" "), Value("")), Value("\u3000"), Value(""))


def registration_search(*, seminar: Seminar, q: str = "", limit: int = 50) -> QuerySet[Registration]:
    """Live registrations for the check-in desk: by name or kana as people type them (with or
    without spaces, hiragana, katakana or half-width kana), by 受付番号 (also in full-width
    digits) or by the start of the address. One query."""
    queryset = Registration.objects.filter(seminar=seminar).exclude(status=RegistrationStatus.CANCELLED)
    term = normalize_for_search(q)
    if term:
        # Stored kana is hiragana (RegistrationForm.clean_kana); older or staff-typed rows and
        # katakana names may not be, so each column is asked in both scripts.
        forms = {term, jaconv.hira2kata(term)}
        queryset = queryset.alias(name_compact=_without_spaces("name"), kana_compact=_without_spaces("kana"))
        match = Q(email_normalized__startswith=term)
        for form in forms:
            match |= Q(name_compact__icontains=form) | Q(kana_compact__icontains=form)
        if term.isascii() and term.isdigit() and len(term) <= 9:  # within the integer column
            match |= Q(number=int(term))
        queryset = queryset.filter(match)
    return queryset.order_by("kana", "id")[:limit]


def registrations_live_upcoming_for_email(*, email_normalized: str, now: dt.datetime | None = None) -> list[Registration]:
    """The live registrations one address holds for seminars not yet held (today's included,
    or no date yet), in the seminars' order: what a 'resend my link' mail lists. One query."""
    if not email_normalized:
        return []
    upcoming = Q(seminar__date__gte=today_jst(now)) | Q(seminar__date__isnull=True)
    return list(
        Registration.objects.filter(upcoming, email_normalized=email_normalized, anonymized_at__isnull=True)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("seminar")
        .order_by(F("seminar__date").asc(nulls_last=True), "seminar__start_time", "seminar_id")
    )


def registration_by_token(*, token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return Registration.objects.select_related("seminar", "municipality").filter(token=token).first()


def registration_by_checkin_token(*, checkin_token: str) -> Registration | None:
    """The registration a scanned 受付票 belongs to (its own token: never the person's link)."""
    if not checkin_token or len(checkin_token) > 64:
        return None
    return Registration.objects.select_related("seminar", "municipality").filter(checkin_token=checkin_token).first()


def seminar_participation_for_municipality(*, municipality) -> QuerySet[Seminar]:
    """Published seminars that people from ``municipality`` attend or attended, with how many.

    For the municipality page: counts only, never names. One query.
    """
    live = Q(
        registrations__municipality=municipality,
        registrations__status=RegistrationStatus.CONFIRMED,
    )
    return (
        Seminar.objects.filter(is_published=True)
        .annotate(participants=Count("registrations", filter=live))
        .filter(participants__gt=0)
        .order_by("-date", "-id")
    )
