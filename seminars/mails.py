"""Mail builders, run by the task worker (portal.mail) outside any lock.

Each builder reads the current state of its object: a mail whose reason went away
(the registration was cancelled before the worker ran) is skipped by returning None.
"""

from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from portal.mail import mail_builder, reply_to_secretariat
from portal.qr import qr_png

from . import selectors
from .calendars import registration_calendar
from .enums import AttendanceMode, RegistrationStatus
from .links import absolute, checkin_url, has_ticket, links_for, registration_url
from .models import MessageDelivery, Registration, RegistrationChange

# A mail must be complete as plain text: behind LGWAN's 無害化 the attachments are removed, so
# each one is also a page under the person's token and the mail gives its URL (links_for).
TICKET_QR_FILENAME = "uketsukehyo-qr.png"
CALENDAR_FILENAME = "seminar.ics"


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
            "links": links_for(registration),
            "seminar_url": absolute(registration.seminar.get_absolute_url()),
            "reply_to_secretariat": reply_to_secretariat(),
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
    """A convenience for readers who get attachments; the text already links to both files."""
    ics = registration_calendar(registration)
    if ics:
        message.attach(CALENDAR_FILENAME, ics, "text/calendar; charset=utf-8; method=PUBLISH")
    if has_ticket(registration):
        # The 受付票: staff scan it at the door; it opens the check-in page for this registration.
        image = MIMEImage(qr_png(checkin_url(registration), box_size=8), "png")
        image.add_header("Content-Disposition", "attachment", filename=TICKET_QR_FILENAME)
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


@mail_builder("seminars.mode_changed")
def build_mode_changed(change_id: int) -> EmailMessage | None:
    """What changed (参加方法, 意見交換会), then what the person needs for the new mode.

    Complete as text: the 受付番号 for the venue (the 受付票 QR is attached as well), the
    online URL once staff set it. A change followed by another before the worker ran is
    skipped: the later one's mail describes the registration as it is.
    """
    with translation.override(settings.LANGUAGE_CODE):
        change = RegistrationChange.objects.filter(pk=change_id).first()
        if change is None:
            return None
        registration = _live(change.registration_id, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
        if registration is None or registration.is_anonymized:
            return None
        if RegistrationChange.objects.filter(registration_id=registration.pk, pk__gt=change.pk).exists():
            return None
        message = _message(
            registration,
            subject=_("お申し込み内容を変更しました"),
            template="seminars/mail/registration_mode_changed.txt",
            change=change,
        )
        if registration.status == RegistrationStatus.CONFIRMED:
            _attach_confirmation_files(message, registration)
        return message


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


@mail_builder("seminars.links")
def build_links(registration_id: int) -> EmailMessage | None:
    """Asked for on the resend page: every live registration of the address for a seminar not
    yet held, each with its own link, read now (one cancelled since the request is left out).

    ``registration_id`` is one of them; it names the address without storing it anywhere else.
    """
    with translation.override(settings.LANGUAGE_CODE):
        anchor = Registration.objects.filter(pk=registration_id, anonymized_at__isnull=True).first()
        if anchor is None:
            return None
        registrations = selectors.registrations_live_upcoming_for_email(email_normalized=anchor.email_normalized)
        if not registrations:
            return None
        body = render_to_string(
            "seminars/mail/registration_links.txt",
            {"rows": [links_for(registration) for registration in registrations], "reply_to_secretariat": reply_to_secretariat()},
        )
        demo = _("【デモ】") if all(registration.seminar.is_demo for registration in registrations) else ""
        subject = f"{demo}{_('お申し込み内容の確認リンクをお送りします')}｜{_('地域運営組織（RMO）全国セミナー')}"
        return EmailMessage(subject=subject, body=body, to=[registrations[-1].email])
