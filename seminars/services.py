"""Every write of the seminars app and every rule it follows.

Capacity (HOUSE_STYLE.md "Capacity"): each function that can take a seat opens the
outermost transaction, locks the seminar row with portal.capacity.lock_for_capacity,
counts the confirmed registrations of the mode under that lock, then writes. Mails are
queued with portal.mail.schedule_mail in the same transaction: the queued task row
commits with the registration or not at all, and the worker builds and sends the mail
later, outside the lock.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.capacity import has_room, lock_for_capacity
from portal.deadlines import today_jst
from portal.errors import DomainError
from portal.mail import schedule_mail
from portal.tokens import new_token

from . import selectors
from .enums import AttendanceMode, RegistrationSource, RegistrationStatus, WhenFull
from .models import (
    ANONYMIZED_LABEL,
    MessageDelivery,
    Registration,
    RegistrationChange,
    Seminar,
    SeminarMessage,
    normalize_email,
)


class RegistrationError(DomainError):
    """A registration rule refused the request (DomainError: translated ``message``, ``code``)."""


@dataclass(frozen=True)
class RegistrationOutcome:
    registration: Registration
    created: bool


def confirmed_count(*, seminar: Seminar, mode: str) -> int:
    """Seats taken in ``mode``. Meaningful for a decision only under the seminar's lock."""
    return Registration.objects.filter(seminar=seminar, mode=mode, status=RegistrationStatus.CONFIRMED).count()


def seat_available(*, seminar: Seminar, mode: str) -> bool:
    """Count and compare. Callers must hold lock_for_capacity(Seminar) in the same transaction."""
    return has_room(capacity=seminar.capacity_for(mode), taken=confirmed_count(seminar=seminar, mode=mode))


# What _taken_and_existing asks, written out once. It runs while the seminar row is locked, so
# every other registration for the seminar waits for it: the ORM spent about 1 ms of CPU
# building this aggregate (Count(filter=Q(...)) × 3) on every call, ten times what sending the
# statement costs. Standard SQL (FILTER): PostgreSQL and SQLite ≥ 3.30 both run it.
# tests/seminars/test_services.py checks it against the ORM's aggregate.
TAKEN_AND_EXISTING_SQL = (
    "SELECT COUNT(*) FILTER (WHERE mode = %s AND status = %s),"
    " COUNT(*) FILTER (WHERE mode = %s AND status = %s),"
    " MAX(id) FILTER (WHERE email_normalized = %s AND status <> %s),"
    " COALESCE(MAX(number), 0)"
    f" FROM {Registration._meta.db_table} WHERE seminar_id = %s"
)


@dataclass(frozen=True)
class SeminarTally:
    taken: dict[str, int]  # confirmed seats per mode
    existing_id: int | None  # this address's live registration
    last_number: int  # the highest 受付番号 given so far (cancelled rows included), 0 for none


def _taken_and_existing(seminar: Seminar, email_normalized: str) -> SeminarTally:
    """Seats taken per mode, this person's live registration and the last 受付番号, in one query
    (under the lock).

    One round trip instead of four keeps the time the seminar row stays locked short.
    """
    venue, online = AttendanceMode.VENUE.value, AttendanceMode.ONLINE.value
    confirmed, cancelled = RegistrationStatus.CONFIRMED.value, RegistrationStatus.CANCELLED.value
    with connection.cursor() as cursor:
        cursor.execute(TAKEN_AND_EXISTING_SQL, [venue, confirmed, online, confirmed, email_normalized, cancelled, seminar.pk])
        venue_taken, online_taken, existing, last_number = cursor.fetchone()
    return SeminarTally(
        taken={AttendanceMode.VENUE: venue_taken, AttendanceMode.ONLINE: online_taken},
        existing_id=existing,
        last_number=last_number,
    )


def _check_open(seminar: Seminar, now: dt.datetime) -> None:
    if not seminar.is_registration_open(now):
        raise RegistrationError(_("このセミナーの受付は終了しました。"), code="closed")


def _check_mode(seminar: Seminar, mode: str, *, joins_exchange: bool = False) -> None:
    if not seminar.offers(mode):
        raise RegistrationError(_("このセミナーではその参加方法を選べません。"), code="mode")
    if joins_exchange and mode != AttendanceMode.VENUE:
        raise RegistrationError(_("意見交換会は会場参加の方のみ参加できます。"), code="exchange")


def _schedule_confirmation_mails(registration: Registration) -> None:
    if registration.status == RegistrationStatus.WAITLISTED:
        schedule_mail(kind="seminars.waitlisted", object_id=registration.pk)
        return
    schedule_mail(kind="seminars.confirmation", object_id=registration.pk)
    if registration.mode == AttendanceMode.ONLINE and registration.seminar.online_url:
        schedule_mail(kind="seminars.online_url", object_id=registration.pk)


def _promote_waiting(seminar: Seminar, mode: str, now: dt.datetime) -> list[Registration]:
    """Give every free seat of ``mode`` to the people waiting for it, first come first served.

    The one place a waiting person moves up: a cancellation, a mode switch, an erasure and a
    capacity raised by staff all end here. Needs the seminar lock in the same transaction.
    """
    capacity = seminar.capacity_for(mode)
    waiting = Registration.objects.select_for_update().filter(
        seminar=seminar, mode=mode, status=RegistrationStatus.WAITLISTED
    ).order_by("created_at", "id")
    if capacity is not None:
        free = capacity - confirmed_count(seminar=seminar, mode=mode)
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        schedule_mail(kind="seminars.promoted", object_id=registration.pk)
        if mode == AttendanceMode.ONLINE and seminar.online_url:
            schedule_mail(kind="seminars.online_url", object_id=registration.pk)
    return promoted


def registration_create(
    *,
    seminar: Seminar,
    mode: str,
    name: str,
    kana: str,
    email: str,
    category: str,
    consent: bool,
    affiliation: str = "",
    municipality=None,
    joins_exchange: bool = False,
    accessibility_needs: str = "",
    source: str = RegistrationSource.WEB,
    when_full: str = WhenFull.NOTHING,
    now: dt.datetime | None = None,
) -> RegistrationOutcome:
    """Register first come, first served, per mode.

    A second submission with the same address (a double click, a resubmitted form) returns
    the live registration it already made, with ``created=False``. When the mode is full,
    ``when_full`` decides: the waiting list, online instead, or RegistrationError(code="full").
    """
    if not consent:
        raise RegistrationError(_("個人情報の取扱いへの同意が必要です。"), code="consent")
    email_normalized = normalize_email(email)
    token = new_token()
    with transaction.atomic(durable=True):
        seminar = lock_for_capacity(Seminar, pk=seminar.pk)
        now = now or timezone.now()
        tally = _taken_and_existing(seminar, email_normalized)
        taken = tally.taken
        if tally.existing_id is not None:
            return RegistrationOutcome(registration=Registration.objects.get(pk=tally.existing_id), created=False)
        _check_open(seminar, now)
        _check_mode(seminar, mode, joins_exchange=joins_exchange)

        status = RegistrationStatus.CONFIRMED
        if not has_room(capacity=seminar.capacity_for(mode), taken=taken[mode]):
            if when_full == WhenFull.ONLINE and mode != AttendanceMode.ONLINE and seminar.has_online:
                mode, joins_exchange = AttendanceMode.ONLINE, False
                if not has_room(capacity=seminar.capacity_for(mode), taken=taken[mode]):
                    raise RegistrationError(
                        _("会場・オンラインとも満席です。キャンセル待ちをご希望の場合は「キャンセル待ちに登録する」を選んでください。"),
                        code="full",
                    )
            elif when_full == WhenFull.WAITLIST:
                status = RegistrationStatus.WAITLISTED
            else:
                raise RegistrationError(
                    _("%(mode)s参加は満席です。") % {"mode": AttendanceMode(mode).label}, code="full"
                )

        registration = Registration.objects.create(
            seminar=seminar,
            # max + 1 under the seminar's lock: the next registration waits for this commit.
            number=tally.last_number + 1,
            mode=mode,
            status=status,
            name=name.strip(),
            kana=kana.strip(),
            email=email.strip(),
            email_normalized=email_normalized,
            affiliation=affiliation.strip(),
            category=category,
            municipality=municipality,
            joins_exchange=joins_exchange,
            accessibility_needs=accessibility_needs.strip(),
            consent_at=now,
            source=source,
            token=token,
            created_at=now,
            confirmed_at=now if status == RegistrationStatus.CONFIRMED else None,
        )
        _schedule_confirmation_mails(registration)
    return RegistrationOutcome(registration=registration, created=True)


def registration_cancel(*, registration: Registration, now: dt.datetime | None = None) -> Registration | None:
    """Cancel, and in the same transaction give the seat to the next person waiting.

    Returns the promoted registration, if any.
    """
    with transaction.atomic(durable=True):
        seminar = lock_for_capacity(Seminar, pk=registration.seminar_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        now = now or timezone.now()
        if registration.status == RegistrationStatus.CANCELLED:
            raise RegistrationError(_("このお申し込みは既にキャンセルされています。"), code="cancelled")
        if seminar.starts_at is not None and now >= seminar.starts_at:
            raise RegistrationError(_("開始後のセミナーはキャンセルできません。"), code="started")
        freed_seat = registration.status == RegistrationStatus.CONFIRMED
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        schedule_mail(kind="seminars.cancelled", object_id=registration.pk)
        promoted = _promote_waiting(seminar, registration.mode, now) if freed_seat else []
        return promoted[0] if promoted else None


def _record_change(registration: Registration, *, old_mode: str, old_joins_exchange: bool, old_status: str, now) -> None:
    """Keep what changed and queue the mail that says so (seminars.mode_changed)."""
    change = RegistrationChange.objects.create(
        registration=registration,
        old_mode=old_mode,
        new_mode=registration.mode,
        old_joins_exchange=old_joins_exchange,
        new_joins_exchange=registration.joins_exchange,
        old_status=old_status,
        created_at=now,
    )
    schedule_mail(kind="seminars.mode_changed", object_id=change.pk)


def registration_change_mode(
    *, registration: Registration, mode: str, joins_exchange: bool = False, now: dt.datetime | None = None
) -> Registration:
    """Switch between 会場 and オンライン if the other mode has a seat; frees the old seat.

    Either change (the mode, or the 意見交換会 alone) is recorded and mailed with what it was
    before; asking for what the registration already is changes nothing and mails nothing.
    """
    with transaction.atomic(durable=True):
        seminar = lock_for_capacity(Seminar, pk=registration.seminar_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        now = now or timezone.now()
        if registration.status == RegistrationStatus.CANCELLED:
            raise RegistrationError(_("このお申し込みは既にキャンセルされています。"), code="cancelled")
        _check_open(seminar, now)
        _check_mode(seminar, mode, joins_exchange=joins_exchange)
        old = {
            "old_mode": registration.mode,
            "old_joins_exchange": registration.joins_exchange,
            "old_status": registration.status,
        }
        if mode == registration.mode:
            if registration.joins_exchange != joins_exchange:
                registration.joins_exchange = joins_exchange
                registration.save(update_fields=["joins_exchange"])
                _record_change(registration, now=now, **old)
            return registration
        if not seat_available(seminar=seminar, mode=mode):
            raise RegistrationError(
                _("%(mode)s参加は満席のため変更できません。") % {"mode": AttendanceMode(mode).label}, code="full"
            )
        was_confirmed = registration.status == RegistrationStatus.CONFIRMED
        registration.mode = mode
        registration.joins_exchange = joins_exchange
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["mode", "joins_exchange", "status", "confirmed_at"])
        _record_change(registration, now=now, **old)
        if was_confirmed:
            _promote_waiting(seminar, old["old_mode"], now)
        return registration


CORRECTABLE_FIELDS = ("name", "kana", "email", "affiliation")


def registration_correct(
    *, registration: Registration, name: str, kana: str, email: str, affiliation: str = ""
) -> list[str]:
    """Staff correct what a registrant wrote (a misspelt name, a mistyped address).

    Never touches the seat: mode and status stay, the seminar is not locked. The address is
    normalized again and keeps the one-live-registration-per-address rule (code="email_taken").
    A new address also gets a new link and 受付票 (the old mail may have gone to a stranger's
    mailbox) and the confirmation again, where it now goes. Returns the fields that changed.
    """
    email_normalized = normalize_email(email)
    with transaction.atomic():
        registration = Registration.objects.select_for_update().select_related("seminar").get(pk=registration.pk)
        if registration.is_anonymized:
            raise RegistrationError(_("この申込の個人情報は既に削除されています。"), code="anonymized")
        new = {"name": name.strip(), "kana": kana.strip(), "email": email.strip(), "affiliation": affiliation.strip()}
        changed = [field for field in CORRECTABLE_FIELDS if getattr(registration, field) != new[field]]
        if not changed:
            return []
        address_changed = email_normalized != registration.email_normalized
        if address_changed and registration.is_live:
            other = (
                Registration.objects.filter(seminar_id=registration.seminar_id, email_normalized=email_normalized)
                .exclude(status=RegistrationStatus.CANCELLED)
                .exclude(pk=registration.pk)
                .values_list("number", flat=True)
                .first()
            )
            if other is not None:
                raise email_taken_error(other)
        for field, value in new.items():
            setattr(registration, field, value)
        registration.email_normalized = email_normalized
        update_fields = [*CORRECTABLE_FIELDS, "email_normalized"]
        if address_changed:
            registration.token, registration.checkin_token = new_token(), new_token()
            update_fields += ["token", "checkin_token"]
        try:
            # The constraint decides a race between two corrections (or a correction and a
            # registration) to the same address; its refusal is the same message.
            with transaction.atomic():
                registration.save(update_fields=update_fields)
        except IntegrityError as error:
            if "registration_one_live_per_email" not in str(error):
                raise
            raise email_taken_error(None) from None
        if address_changed and registration.is_live:
            _schedule_confirmation_mails(registration)
    return changed


def email_taken_error(number: int | None) -> RegistrationError:
    """The one-registration-per-address refusal, with the 受付番号 that holds the address."""
    if number is None:
        return RegistrationError(_("このメールアドレスでは、このセミナーに既にお申し込みがあります。"), code="email_taken")
    return RegistrationError(
        _("このメールアドレスでは、このセミナーに既にお申し込みがあります（受付番号 %(number)s）。") % {"number": number},
        code="email_taken",
    )


def registration_links_resend(*, email: str, now: dt.datetime | None = None) -> int:
    """Queue one mail to ``email`` listing the own link of each of its live registrations for
    the seminars not yet held; nothing for an address without one.

    Returns how many registrations the mail lists (0: nothing queued). The caller must not show
    the difference: whoever types an address learns nothing about its registrations. The mail
    goes only to the address the registrations were made with (the builder reads them again).
    """
    registrations = selectors.registrations_live_upcoming_for_email(email_normalized=normalize_email(email), now=now)
    if not registrations:
        return 0
    with transaction.atomic():
        schedule_mail(kind="seminars.links", object_id=registrations[-1].pk)
    return len(registrations)


def registration_check_in(*, registration: Registration, now: dt.datetime | None = None) -> Registration:
    """Mark a venue attendee as arrived. Only once: a second scan is refused with the first time."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().select_related("seminar").get(pk=registration.pk)
        if registration.status != RegistrationStatus.CONFIRMED:
            raise RegistrationError(_("参加が確定していないお申し込みです。"), code="not_confirmed")
        if registration.mode != AttendanceMode.VENUE:
            raise RegistrationError(_("オンライン参加のお申し込みです。"), code="online")
        if registration.checked_in_at is not None:
            raise RegistrationError(
                _("受付済みです（%(time)s）。")
                % {"time": timezone.localtime(registration.checked_in_at).strftime("%H:%M")},
                code="already",
            )
        registration.checked_in_at = now or timezone.now()
        registration.save(update_fields=["checked_in_at"])
        return registration


def seminar_promote_waiting(*, seminar: Seminar, now: dt.datetime | None = None) -> list[Registration]:
    """After staff changed a seminar (a capacity raised, a limit removed): fill every seat that
    is free now from the waiting list, in order, before any newcomer can take it.

    Joins the caller's transaction (the admin saves the seminar in one), so the change and the
    promotions commit together; the seminar row stays locked until then.
    """
    with transaction.atomic():
        seminar = lock_for_capacity(Seminar, pk=seminar.pk)
        now = now or timezone.now()
        return [registration for mode in seminar.modes for registration in _promote_waiting(seminar, mode, now)]


def seminar_close(*, seminar: Seminar) -> Seminar:
    """Close registration by hand (the room is full in practice, or the event is cancelled)."""
    with transaction.atomic():
        seminar = lock_for_capacity(Seminar, pk=seminar.pk)
        seminar.closed_by_staff = True
        seminar.save(update_fields=["closed_by_staff", "updated_at"])
    return seminar


def seminar_reopen(*, seminar: Seminar) -> Seminar:
    with transaction.atomic():
        seminar = lock_for_capacity(Seminar, pk=seminar.pk)
        seminar.closed_by_staff = False
        seminar.save(update_fields=["closed_by_staff", "updated_at"])
    return seminar


def seminar_set_online_url(*, seminar: Seminar, online_url: str) -> int:
    """Store the online URL and mail it to every confirmed online registrant.

    Registrants confirmed later get it with their confirmation (see registration_create).
    Returns how many mails were queued; an unchanged URL queues none.
    """
    with transaction.atomic():
        seminar = lock_for_capacity(Seminar, pk=seminar.pk)
        online_url = online_url.strip()
        if online_url == seminar.online_url:
            return 0
        seminar.online_url = online_url
        seminar.save(update_fields=["online_url", "updated_at"])
        if not online_url:
            return 0
        recipients = Registration.objects.filter(
            seminar=seminar, mode=AttendanceMode.ONLINE, status=RegistrationStatus.CONFIRMED
        ).values_list("pk", flat=True)
        count = 0
        for pk in recipients:
            schedule_mail(kind="seminars.online_url", object_id=pk)
            count += 1
        return count


def seminar_message_send(
    *, seminar: Seminar, mode: str, subject: str, body: str, include_waitlisted: bool = False, sent_by=None
) -> SeminarMessage:
    """Queue one message to all live registrants of one mode."""
    statuses = [RegistrationStatus.CONFIRMED] + ([RegistrationStatus.WAITLISTED] if include_waitlisted else [])
    with transaction.atomic():
        message = SeminarMessage.objects.create(
            seminar=seminar,
            mode=mode,
            include_waitlisted=include_waitlisted,
            subject=subject.strip(),
            body=body.strip(),
            sent_by=sent_by,
        )
        # People whose data was deleted have no address left.
        recipients = Registration.objects.filter(seminar=seminar, mode=mode, status__in=statuses, anonymized_at__isnull=True)
        deliveries = MessageDelivery.objects.bulk_create(
            [MessageDelivery(message=message, registration=registration) for registration in recipients]
        )
        for delivery in deliveries:
            schedule_mail(kind="seminars.message", object_id=delivery.pk)
        message.recipient_count = len(deliveries)
        message.save(update_fields=["recipient_count"])
    return message


def seminar_schedule_reminders(*, seminar: Seminar, now: dt.datetime | None = None) -> int:
    """Queue the reminder once per confirmed registration; the sent marker makes reruns no-ops."""
    now = now or timezone.now()
    with transaction.atomic():
        pending = list(
            Registration.objects.select_for_update()
            .filter(seminar=seminar, status=RegistrationStatus.CONFIRMED, reminder_sent_at__isnull=True)
            .values_list("pk", flat=True)
        )
        Registration.objects.filter(pk__in=pending).update(reminder_sent_at=now)
        for pk in pending:
            schedule_mail(kind="seminars.reminder", object_id=pk)
    return len(pending)


# ---------------------------------------------------------------- personal data (個人情報保護法)

# What a registration holds about the person. Mode, status, category, municipality, the
# exchange and check-in marks, the source and the dates stay: the statistics count them.
REGISTRATION_PERSONAL_FIELDS = ("name", "kana", "email", "email_normalized", "affiliation", "accessibility_needs")


@dataclass(frozen=True)
class RegistrationErasure:
    registration: Registration
    cancelled: bool
    promoted: Registration | None


def registrations_anonymize(*, registrations: QuerySet[Registration], now: dt.datetime | None = None) -> int:
    """Blank the personal fields of the given registrations that still have them.

    Each row gets a fresh token, so the links in old mails (registration page, check-in QR)
    stop working, and the admin history names it only as deleted. Returns the rows changed:
    a second call with the same rows returns 0.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(registrations.filter(anonymized_at__isnull=True).select_for_update().order_by("pk"))
        for row in rows:
            for field in REGISTRATION_PERSONAL_FIELDS:
                setattr(row, field, "")
            row.token = new_token()
            row.checkin_token = new_token()
            row.anonymized_at = now
        Registration.objects.bulk_update(
            rows, [*REGISTRATION_PERSONAL_FIELDS, "token", "checkin_token", "anonymized_at"], batch_size=500
        )
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Registration), object_id__in=[str(row.pk) for row in rows]
        ).update(object_repr=str(ANONYMIZED_LABEL))
    return len(rows)


def registrations_anonymize_for_seminar(*, seminar: Seminar, now: dt.datetime | None = None) -> int:
    """The retention rule for one seminar: every registrant's personal data, once it has ended."""
    now = now or timezone.now()
    # By the clock, or by the day for a seminar whose times were cleared after it was held.
    ended = seminar.is_past(now) or (seminar.date is not None and seminar.date < today_jst(now))
    if not ended:
        raise RegistrationError(_("終了していないセミナーの個人情報は一括削除できません。"), code="not_ended")
    return registrations_anonymize(registrations=Registration.objects.filter(seminar=seminar), now=now)


def registration_erase(*, registration: Registration, now: dt.datetime | None = None) -> RegistrationErasure:
    """本人からの削除依頼: withdraw the registration, then blank the person's data at once.

    The withdrawal goes through registration_cancel, so a freed seat goes to the next person
    waiting under the usual lock. A seminar that has started keeps the registration's status
    (the attendance happened and is counted). Call outside any transaction (registration_cancel
    is durable); if the second step fails, calling again finishes it.
    """
    if registration.is_anonymized:
        raise RegistrationError(_("この申込の個人情報は既に削除されています。"), code="anonymized")
    cancelled, promoted = False, None
    if registration.is_live:
        try:
            promoted = registration_cancel(registration=registration, now=now)
            cancelled = True
        except RegistrationError as error:
            if error.code not in ("started", "cancelled"):
                raise
    registrations_anonymize(registrations=Registration.objects.filter(pk=registration.pk), now=now)
    registration.refresh_from_db()
    return RegistrationErasure(registration=registration, cancelled=cancelled, promoted=promoted)
