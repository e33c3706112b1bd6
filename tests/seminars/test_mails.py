import datetime as dt
import io

import icalendar
import pytest
import zxingcpp
from django.core import mail
from PIL import Image

from seminars import services
from seminars.enums import AttendanceMode, WhenFull
from tests.seminars.factories import NOW, make_registration, make_seminar, registration_data

# The worker commits and reconnects as in production, so these tests need real transactions.
pytestmark = pytest.mark.django_db(transaction=True)


def attachment(message, filename: str):
    for item in message.attachments:
        if isinstance(item, tuple) or hasattr(item, "filename"):
            name, content = item[0], item[1]
        else:  # a MIME part
            name, content = item.get_filename(), item.get_payload(decode=True)
        if name == filename:
            return content
    raise AssertionError(f"no attachment {filename}: {message.attachments!r}")


def test_confirmation_mail_for_venue_has_details_ics_and_checkin_qr(run_queued_tasks):
    seminar = make_seminar(title="全国セミナーin長野", venue_name="長野市生涯学習センター", date=dt.date(2027, 2, 5))
    registration = services.registration_create(seminar=seminar, **registration_data(joins_exchange=True)).registration

    run_queued_tasks()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [registration.email]
    assert message.subject == "お申し込みを受け付けました｜全国セミナーin長野"
    assert "令和9年2月5日（金） 13:30～17:00" in message.body
    assert "■ 会場: 長野市生涯学習センター" in message.body
    assert "■ 意見交換会: 参加する" in message.body
    assert f"http://testserver/seminars/r/{registration.token}/" in message.body

    calendar = icalendar.Calendar.from_ical(attachment(message, "seminar.ics"))
    event = calendar.walk("VEVENT")[0]
    assert str(event["summary"]) == "全国セミナーin長野"
    assert event.decoded("dtstart").isoformat() == "2027-02-05T13:30:00+09:00"

    png = attachment(message, "uketsukehyo-qr.png")
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    assert decoded == [f"http://testserver/seminars/checkin/{registration.token}/"]


def test_confirmation_mail_for_online_has_no_checkin_qr(run_queued_tasks):
    seminar = make_seminar()
    services.registration_create(seminar=seminar, **registration_data(mode=AttendanceMode.ONLINE))

    run_queued_tasks()

    names = [item[0] if isinstance(item, tuple) else item.get_filename() for item in mail.outbox[0].attachments]
    assert names == ["seminar.ics"]
    assert "オンライン参加のURLは、開催前にこのアドレスへお送りします。" in mail.outbox[0].body


def test_demo_seminar_mail_is_labelled(run_queued_tasks):
    seminar = make_seminar(title="デモ回", is_demo=True)
    services.registration_create(seminar=seminar, **registration_data())

    run_queued_tasks()

    assert mail.outbox[0].subject == "【デモ】お申し込みを受け付けました｜デモ回"
    assert "※これはデモ用のセミナーです。実際には開催されません。" in mail.outbox[0].body


def test_online_url_mail_sent_when_staff_set_url(run_queued_tasks):
    seminar = make_seminar()
    registration = make_registration(seminar, mode=AttendanceMode.ONLINE)

    services.seminar_set_online_url(seminar=seminar, online_url="https://meet.example.jp/room")
    run_queued_tasks()

    assert [m.subject for m in mail.outbox] == [f"オンライン参加のURLのご案内｜{seminar.title}"]
    assert mail.outbox[0].to == [registration.email]
    assert "オンライン参加URL: https://meet.example.jp/room" in mail.outbox[0].body


def test_waitlist_promotion_mail(run_queued_tasks):
    seminar = make_seminar(venue_capacity=1)
    confirmed = services.registration_create(seminar=seminar, **registration_data()).registration
    waiting = services.registration_create(seminar=seminar, **registration_data(when_full=WhenFull.WAITLIST)).registration
    run_queued_tasks()
    mail.outbox.clear()

    services.registration_cancel(registration=confirmed, now=NOW)
    run_queued_tasks()

    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {
        confirmed.email: f"キャンセルを受け付けました｜{seminar.title}",
        waiting.email: f"キャンセル待ちから参加が確定しました｜{seminar.title}",
    }


def test_mail_for_registration_cancelled_before_worker_ran_is_skipped(run_queued_tasks):
    seminar = make_seminar()
    registration = services.registration_create(seminar=seminar, **registration_data()).registration
    services.registration_cancel(registration=registration, now=NOW)

    run_queued_tasks()

    assert [m.subject for m in mail.outbox] == [f"キャンセルを受け付けました｜{seminar.title}"]


def test_staff_message_mail(run_queued_tasks):
    seminar = make_seminar()
    registration = make_registration(seminar)

    services.seminar_message_send(seminar=seminar, mode=AttendanceMode.VENUE, subject="会場変更のお知らせ", body="2階に変わりました。")
    run_queued_tasks()

    assert [(m.to, m.subject) for m in mail.outbox] == [([registration.email], f"会場変更のお知らせ｜{seminar.title}")]
    assert "2階に変わりました。" in mail.outbox[0].body


def test_reminder_mail(run_queued_tasks):
    seminar = make_seminar()
    make_registration(seminar)

    services.seminar_schedule_reminders(seminar=seminar, now=NOW)
    run_queued_tasks()

    assert [m.subject for m in mail.outbox] == [f"開催が近づいています｜{seminar.title}"]
