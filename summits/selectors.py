"""Reads shared by the summit pages, the staff pages and the services."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from municipalities.models import Municipality
from portal.capacity import seats_left
from portal.deadlines import today_jst

from .enums import ApplicationStatus
from .models import Application, BreakoutTrack, Delegate, Session, SiteVisitCourse, Summit, TrackPresenter


def summit_list_public() -> QuerySet[Summit]:
    return Summit.objects.filter(is_published=True).order_by("-first_day", "pk")


def summit_partition(summits, *, now: dt.datetime | None = None) -> tuple[list[Summit], list[Summit]]:
    """Split summits into (current and upcoming, soonest first) and (past, newest first)."""
    today = today_jst(now)
    upcoming = sorted((s for s in summits if s.last_day >= today), key=lambda s: (s.first_day, s.pk))
    past = [s for s in summits if s.last_day < today]
    return upcoming, past


def summit_list_upcoming(*, now: dt.datetime | None = None) -> QuerySet[Summit]:
    """Current and upcoming published summits, soonest first (the home page takes the first 3)."""
    today = today_jst(now)
    return summit_list_public().filter(last_day__gte=today).order_by("first_day", "pk")


def _tracks_with_presenters() -> Prefetch:
    presenters = TrackPresenter.objects.select_related("municipality__prefecture")
    return Prefetch("tracks", queryset=BreakoutTrack.objects.prefetch_related(Prefetch("presenters", queryset=presenters)))


def summit_get_public(*, slug: str) -> Summit:
    """A published summit with its timetable, tracks (with presenters) and courses: 5 queries."""
    return summit_with_program(summit_list_public()).get(slug=slug)


def summit_with_program(summits: QuerySet[Summit]) -> QuerySet[Summit]:
    return (
        summits.prefetch_related(
            Prefetch("sessions", queryset=Session.objects.order_by("day", "order", "start_time", "pk")),
            _tracks_with_presenters(),
            Prefetch("site_visit_courses", queryset=SiteVisitCourse.objects.order_by("order", "pk")),
        )
    )


@dataclass(frozen=True)
class TimetableDay:
    day: dt.date
    sessions: list[Session]
    courses: list[SiteVisitCourse]


def summit_timetable(summit: Summit) -> list[TimetableDay]:
    """The program day by day, from a summit fetched with summit_get_public()."""
    sessions = list(summit.sessions.all())
    courses = list(summit.site_visit_courses.all())
    return [
        TimetableDay(
            day=day,
            sessions=[s for s in sessions if s.day == day],
            courses=[c for c in courses if c.day == day],
        )
        for day in summit.days
    ]


def track_taken_counts(*, summit: Summit, exclude_application: Application | None = None) -> Counter:
    """Delegates of live applications per track id."""
    return _taken_counts(summit=summit, field="track_id", exclude_application=exclude_application)


def course_taken_counts(*, summit: Summit, exclude_application: Application | None = None) -> Counter:
    """Delegates of live applications per site-visit course id."""
    return _taken_counts(summit=summit, field="site_visit_course_id", exclude_application=exclude_application)


def _taken_counts(*, summit: Summit, field: str, exclude_application: Application | None) -> Counter:
    delegates = Delegate.objects.filter(
        application__summit=summit, application__status=ApplicationStatus.SUBMITTED, **{f"{field}__isnull": False}
    )
    if exclude_application is not None:
        delegates = delegates.exclude(application=exclude_application)
    return Counter(dict(_group_count(delegates, field)))


def _group_count(delegates: QuerySet[Delegate], field: str):
    return delegates.values_list(field).annotate(n=Count("pk")).values_list(field, "n").order_by()


@dataclass(frozen=True)
class Availability:
    item: BreakoutTrack | SiteVisitCourse
    capacity: int | None
    taken: int

    @property
    def left(self) -> int | None:
        return seats_left(capacity=self.capacity, taken=self.taken)

    @property
    def is_full(self) -> bool:
        return self.left == 0


def summit_availability(*, summit: Summit) -> tuple[list[Availability], list[Availability]]:
    """(tracks, courses) with seats taken by live applications, for forms and staff pages."""
    track_counts = track_taken_counts(summit=summit)
    course_counts = course_taken_counts(summit=summit)
    tracks = [Availability(t, t.capacity, track_counts[t.pk]) for t in summit.tracks.order_by("number")]
    courses = [
        Availability(c, c.capacity, course_counts[c.pk]) for c in summit.site_visit_courses.order_by("order", "pk")
    ]
    return tracks, courses


def application_get_by_token(*, token: str) -> Application:
    return (
        Application.objects.select_related("summit", "municipality__prefecture")
        .prefetch_related(
            Prefetch("delegates", queryset=Delegate.objects.select_related("track", "site_visit_course"))
        )
        .get(token=token)
    )


def application_live_for(*, summit: Summit, municipality: Municipality) -> Application | None:
    return Application.objects.filter(
        summit=summit, municipality=municipality, status=ApplicationStatus.SUBMITTED
    ).first()


def summit_delegates(*, summit: Summit) -> QuerySet[Delegate]:
    """Delegates of live applications, by prefecture and municipality code (staff lists, exports)."""
    return (
        Delegate.objects.filter(application__summit=summit, application__status=ApplicationStatus.SUBMITTED)
        .select_related("application__municipality__prefecture", "application__summit", "track", "site_visit_course")
        .order_by("application__municipality__code", "order", "pk")
    )


def summit_applications_by_prefecture(*, summit: Summit) -> list[tuple[object, list[Application]]]:
    """Live applications grouped by prefecture, in prefecture code order."""
    applications = (
        Application.objects.filter(summit=summit, status=ApplicationStatus.SUBMITTED)
        .select_related("municipality__prefecture")
        .prefetch_related("delegates")
        .order_by("municipality__code")
    )
    groups: dict[object, list[Application]] = defaultdict(list)
    for application in applications:
        groups[application.municipality.prefecture].append(application)
    return sorted(groups.items(), key=lambda item: item[0].code)


def summit_participation_for_municipality(*, municipality: Municipality) -> QuerySet[Summit]:
    """Published summits to which ``municipality`` sent a delegation, newest first (one query).

    For the municipality page: whether it took part, never who came.
    """
    return (
        Summit.objects.filter(
            is_published=True,
            applications__municipality=municipality,
            applications__status=ApplicationStatus.SUBMITTED,
        )
        .distinct()
        .order_by("-first_day", "-id")
    )
