"""Mails to a delegation's contact person, built by the worker from the application's current state."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.mail import mail_builder, reply_to_secretariat

from .calendars import summit_calendar
from .models import Application, Summit
from .selectors import summit_timetable, summit_with_program
from .services import MAIL_CANCELLED, MAIL_CHANGED, MAIL_CONFIRMATION


def _build(application_id: int, *, subject: str, template: str, with_calendar: bool) -> EmailMessage | None:
    application = (
        Application.objects.select_related("summit", "municipality__prefecture")
        .prefetch_related("delegates__track", "delegates__site_visit_course")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return None
    if with_calendar and not application.is_live:
        return None  # cancelled before the worker ran: no confirmation for a withdrawn delegation
    summit = summit_with_program(Summit.objects.all()).get(pk=application.summit_id)
    prefix = _("【デモ】") if summit.is_demo else ""
    context = {
        "application": application,
        "summit": summit,
        "timetable": summit_timetable(summit),
        "delegates": list(application.delegates.all()),
        "edit_url": settings.SITE_URL.rstrip("/") + application.get_absolute_url(),
        "summit_url": settings.SITE_URL.rstrip("/") + summit.get_absolute_url(),
        # The attachment's download, for mail read behind LGWAN's 無害化 (attachments removed).
        "calendar_url": settings.SITE_URL.rstrip("/") + reverse("summits:summit_calendar", kwargs={"slug": summit.slug}),
        "reply_to_secretariat": reply_to_secretariat(),
    }
    message = EmailMessage(
        subject=f"{prefix}{subject} {summit.title}",
        body=render_to_string(template, context),
        to=[application.contact_email],
    )
    if with_calendar:
        message.attach(f"{summit.slug}.ics", summit_calendar(summit), "text/calendar; charset=utf-8")
    return message


@mail_builder(MAIL_CONFIRMATION)
def build_confirmation(application_id: int) -> EmailMessage | None:
    return _build(
        application_id,
        subject=_("参加申込を受け付けました:"),
        template="summits/mail/application_confirmation.txt",
        with_calendar=True,
    )


@mail_builder(MAIL_CHANGED)
def build_changed(application_id: int) -> EmailMessage | None:
    return _build(
        application_id,
        subject=_("参加申込の内容を変更しました:"),
        template="summits/mail/application_changed.txt",
        with_calendar=True,
    )


@mail_builder(MAIL_CANCELLED)
def build_cancelled(application_id: int) -> EmailMessage | None:
    return _build(
        application_id,
        subject=_("参加申込を取り消しました:"),
        template="summits/mail/application_cancelled.txt",
        with_calendar=False,
    )
