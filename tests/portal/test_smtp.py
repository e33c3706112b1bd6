"""A confirmation mail through a real SMTP server, read as LGWAN's 無害化 leaves it.

The locmem backend keeps Python objects; this test reads the bytes a mail server receives, so
it sees the headers and MIME structure a municipal mail gateway sees. The gateway removes
attachments and HTML: the first text/plain part alone must carry everything the person needs.
"""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from seminars import services
from tests.seminars.factories import make_seminar, registration_data

pytestmark = pytest.mark.django_db(transaction=True)


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_inbox():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=controller.port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            DEFAULT_FROM_EMAIL="総務省 地域振興室 <noreply@rmo.example.go.jp>",
            EMAIL_REPLY_TO="chiiki-shinko@example.go.jp",
        ):
            yield inbox
    finally:
        controller.stop()


def _text_part(message: email.message.EmailMessage) -> str:
    """What survives the gateway: the first text/plain part, attachments and HTML dropped."""
    for part in message.walk():
        if part.get_content_type() == "text/plain" and part.get_content_disposition() != "attachment":
            return part.get_content()
    raise AssertionError("no text/plain part")


def test_venue_confirmation_is_complete_as_plain_text_with_one_recipient_and_the_secretariat_to_reply(
    smtp_inbox, run_queued_tasks
):
    seminar = make_seminar(title="全国セミナーin長野", venue_name="長野市生涯学習センター")
    registration = services.registration_create(seminar=seminar, **registration_data()).registration

    run_queued_tasks()

    assert len(smtp_inbox.envelopes) == 1
    envelope = smtp_inbox.envelopes[0]
    assert envelope.rcpt_tos == [registration.email]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert str(message["To"]) == registration.email
    assert message["Cc"] is None
    assert str(message["From"]) == "総務省 地域振興室 <noreply@rmo.example.go.jp>"
    assert str(message["Reply-To"]) == "chiiki-shinko@example.go.jp"
    # Python folds the encoded subject onto a continuation line; the fold is not part of it.
    assert str(message["Subject"]).strip() == "お申し込みを受け付けました｜全国セミナーin長野"
    # No HTML alternative: a gateway that strips HTML leaves nothing less.
    assert [part.get_content_type() for part in message.walk() if part.get_content_maintype() == "text"] == [
        "text/plain",
        "text/calendar",
    ]

    text = _text_part(message)
    token_page = f"http://testserver/seminars/r/{registration.token}/"
    assert token_page in text
    assert f"{token_page}calendar.ics" in text
    assert f"{token_page}uketsukehyo/" in text
    assert f"受付番号: {registration.number}" in text
    assert "■ 会場: 長野市生涯学習センター" in text
    assert "このメールに返信すると、事務局に届きます。" in text
    # The self-service token stays in the person's links; the door QR holds the check-in token.
    assert registration.checkin_token not in text


def test_without_a_secretariat_address_the_mail_says_it_is_send_only_and_has_no_reply_to(smtp_inbox, run_queued_tasks):
    with override_settings(EMAIL_REPLY_TO=""):
        services.registration_create(seminar=make_seminar(), **registration_data())
        run_queued_tasks()

    message = email.message_from_bytes(smtp_inbox.envelopes[0].content, policy=email.policy.default)
    assert message["Reply-To"] is None
    assert "このメールは送信専用です。" in _text_part(message)
