"""Mail builders, run by the task worker (portal.mail) outside any lock.

Each builder reads the current state of its object: a mail whose reason went away
(the registration was cancelled before the worker ran) is skipped by returning None.
"""

from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.calendar import CalendarEvent, build_calendar, event_uid
from portal.mail import mail_builder
from portal.qr import qr_png

from .enums import AttendanceMode, RegistrationStatus
from .models import MessageDelivery, Registration


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def registration_url(registration: Registration) -> str:
    return absolute(reverse("seminars:registration_detail", kwargs={"token": registration.token}))


def checkin_url(registration: Registration) -> str:
    return absolute(reverse("seminars:checkin_registration", kwargs={"token": registration.token}))


def seminar_calendar(registration: Registration) -> bytes | None:
    seminar = registration.seminar
    if seminar.starts_at is None or seminar.ends_at is None:
        return None
    location = seminar.venue_name if registration.mode == AttendanceMode.VENUE else _("オンライン")
    if registration.mode == AttendanceMode.VENUE and seminar.venue_address:
        location = f"{seminar.venue_name}（{seminar.venue_address}）"
    event = CalendarEvent(
        uid=event_uid("seminar", seminar.pk),
        summary=str(seminar),
        start=seminar.starts_at,
        end=seminar.ends_at,
        location=location,
        description=registration_url(registration),
        url=absolute(seminar.get_absolute_url()),
    )
    return build_calendar([event], name=str(seminar))


def _subject(registration: Registration, text: str) -> str:
    prefix = _("【デモ】") if registration.seminar.is_demo else ""
    return f"{prefix}{text}｜{registration.seminar.title}"


def _message(registration: Registration, *, subject: str, template: str, **context) -> EmailMessage:
    body = render_to_string(
        template,
        {
            "registration": registration,
            "seminar": registration.seminar,
            "registration_url": registration_url(registration),
            "seminar_url": absolute(registration.seminar.get_absolute_url()),
            **context,
        },
    )
    return EmailMessage(subject=_subject(registration, subject), body=body, to=[registration.email])


def _live(registration_id: int, *statuses: str) -> Registration | None:
    return (
        Registration.objects.select_related("seminar", "municipality")
        .filter(pk=registration_id, status__in=statuses or [RegistrationStatus.CONFIRMED])
        .first()
    )


def _attach_confirmation_files(message: EmailMessage, registration: Registration) -> None:
    ics = seminar_calendar(registration)
    if ics:
        message.attach("seminar.ics", ics, "text/calendar; charset=utf-8; method=PUBLISH")
    if registration.mode == AttendanceMode.VENUE:
        # The 受付票: staff scan it at the door; it opens the check-in page for this registration.
        image = MIMEImage(qr_png(checkin_url(registration), box_size=8), "png")
        image.add_header("Content-Disposition", "attachment", filename="uketsukehyo-qr.png")
        message.attach(image)


@mail_builder("seminars.confirmation")
def build_confirmation(registration_id: int) -> EmailMessage | None:
    with translation.override(settings.LANGUAGE_CODE):
        registration = _live(registration_id)
        if registration is None:
            return None
        message = _message(
            registration,
            subject=_("お申し込みを受け付けました"),
            template="seminars/mail/registration_confirmation.txt",
            checkin_url=checkin_url(registration),
        )
        _attach_confirmation_files(message, registration)
        return message


@mail_builder("seminars.promoted")
def build_promoted(registration_id: int) -> EmailMessage | None:
    with translation.override(settings.LANGUAGE_CODE):
        registration = _live(registration_id)
        if registration is None:
            return None
        message = _message(
            registration,
            subject=_("キャンセル待ちから参加が確定しました"),
            template="seminars/mail/registration_promoted.txt",
            checkin_url=checkin_url(registration),
        )
        _attach_confirmation_files(message, registration)
        return message


@mail_builder("seminars.waitlisted")
def build_waitlisted(registration_id: int) -> EmailMessage | None:
    with translation.override(settings.LANGUAGE_CODE):
        registration = _live(registration_id, RegistrationStatus.WAITLISTED)
        if registration is None:
            return None
        return _message(
            registration,
            subject=_("キャンセル待ちとして受け付けました"),
            template="seminars/mail/registration_waitlisted.txt",
        )


@mail_builder("seminars.cancelled")
def build_cancelled(registration_id: int) -> EmailMessage | None:
    with translation.override(settings.LANGUAGE_CODE):
        registration = _live(registration_id, RegistrationStatus.CANCELLED)
        if registration is None:
            return None
        return _message(
            registration, subject=_("キャンセルを受け付けました"), template="seminars/mail/registration_cancelled.txt"
        )


@mail_builder("seminars.online_url")
def build_online_url(registration_id: int) -> EmailMessage | None:
    with translation.override(settings.LANGUAGE_CODE):
        registration = _live(registration_id)
        if registration is None or registration.mode != AttendanceMode.ONLINE or not registration.seminar.online_url:
            return None
        return _message(
            registration,
            subject=_("オンライン参加のURLのご案内"),
            template="seminars/mail/registration_online_url.txt",
        )


@mail_builder("seminars.reminder")
def build_reminder(registration_id: int) -> EmailMessage | None:
    with translation.override(settings.LANGUAGE_CODE):
        registration = _live(registration_id)
        if registration is None:
            return None
        message = _message(
            registration,
            subject=_("開催が近づいています"),
            template="seminars/mail/registration_reminder.txt",
            checkin_url=checkin_url(registration),
        )
        if registration.mode == AttendanceMode.VENUE:
            _attach_confirmation_files(message, registration)
        return message


@mail_builder("seminars.message")
def build_staff_message(delivery_id: int) -> EmailMessage | None:
    with translation.override(settings.LANGUAGE_CODE):
        delivery = (
            MessageDelivery.objects.select_related("message", "registration__seminar").filter(pk=delivery_id).first()
        )
        if delivery is None or delivery.registration.status == RegistrationStatus.CANCELLED:
            return None
        registration = delivery.registration
        return _message(
            registration,
            subject=delivery.message.subject,
            template="seminars/mail/seminar_message.txt",
            staff_message=delivery.message,
        )
