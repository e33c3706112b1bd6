"""Every write of the summits app and the rules behind it.

Seats in breakout tracks and site-visit courses follow the house capacity rule: one
transaction locks the summit row (the owner of all its tracks' and courses' capacities, so
one lock covers both and no two locks can deadlock), counts the delegates of live
applications under that lock, then writes or refuses. The confirmation mail is queued in the
same transaction (portal.mail) and built and sent by the worker after commit.
"""

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from municipalities.models import Municipality
from portal.capacity import has_room, lock_for_capacity, seats_left
from portal.deadlines import is_before_deadline
from portal.errors import DomainError
from portal.mail import schedule_mail
from portal.tokens import new_token

from .enums import HEAD_ROLES, ApplicationStatus, DelegateRole
from .models import ANONYMIZED_LABEL, Application, BreakoutTrack, Delegate, SiteVisitCourse, Summit
from .selectors import application_live_for, course_taken_counts, track_taken_counts

MAIL_CONFIRMATION = "summits.application_confirmation"
MAIL_CHANGED = "summits.application_changed"
MAIL_CANCELLED = "summits.application_cancelled"

MAX_DELEGATES = 10


@dataclass(frozen=True)
class FullSeat:
    """A track or course that cannot take the delegates who chose it, counted under the lock.

    ``field`` names the delegate's choice ("track" or "site_visit_course") so that a form can
    put ``message`` on the row of each person who chose ``item_id``.
    """

    field: str
    item_id: int
    left: int
    wanted: int
    message: str


class SummitError(DomainError):
    """A summit rule refused the request. ``message`` is translated and shown to the user.

    ``code`` lets views place the message: "full" keeps the form and carries ``full``, one
    entry per track or course without room for its delegates; "already_received" carries the
    ``application`` the same form page already made; the others are about the whole form.
    """

    full: tuple[FullSeat, ...] = ()
    application: Application | None = None


@dataclass(frozen=True)
class DelegateInput:
    role: str
    name: str
    name_kana: str
    title: str
    email: str = ""
    track_id: int | None = None
    site_visit_course_id: int | None = None
    dietary_needs: str = ""
    accessibility_needs: str = ""


@dataclass(frozen=True)
class ContactInput:
    name: str
    department: str
    email: str
    phone: str


def application_create(
    *,
    summit: Summit,
    municipality: Municipality,
    contact: ContactInput,
    delegates: Sequence[DelegateInput],
    consent: bool,
    submission_key: str = "",
    now: dt.datetime | None = None,
) -> Application:
    """Apply for a municipality's delegation: one live application per municipality and summit.

    ``submission_key`` is the form page's own random key. The same page sent twice (a double
    tap: the second request waits on the lock until the first has committed) raises
    SummitError(code="already_received") carrying the application the first request made, so
    the browser opens it instead of a refusal, and no second mail is sent.
    """
    now = now or timezone.now()
    if not consent:
        raise SummitError(_("個人情報の利用目的に同意してください。"), code="consent")
    _check_delegation(delegates)
    try:
        with transaction.atomic(durable=True):
            summit = lock_for_capacity(Summit, pk=summit.pk)
            _check_open(summit, now=now)
            existing = application_live_for(summit=summit, municipality=municipality)
            if existing is not None and submission_key and existing.submission_key == submission_key:
                raise SummitError(
                    _("この参加申込はすでに受け付けています。内容はこのページで確認・変更できます。"),
                    code="already_received",
                    application=existing,
                )
            if existing is not None:
                raise SummitError(
                    _("%(municipality)sはすでにこのサミットに申し込んでいます。申込完了メールのリンクから内容を変更してください。")
                    % {"municipality": municipality.full_name},
                    code="duplicate",
                )
            _check_capacity(summit, delegates, exclude_application=None)
            application = Application.objects.create(
                summit=summit,
                municipality=municipality,
                token=new_token(),
                submission_key=submission_key,
                contact_name=contact.name,
                contact_department=contact.department,
                contact_email=contact.email,
                contact_phone=contact.phone,
                consented_at=now,
            )
            _write_delegates(application, delegates)
            schedule_mail(kind=MAIL_CONFIRMATION, object_id=application.pk)
    except IntegrityError as error:
        # The lock makes this unreachable in normal operation; the constraint is the backstop.
        if "one_live_application_per_municipality" in str(error):
            raise SummitError(
                _("%(municipality)sはすでにこのサミットに申し込んでいます。") % {"municipality": municipality.full_name},
                code="duplicate",
            ) from error
        raise
    return application


def application_update(
    *,
    application: Application,
    contact: ContactInput,
    delegates: Sequence[DelegateInput],
    now: dt.datetime | None = None,
) -> Application:
    """Replace a live application's contact and delegates, until the deadline (token link)."""
    now = now or timezone.now()
    _check_delegation(delegates)
    with transaction.atomic(durable=True):
        summit = lock_for_capacity(Summit, pk=application.summit_id)
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not application.is_live:
            raise SummitError(_("この申込は取り消されています。"), code="cancelled")
        _check_open(summit, now=now, changing=True)
        _check_capacity(summit, delegates, exclude_application=application)
        application.contact_name = contact.name
        application.contact_department = contact.department
        application.contact_email = contact.email
        application.contact_phone = contact.phone
        application.save()
        application.delegates.all().delete()
        _write_delegates(application, delegates)
        schedule_mail(kind=MAIL_CHANGED, object_id=application.pk)
    return application


def delegates_staff_check(*, application: Application, delegates: Sequence[DelegateInput]) -> None:
    """Staff changing delegates in the admin: the same seat rule as an applicant's change.

    Locks the summit and counts under the lock like application_update. It must run inside
    the transaction that then saves the delegates (the admin's change view is one), so that
    the lock lasts until they are written; raises SummitError(code="full") naming the tracks
    and courses with room. Deadlines and the delegation rules are the applicants' and do not
    bind staff; a withdrawn application holds no seats and is not checked.
    """
    if not application.is_live:
        return
    summit = lock_for_capacity(Summit, pk=application.summit_id)
    _check_capacity(summit, delegates, exclude_application=application if application.pk else None)


def application_cancel(*, application: Application, now: dt.datetime | None = None) -> Application:
    """Withdraw a delegation until the deadline; its seats become free in the same transaction."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        summit = lock_for_capacity(Summit, pk=application.summit_id)
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not application.is_live:
            raise SummitError(_("この申込はすでに取り消されています。"), code="cancelled")
        _check_open(summit, now=now, changing=True)
        application.status = ApplicationStatus.CANCELLED
        application.save(update_fields=["status", "updated_at"])
        schedule_mail(kind=MAIL_CANCELLED, object_id=application.pk)
    return application


def _check_open(summit: Summit, *, now: dt.datetime, changing: bool = False) -> None:
    """Open while published and before the end of the deadline day in Japan (24:00 JST)."""
    if not summit.is_published or summit.application_deadline is None:
        raise SummitError(_("このサミットはこのポータルで参加申込を受け付けていません。"), code="closed")
    if not is_before_deadline(summit.application_deadline, now=now):
        if changing:
            message = _("参加申込締切日を過ぎたため、変更・取消はできません。事務局へご連絡ください。")
        else:
            message = _("参加申込の受付は締め切りました。")
        raise SummitError(message, code="closed")


def _check_delegation(delegates: Sequence[DelegateInput]) -> None:
    if not delegates:
        raise SummitError(_("参加者を1名以上入力してください。"), code="delegation")
    if len(delegates) > MAX_DELEGATES:
        raise SummitError(
            _("参加者は1団体%(max)d名までです。") % {"max": MAX_DELEGATES}, code="delegation"
        )
    roles = Counter(d.role for d in delegates)
    if sum(roles[role] for role in HEAD_ROLES) == 0:
        raise SummitError(_("首長または副首長を1名含めてください。"), code="delegation")
    if roles[DelegateRole.MAYOR] > 1:
        raise SummitError(_("首長は1名のみ登録できます。"), code="delegation")


def _check_capacity(summit: Summit, delegates: Sequence[DelegateInput], *, exclude_application) -> None:
    """Count seats under the summit lock; refuse with the tracks and courses that still have room.

    Precondition: the caller holds lock_for_capacity(Summit, pk=summit.pk).
    """
    tracks = {t.pk: t for t in BreakoutTrack.objects.filter(summit=summit).order_by("number")}
    courses = {c.pk: c for c in SiteVisitCourse.objects.filter(summit=summit).order_by("order", "pk")}
    wanted_tracks = Counter(d.track_id for d in delegates if d.track_id is not None)
    wanted_courses = Counter(d.site_visit_course_id for d in delegates if d.site_visit_course_id is not None)
    if set(wanted_tracks) - set(tracks) or set(wanted_courses) - set(courses):
        raise SummitError(_("このサミットにない分科会または現地視察コースが選ばれています。"), code="invalid")

    taken_tracks = track_taken_counts(summit=summit, exclude_application=exclude_application)
    taken_courses = course_taken_counts(summit=summit, exclude_application=exclude_application)
    full_tracks = [
        tracks[pk]
        for pk, wanted in wanted_tracks.items()
        if not has_room(capacity=tracks[pk].capacity, taken=taken_tracks[pk], wanted=wanted)
    ]
    full_courses = [
        courses[pk]
        for pk, wanted in wanted_courses.items()
        if not has_room(capacity=courses[pk].capacity, taken=taken_courses[pk], wanted=wanted)
    ]
    if not full_tracks and not full_courses:
        return

    seats = [
        _full_seat("track", track, taken=taken_tracks[track.pk], wanted=wanted_tracks[track.pk]) for track in full_tracks
    ] + [
        _full_seat("site_visit_course", course, taken=taken_courses[course.pk], wanted=wanted_courses[course.pk])
        for course in full_courses
    ]
    lines = []
    if full_tracks:
        lines.append(_g("定員に達した分科会: %(items)s") % {"items": "、".join(str(t) for t in full_tracks)})
        lines.append(_room_line(_g("空きのある分科会"), tracks.values(), taken_tracks, exclude=full_tracks))
    if full_courses:
        lines.append(_g("定員に達した現地視察コース: %(items)s") % {"items": "、".join(str(c) for c in full_courses)})
        lines.append(_room_line(_g("空きのある現地視察コース"), courses.values(), taken_courses, exclude=full_courses))
    raise SummitError("\n".join(lines), code="full", full=tuple(seats))


def _full_seat(field: str, item, *, taken: int, wanted: int) -> FullSeat:
    left = seats_left(capacity=item.capacity, taken=taken)
    other = _g("ほかの分科会") if field == "track" else _g("ほかのコース")
    if left == 0:
        message = _g("%(item)sは満員です（残り0名）。%(other)sを選ぶか、「参加しない」を選んでください。") % {
            "item": item,
            "other": other,
        }
    else:
        message = _g(
            "%(item)sの残りは%(left)d名です（この申込では%(wanted)d名が選んでいます）。"
            "%(over)d名は%(other)sを選ぶか、「参加しない」を選んでください。"
        ) % {"item": item, "left": left, "wanted": wanted, "over": wanted - left, "other": other}
    return FullSeat(field=field, item_id=item.pk, left=left, wanted=wanted, message=message)


def seats_left_label(item, left: int) -> str:
    """「第1分科会（残り3名）」, for the form's choices and the refusals alike."""
    return ngettext("%(item)s（残り%(left)d名）", "%(item)s（残り%(left)d名）", left) % {"item": item, "left": left}


def _room_line(label: str, items, taken: Counter, *, exclude) -> str:
    room = []
    for item in items:
        if item in exclude:
            continue
        left = seats_left(capacity=item.capacity, taken=taken[item.pk])
        if left is None:
            room.append(_g("%(item)s（定員なし）") % {"item": item})
        elif left > 0:
            room.append(seats_left_label(item, left))
    if not room:
        return _g("%(label)s: ありません") % {"label": label}
    return _g("%(label)s: %(items)s") % {"label": label, "items": "、".join(room)}


def _write_delegates(application: Application, delegates: Sequence[DelegateInput]) -> None:
    Delegate.objects.bulk_create(
        Delegate(
            application=application,
            role=d.role,
            name=d.name,
            name_kana=d.name_kana,
            title=d.title,
            email=d.email,
            track_id=d.track_id,
            site_visit_course_id=d.site_visit_course_id,
            dietary_needs=d.dietary_needs,
            accessibility_needs=d.accessibility_needs,
            order=index,
        )
        for index, d in enumerate(delegates)
    )


# ---------------------------------------------------------------- program (staff, demo loader)


@dataclass(frozen=True)
class SessionData:
    day: dt.date
    kind: str
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    slot_label: str = ""
    title: str = ""
    description: str = ""
    speaker_name: str = ""
    speaker_affiliation: str = ""
    speaker_title: str = ""


@dataclass(frozen=True)
class TrackData:
    number: int
    theme: str
    coordinator_name: str = ""
    coordinator_affiliation: str = ""
    coordinator_title: str = ""
    capacity: int | None = None
    description: str = ""


@dataclass(frozen=True)
class CourseData:
    name: str
    day: dt.date
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    meeting_point: str = ""
    capacity: int | None = None
    description: str = ""


@transaction.atomic
def summit_program_sync(
    *,
    slug: str,
    fields: dict,
    sessions: Sequence[SessionData],
    tracks: Sequence[TrackData],
    courses: Sequence[CourseData],
) -> Summit:
    """Make a summit and its program exactly match the given data (idempotent).

    Rows are matched by natural keys (session: day, kind, slot; track: number; course: name)
    so applications that point at tracks or courses keep pointing at them; rows no longer
    in the data are removed, which PROTECT refuses while delegates still use them.
    """
    summit, _created = Summit.objects.update_or_create(slug=slug, defaults=fields)
    keep_sessions = []
    for order, data in enumerate(sessions):
        values = {k: v for k, v in data.__dict__.items() if k not in ("day", "kind", "slot_label")}
        session, _c = summit.sessions.update_or_create(
            day=data.day, kind=data.kind, slot_label=data.slot_label, defaults={**values, "order": order * 10}
        )
        keep_sessions.append(session.pk)
    summit.sessions.exclude(pk__in=keep_sessions).delete()

    keep_tracks = []
    for data in tracks:
        values = {k: v for k, v in data.__dict__.items() if k != "number"}
        track, _c = summit.tracks.update_or_create(number=data.number, defaults=values)
        keep_tracks.append(track.pk)
    summit.tracks.exclude(pk__in=keep_tracks).delete()

    keep_courses = []
    for order, data in enumerate(courses):
        values = {k: v for k, v in data.__dict__.items() if k != "name"}
        course, _c = summit.site_visit_courses.update_or_create(name=data.name, defaults={**values, "order": order * 10})
        keep_courses.append(course.pk)
    summit.site_visit_courses.exclude(pk__in=keep_courses).delete()
    return summit


# ---------------------------------------------------------------- personal data (個人情報保護法)

# What an application and a delegate hold about people. The municipality, the status, the
# role, the track and the course stay: the statistics count them.
APPLICATION_PERSONAL_FIELDS = ("contact_name", "contact_department", "contact_email", "contact_phone")
DELEGATE_PERSONAL_FIELDS = ("name", "name_kana", "title", "email", "dietary_needs", "accessibility_needs")


@dataclass(frozen=True)
class AnonymizedCounts:
    applications: int
    delegates: int

    @property
    def total(self) -> int:
        return self.applications + self.delegates


@dataclass(frozen=True)
class ApplicationErasure:
    application: Application
    cancelled: bool
    delegates: int


def _admin_log_scrub(model, pks) -> None:
    """The admin's history names objects by str(); a deleted person is named as deleted."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in pks]
    ).update(object_repr=str(ANONYMIZED_LABEL))


def delegates_anonymize(*, delegates: QuerySet[Delegate], now: dt.datetime | None = None) -> int:
    """Blank the personal fields of the given delegates that still have them; returns rows changed."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(delegates.filter(anonymized_at__isnull=True).select_for_update().order_by("pk"))
        for row in rows:
            for field in DELEGATE_PERSONAL_FIELDS:
                setattr(row, field, "")
            row.anonymized_at = now
        Delegate.objects.bulk_update(rows, [*DELEGATE_PERSONAL_FIELDS, "anonymized_at"], batch_size=500)
        _admin_log_scrub(Delegate, [row.pk for row in rows])
    return len(rows)


def applications_anonymize(*, applications: QuerySet[Application], now: dt.datetime | None = None) -> AnonymizedCounts:
    """Blank the contact's data of the given applications and every delegate's data in them.

    Each application gets a fresh token, so the link in old mails stops working. Idempotent:
    rows already anonymized are left alone and not counted.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(applications.select_for_update().order_by("pk"))
        delegates = delegates_anonymize(delegates=Delegate.objects.filter(application__in=[row.pk for row in rows]), now=now)
        rows = [row for row in rows if row.anonymized_at is None]
        for row in rows:
            for field in APPLICATION_PERSONAL_FIELDS:
                setattr(row, field, "")
            row.token = new_token()
            row.submission_key = ""
            row.anonymized_at = now
        # bulk_update leaves updated_at alone: the last change by the municipality stays visible.
        Application.objects.bulk_update(
            rows, [*APPLICATION_PERSONAL_FIELDS, "token", "submission_key", "anonymized_at"], batch_size=500
        )
        _admin_log_scrub(Application, [row.pk for row in rows])
    return AnonymizedCounts(applications=len(rows), delegates=delegates)


def applications_anonymize_for_summit(*, summit: Summit, now: dt.datetime | None = None) -> AnonymizedCounts:
    """The retention rule for one summit: all contacts' and delegates' data, once it is over."""
    now = now or timezone.now()
    if not summit.is_past(now=now):
        raise SummitError(_("終了していないサミットの個人情報は一括削除できません。"), code="not_ended")
    return applications_anonymize(applications=Application.objects.filter(summit=summit), now=now)


def application_erase(*, application: Application, now: dt.datetime | None = None) -> ApplicationErasure:
    """本人からの削除依頼 for a whole delegation (its contact asks): withdraw it, then blank it.

    The withdrawal goes through application_cancel, so its track and course seats are freed
    under the summit lock. After the deadline that service refuses, and the application keeps
    its status (the secretariat settles attendance with the municipality); the data is blanked
    either way. Call outside any transaction.
    """
    if application.is_anonymized:
        raise SummitError(_("この申込の個人情報は既に削除されています。"), code="anonymized")
    cancelled = False
    if application.is_live:
        try:
            application_cancel(application=application, now=now)
            cancelled = True
        except SummitError as error:
            if error.code not in ("closed", "cancelled"):
                raise
    counts = applications_anonymize(applications=Application.objects.filter(pk=application.pk), now=now)
    application.refresh_from_db()
    return ApplicationErasure(application=application, cancelled=cancelled, delegates=counts.delegates)


def delegate_erase(*, delegate: Delegate, now: dt.datetime | None = None) -> Delegate:
    """本人からの削除依頼 by one delegate: blank their data at once.

    The row, with its role, track and course, stays in the delegation: the seat belongs to the
    municipality, which names who attends in its place through its application page (a
    blank row there removes the person and frees the seat under the capacity rule).
    """
    if delegate.is_anonymized:
        raise SummitError(_("この参加者の個人情報は既に削除されています。"), code="anonymized")
    delegates_anonymize(delegates=Delegate.objects.filter(pk=delegate.pk), now=now)
    delegate.refresh_from_db()
    return delegate
