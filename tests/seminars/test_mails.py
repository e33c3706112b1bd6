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
    assert decoded == [f"http://testserver/seminars/checkin/{registration.checkin_token}/"]


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


# ---------------------------------------------------------------- a change of mode says what changed


def attachment_names(message) -> list[str]:
    return [item[0] if isinstance(item, tuple) else item.get_filename() for item in message.attachments]


def test_mode_changed_mail_venue_to_online_says_what_changed_and_gives_the_url(run_queued_tasks):
    seminar = make_seminar(title="全国セミナーin長野", online_url="https://meet.example.jp/abc", contact="地域振興室")
    registration = make_registration(seminar, name="変更 太郎", kana="へんこう たろう", joins_exchange=True)

    services.registration_change_mode(registration=registration, mode=AttendanceMode.ONLINE, now=NOW)
    run_queued_tasks()

    [message] = mail.outbox
    assert (message.to, message.subject) == ([registration.email], "お申し込み内容を変更しました｜全国セミナーin長野")
    assert message.body.splitlines() == [
        "変更 太郎 様",
        "",
        "「全国セミナーin長野」のお申し込み内容を変更しました。",
        "",
        "参加方法を 会場 から オンライン に変更しました。",
        "意見交換会を 参加する から 参加しない に変更しました。",
        "",
        "■ セミナー: 全国セミナーin長野",
        "■ 日時: 令和9年2月5日（金） 13:30～17:00",
        "■ 参加方法: オンライン",
        "■ 状態: 参加確定",
        "■ お名前: 変更 太郎（へんこう たろう）",
        "",
        "お申し込み内容の確認・参加方法の変更・キャンセルはこちら:",
        f"http://testserver/seminars/r/{registration.token}/",
        "カレンダーに追加（.ics）:",
        f"http://testserver/seminars/r/{registration.token}/calendar.ics",
        "",
        "オンライン参加URL: https://meet.example.jp/abc",
        "このURLは参加登録された方専用です。ほかの方へは共有しないでください。",
        "",
        "ご都合が悪くなった場合は、上のリンクからキャンセルしてください。",
        "",
        "--",
        "総務省 地域力創造グループ 地域振興室",
        "このメールは送信専用です。",
        "お問い合わせ先: 地域振興室",
        "",
    ]
    assert attachment_names(message) == ["seminar.ics"]


def test_mode_changed_mail_online_to_venue_gives_the_number_in_text_and_the_slip_attached(run_queued_tasks):
    seminar = make_seminar()
    registration = make_registration(seminar, mode=AttendanceMode.ONLINE)

    services.registration_change_mode(registration=registration, mode=AttendanceMode.VENUE, now=NOW)
    run_queued_tasks()

    [message] = mail.outbox
    lines = message.body.splitlines()
    assert "参加方法を オンライン から 会場 に変更しました。" in lines
    assert not [line for line in lines if line.startswith("意見交換会を")]
    assert f"http://testserver/seminars/r/{registration.token}/uketsukehyo/" in lines
    start = lines.index(
        "【受付票】当日は受付票（2次元バーコード）を受付でご提示ください。上の「受付票」のURLを開くと表示されます（このメールにも画像を添付しています）。"
    )
    assert lines[start + 1 : start + 3] == [
        f"受付番号: {registration.number}",
        "受付票を表示できない場合は、受付で受付番号とお名前をお伝えください。",
    ]
    assert attachment_names(message) == ["seminar.ics", "uketsukehyo-qr.png"]
    png = attachment(message, "uketsukehyo-qr.png")
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    assert decoded == [f"http://testserver/seminars/checkin/{registration.checkin_token}/"]


def test_mode_changed_mail_for_the_exchange_alone(run_queued_tasks):
    registration = make_registration(make_seminar(), joins_exchange=False)

    services.registration_change_mode(registration=registration, mode=AttendanceMode.VENUE, joins_exchange=True, now=NOW)
    run_queued_tasks()

    lines = mail.outbox[0].body.splitlines()
    assert lines[4:6] == ["意見交換会を 参加しない から 参加する に変更しました。", ""]
    assert "■ 意見交換会: 参加する" in lines


def test_mode_changed_mail_to_online_before_the_url_is_set_says_it_will_come(run_queued_tasks):
    registration = make_registration(make_seminar(online_url=""))

    services.registration_change_mode(registration=registration, mode=AttendanceMode.ONLINE, now=NOW)
    run_queued_tasks()

    assert "オンライン参加のURLは、開催前にこのアドレスへお送りします。" in mail.outbox[0].body.splitlines()
    assert "オンライン参加URL" not in mail.outbox[0].body


def test_mode_changed_mail_from_the_waiting_list_says_confirmed(run_queued_tasks):
    seminar = make_seminar(venue_capacity=1)
    make_registration(seminar)
    waiting = make_registration(seminar, status="waitlisted")

    services.registration_change_mode(registration=waiting, mode=AttendanceMode.ONLINE, now=NOW)
    run_queued_tasks()

    lines = mail.outbox[0].body.splitlines()
    assert lines[4:6] == ["参加方法を 会場 から オンライン に変更しました。", "キャンセル待ちから参加確定となりました。"]
    assert "■ 状態: 参加確定" in lines


def test_mode_changed_twice_before_the_worker_ran_mails_only_the_last_change(run_queued_tasks):
    registration = make_registration(make_seminar())

    services.registration_change_mode(registration=registration, mode=AttendanceMode.ONLINE, now=NOW)
    services.registration_change_mode(registration=registration, mode=AttendanceMode.VENUE, now=NOW)
    run_queued_tasks()

    [message] = mail.outbox
    assert "参加方法を オンライン から 会場 に変更しました。" in message.body.splitlines()


def test_confirmation_mail_gives_the_per_seminar_number(run_queued_tasks):
    other = make_seminar()
    for _ in range(3):
        services.registration_create(seminar=other, **registration_data())
    seminar = make_seminar()
    services.registration_create(seminar=seminar, **registration_data())
    registration = services.registration_create(seminar=seminar, **registration_data()).registration
    mail.outbox.clear()
    run_queued_tasks()

    [message] = [m for m in mail.outbox if m.to == [registration.email]]
    assert registration.pk != 2
    assert [line for line in message.body.splitlines() if line.startswith("受付番号")] == ["受付番号: 2"]


def test_links_mail_lists_each_live_upcoming_registration_with_its_own_link_as_text(run_queued_tasks):
    venue = make_seminar(title="長野の回", date=dt.date(2027, 2, 5), contact="地域振興室 03-0000-0000")
    online = make_seminar(title="山形の回", date=dt.date(2027, 3, 1), online_url="https://meet.example.jp/abc")
    for _ in range(2):
        make_registration(venue)
    at_venue = make_registration(venue, email="me@example.jp", name="再送 花子", kana="さいそう はなこ")
    on_line = make_registration(online, email="me@example.jp", name="再送 花子", kana="さいそう はなこ", mode=AttendanceMode.ONLINE)
    gone = make_registration(make_seminar(title="取消の回"), email="me@example.jp", status="cancelled", cancelled_at=NOW)
    mail.outbox.clear()

    services.registration_links_resend(email="ME@example.jp")
    run_queued_tasks()

    [message] = mail.outbox
    assert message.to == ["me@example.jp"]
    assert message.subject == "お申し込み内容の確認リンクをお送りします｜地域運営組織（RMO）全国セミナー"
    assert message.attachments == []
    lines = message.body.splitlines()
    assert [line for line in lines if line.startswith("■ セミナー")] == ["■ セミナー: 長野の回", "■ セミナー: 山形の回"]
    assert [line for line in lines if line.startswith("■ 受付番号")] == ["■ 受付番号: 3", "■ 受付番号: 1"]
    assert [line for line in lines if line.startswith("http")] == [
        f"http://testserver/seminars/r/{at_venue.token}/",
        f"http://testserver/seminars/r/{at_venue.token}/calendar.ics",
        f"http://testserver/seminars/r/{at_venue.token}/uketsukehyo/",
        f"http://testserver/seminars/r/{on_line.token}/",
        f"http://testserver/seminars/r/{on_line.token}/calendar.ics",
    ]
    assert "■ オンライン参加URL: https://meet.example.jp/abc" in lines
    assert "■ お問い合わせ先: 地域振興室 03-0000-0000" in lines
    assert gone.token not in message.body
    assert lines[0] == "このメールアドレスでお申し込みいただいた方へ"


def test_links_mail_is_skipped_when_every_registration_was_cancelled_before_the_worker_ran(run_queued_tasks):
    registration = make_registration(make_seminar(title="遅れの回"), email="late@example.jp")
    services.registration_links_resend(email="late@example.jp")
    services.registration_cancel(registration=registration, now=NOW)
    mail.outbox.clear()

    run_queued_tasks()

    assert [m.subject for m in mail.outbox] == ["キャンセルを受け付けました｜遅れの回"]  # no links mail
