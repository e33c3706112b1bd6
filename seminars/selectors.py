"""Reads shared by the views, each page in a fixed number of queries."""

import datetime as dt

import jaconv
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.deadlines import JAPAN

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


def _today_jst(now: dt.datetime | None) -> dt.date:
    return (now or timezone.now()).astimezone(JAPAN).date()


def seminar_list_upcoming(*, now: dt.datetime | None = None) -> QuerySet[Seminar]:
    return with_counts(Seminar.objects.filter(is_published=True, date__gte=_today_jst(now))).select_related(
        "prefecture"
    ).order_by("date", "start_time", "id")


def seminar_list_past(*, now: dt.datetime | None = None) -> QuerySet[Seminar]:
    return (
        Seminar.objects.filter(is_published=True, date__lt=_today_jst(now))
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


def registration_search(*, seminar: Seminar, q: str = "", limit: int = 50) -> QuerySet[Registration]:
    """Live registrations for the check-in desk, by name or kana (hiragana or katakana)."""
    queryset = Registration.objects.filter(seminar=seminar).exclude(status=RegistrationStatus.CANCELLED)
    q = q.strip()
    if q:
        hira, kata = jaconv.kata2hira(q), jaconv.hira2kata(q)
        queryset = queryset.filter(
            Q(name__icontains=q) | Q(kana__icontains=hira) | Q(kana__icontains=kata) | Q(email_normalized__startswith=q.lower())
        )
    return queryset.order_by("kana", "id")[:limit]


def registration_by_token(*, token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return Registration.objects.select_related("seminar", "municipality").filter(token=token).first()


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
