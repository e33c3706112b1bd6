"""Outgoing mail through the task queue.

A domain service calls ``schedule_mail(kind=..., object_id=...)`` inside its transaction.
With the database task backend the queued task is a row written in that same transaction:
it exists exactly when the registration exists, so no commit can lose its mail and no
rollback can send one. The worker (``manage.py db_worker --queue-name mail``) then builds
the message from the current state of the object, outside any lock, and sends it by SMTP.
A failed send is re-queued with a growing delay, up to MAX_ATTEMPTS.

Builders are registered per kind by the app that owns the object::

    @mail_builder("seminars.confirmation")
    def build_confirmation(registration_id: int) -> EmailMessage | None: ...

A builder returns None when the mail no longer applies (the registration was cancelled).
Whatever a builder sets, ``addressed()`` gives every message the portal's sender here, in one
place: From the no-reply DEFAULT_FROM_EMAIL, Reply-To the secretariat (EMAIL_REPLY_TO, when
set), and exactly one recipient, so no registrant ever sees another person's address.
"""

import datetime as dt
import logging
import smtplib
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
MAIL_QUEUE = "mail"

MailBuilder = Callable[[int], EmailMessage | None]
_BUILDERS: dict[str, MailBuilder] = {}


class MailKindUnknownError(LookupError):
    pass


class MailRecipientsError(ValueError):
    """A builder addressed a message to more (or fewer) than one person."""


def mail_builder(kind: str) -> Callable[[MailBuilder], MailBuilder]:
    def register(function: MailBuilder) -> MailBuilder:
        _BUILDERS[kind] = function
        return function

    return register


def retry_delay(attempt: int) -> dt.timedelta:
    """1, 2, 4, 8, 16 minutes after attempts 1–5: long enough to ride out a mail server restart."""
    return dt.timedelta(minutes=2 ** (attempt - 1))


def reply_to_secretariat() -> bool:
    """Whether replies reach a person: mail templates say "送信専用" only when they do not."""
    return bool(settings.EMAIL_REPLY_TO)


def addressed(message: EmailMessage) -> EmailMessage:
    if len(message.to) != 1 or message.cc or message.bcc:
        raise MailRecipientsError(f"{len(message.recipients())} recipients")
    message.from_email = settings.DEFAULT_FROM_EMAIL
    message.reply_to = [settings.EMAIL_REPLY_TO] if settings.EMAIL_REPLY_TO else []
    return message


def schedule_mail(*, kind: str, object_id: int, run_after: dt.datetime | None = None) -> None:
    if kind not in _BUILDERS:
        raise MailKindUnknownError(kind)
    queued = send_mail_task.using(run_after=run_after) if run_after else send_mail_task
    queued.enqueue(kind, object_id, 1)


@task(queue_name=MAIL_QUEUE)
def send_mail_task(kind: str, object_id: int, attempt: int) -> str:
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise MailKindUnknownError(kind)
    message = builder(object_id)
    if message is None:
        return "skipped"
    addressed(message)
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        if attempt >= MAX_ATTEMPTS:
            # Logged without the address: no personal data in logs.
            logger.error("mail %s #%s failed after %s attempts: %s", kind, object_id, attempt, error.__class__.__name__)
            raise
        logger.warning("mail %s #%s attempt %s failed (%s); retrying", kind, object_id, attempt, error.__class__.__name__)
        send_mail_task.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(kind, object_id, attempt + 1)
        return "retrying"
    return "sent"
