import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from portal.deadlines import JAPAN, today_jst
from summits.enums import ApplicationStatus
from summits.models import Application, Delegate, Summit
from summits.services import (
    APPLICATION_PERSONAL_FIELDS,
    SummitError,
    application_cancel,
    application_create,
    application_erase,
    application_update,
    applications_anonymize_for_summit,
    delegate_erase,
    seats_left_label,
)

from .factories import contact, make_course, make_municipality, make_summit, make_track, mayor, staff

pytestmark = pytest.mark.django_db


def _apply(summit, municipality=None, delegates=None, **kwargs):
    return application_create(
        summit=summit,
        municipality=municipality or make_municipality(),
        contact=contact(),
        delegates=delegates or [mayor()],
        consent=True,
        **kwargs,
    )


def test_application_create_writes_application_and_delegates_in_order():
    summit = make_summit()
    track = make_track(summit, capacity=10)
    course = make_course(summit, capacity=10)

    application = _apply(summit, delegates=[mayor(track=track, course=course), staff(track=track)])

    assert application.status == ApplicationStatus.SUBMITTED
    assert len(application.token) == 43
    assert [(d.role, d.name, d.track_id, d.site_visit_course_id) for d in application.delegates.all()] == [
        ("mayor", "秋田 太郎", track.pk, course.pk),
        ("staff", "随行 次郎", track.pk, None),
    ]


def test_application_create_second_for_same_municipality_is_refused():
    summit = make_summit()
    municipality = make_municipality(name="秋田市")
    _apply(summit, municipality)

    with pytest.raises(SummitError) as error:
        _apply(summit, municipality)

    assert error.value.code == "duplicate"
    assert str(error.value.message) == (
        "秋田県秋田市はすでにこのサミットに申し込んでいます。申込完了メールのリンクから内容を変更してください。"
    )
    assert Application.objects.count() == 1


def test_application_create_after_cancellation_is_allowed():
    summit = make_summit()
    municipality = make_municipality()
    application_cancel(application=_apply(summit, municipality))

    second = _apply(summit, municipality)

    assert Application.objects.filter(status=ApplicationStatus.SUBMITTED).get() == second


def test_one_live_application_per_municipality_is_a_database_constraint():
    summit = make_summit()
    first = _apply(summit)

    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            summit=summit,
            municipality=first.municipality,
            token="another",
            contact_name="x",
            contact_department="x",
            contact_email="x@example.jp",
            contact_phone="0",
            consented_at=first.consented_at,
        )


def test_application_create_same_municipality_other_summit_is_allowed():
    municipality = make_municipality()
    _apply(make_summit(), municipality)

    _apply(make_summit(), municipality)

    assert Application.objects.filter(municipality=municipality).count() == 2


@pytest.mark.parametrize(
    ("now", "is_open"),
    [
        (dt.datetime(2025, 10, 3, 23, 59, 59, 999999, tzinfo=JAPAN), True),
        (dt.datetime(2025, 10, 4, 0, 0, tzinfo=JAPAN), False),
        # 10/3 15:00 UTC is already 10/4 00:00 in Japan.
        (dt.datetime(2025, 10, 3, 14, 59, 59, tzinfo=dt.UTC), True),
        (dt.datetime(2025, 10, 3, 15, 0, tzinfo=dt.UTC), False),
    ],
)
def test_application_create_deadline_is_end_of_day_jst(now, is_open):
    summit = make_summit(
        first_day=dt.date(2025, 10, 27), last_day=dt.date(2025, 10, 28), application_deadline=dt.date(2025, 10, 3)
    )

    if is_open:
        _apply(summit, now=now)
        assert Application.objects.count() == 1
    else:
        with pytest.raises(SummitError) as error:
            _apply(summit, now=now)
        assert str(error.value.message) == "参加申込の受付は締め切りました。"
        assert Application.objects.count() == 0


def test_application_create_without_deadline_is_refused():
    summit = make_summit(application_deadline=None)

    with pytest.raises(SummitError) as error:
        _apply(summit)

    assert str(error.value.message) == "このサミットはこのポータルで参加申込を受け付けていません。"


def test_application_create_without_consent_is_refused():
    with pytest.raises(SummitError) as error:
        application_create(
            summit=make_summit(), municipality=make_municipality(), contact=contact(), delegates=[mayor()], consent=False
        )

    assert str(error.value.message) == "個人情報の利用目的に同意してください。"


@pytest.mark.parametrize(
    ("delegates", "message"),
    [
        ([], "参加者を1名以上入力してください。"),
        ([staff()], "首長または副首長を1名含めてください。"),
        ([mayor(), mayor(name="二人目")], "首長は1名のみ登録できます。"),
    ],
)
def test_application_create_delegation_rules(delegates, message):
    with pytest.raises(SummitError) as error:
        application_create(
            summit=make_summit(), municipality=make_municipality(), contact=contact(), delegates=delegates, consent=True
        )

    assert str(error.value.message) == message


def test_application_create_full_track_lists_tracks_with_room():
    summit = make_summit()
    full = make_track(summit, number=1, capacity=1, theme="二地域居住・関係人口")
    make_track(summit, number=2, capacity=5, theme="地域運営組織")
    _apply(summit, delegates=[mayor(track=full)])

    with pytest.raises(SummitError) as error:
        _apply(summit, delegates=[mayor(track=full)])

    assert error.value.code == "full"
    assert str(error.value.message) == (
        "定員に達した分科会: 第1分科会「二地域居住・関係人口」\n"
        "空きのある分科会: 第2分科会「地域運営組織」（残り5名）"
    )
    assert Delegate.objects.filter(track=full).count() == 1


def test_application_create_counts_all_delegates_of_the_request():
    summit = make_summit()
    track = make_track(summit, capacity=2)
    _apply(summit, delegates=[mayor(track=track)])

    with pytest.raises(SummitError):
        _apply(summit, delegates=[mayor(track=track), staff(track=track)])

    assert Delegate.objects.filter(track=track).count() == 1


def test_application_create_full_course_lists_courses_with_room():
    summit = make_summit()
    full = make_course(summit, name="Aコース", capacity=1)
    make_course(summit, name="Bコース", capacity=None)
    make_course(summit, name="Cコース", capacity=1)
    _apply(summit, delegates=[mayor(course=full)])
    c_course = summit.site_visit_courses.get(name="Cコース")
    _apply(summit, delegates=[mayor(course=c_course)])

    with pytest.raises(SummitError) as error:
        _apply(summit, delegates=[mayor(course=full)])

    assert str(error.value.message) == (
        "定員に達した現地視察コース: Aコース\n空きのある現地視察コース: Bコース（定員なし）"
    )


def test_application_create_track_of_another_summit_is_refused():
    other_track = make_track(make_summit(), capacity=10)

    with pytest.raises(SummitError) as error:
        _apply(make_summit(), delegates=[mayor(track=other_track)])

    assert str(error.value.message) == "このサミットにない分科会または現地視察コースが選ばれています。"


def test_cancelled_application_frees_its_seats():
    summit = make_summit()
    track = make_track(summit, capacity=1)
    first = _apply(summit, delegates=[mayor(track=track)])

    application_cancel(application=first)
    _apply(summit, delegates=[mayor(track=track)])

    assert Delegate.objects.filter(track=track, application__status="submitted").count() == 1


def test_application_update_replaces_delegates_and_keeps_own_seats():
    summit = make_summit()
    track = make_track(summit, capacity=2)
    application = _apply(summit, delegates=[mayor(track=track), staff(track=track)])

    application_update(
        application=application, contact=contact("new@city.example.jp"), delegates=[mayor(track=track), staff(track=track, name="新 職員")]
    )

    application.refresh_from_db()
    assert application.contact_email == "new@city.example.jp"
    assert [d.name for d in application.delegates.all()] == ["秋田 太郎", "新 職員"]


def test_application_update_into_full_track_is_refused_and_keeps_old_delegates():
    summit = make_summit()
    track_1 = make_track(summit, number=1, capacity=10)
    track_2 = make_track(summit, number=2, capacity=1)
    _apply(summit, delegates=[mayor(track=track_2)])
    application = _apply(summit, delegates=[mayor(track=track_1)])

    with pytest.raises(SummitError) as error:
        application_update(application=application, contact=contact(), delegates=[mayor(track=track_2)])

    assert error.value.code == "full"
    assert [d.track_id for d in application.delegates.all()] == [track_1.pk]


def test_application_update_after_deadline_is_refused():
    summit = make_summit(
        first_day=dt.date(2025, 10, 27), last_day=dt.date(2025, 10, 28), application_deadline=dt.date(2025, 10, 3)
    )
    application = _apply(summit, now=dt.datetime(2025, 10, 1, 12, 0, tzinfo=JAPAN))

    with pytest.raises(SummitError) as error:
        application_update(
            application=application, contact=contact(), delegates=[mayor()], now=dt.datetime(2025, 10, 4, 0, 0, tzinfo=JAPAN)
        )

    assert str(error.value.message) == "参加申込締切日を過ぎたため、変更・取消はできません。事務局へご連絡ください。"


def test_application_update_of_cancelled_application_is_refused():
    application = _apply(make_summit())
    application_cancel(application=application)

    with pytest.raises(SummitError) as error:
        application_update(application=application, contact=contact(), delegates=[mayor()])

    assert str(error.value.message) == "この申込は取り消されています。"


@pytest.mark.django_db(transaction=True)  # the worker commits and reconnects, as in production
def test_application_create_sends_confirmation_with_calendar(run_queued_tasks):
    summit = make_summit(is_demo=True)
    application = _apply(summit)

    run_queued_tasks()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["tanto@city.example.jp"]
    assert message.subject == f"【デモ】参加申込を受け付けました: {summit.title}"
    assert f"http://testserver/summits/a/{application.token}/" in message.body
    assert "※これはデモのサミットです。実際には開催されません。" in message.body
    assert [(name, mimetype) for name, _content, mimetype in message.attachments] == [
        (f"{summit.slug}.ics", "text/calendar; charset=utf-8")
    ]


@pytest.mark.django_db(transaction=True)
def test_refused_application_sends_no_mail(run_queued_tasks):
    summit = make_summit()
    municipality = make_municipality()
    _apply(summit, municipality)
    run_queued_tasks()
    mail.outbox.clear()

    with pytest.raises(SummitError):
        _apply(summit, municipality)
    run_queued_tasks()

    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_update_and_cancel_send_their_mails(run_queued_tasks):
    summit = make_summit()
    application = _apply(summit)
    application_update(application=application, contact=contact("new@city.example.jp"), delegates=[mayor(name="新 市長")])
    application_cancel(application=application)

    run_queued_tasks()

    # The confirmation is skipped: the worker builds mail from the current state, now cancelled.
    assert [m.subject for m in mail.outbox] == [f"参加申込を取り消しました: {summit.title}"]


@pytest.mark.django_db(transaction=True)
def test_changed_mail_lists_new_delegates_and_attaches_calendar(run_queued_tasks):
    summit = make_summit()
    application = _apply(summit)
    run_queued_tasks()
    mail.outbox.clear()

    application_update(application=application, contact=contact("new@city.example.jp"), delegates=[mayor(name="新 市長")])
    run_queued_tasks()

    message = mail.outbox[0]
    assert message.to == ["new@city.example.jp"]
    assert message.subject == f"参加申込の内容を変更しました: {summit.title}"
    assert "- 首長 市長 新 市長（あきた たろう）" in message.body
    calendar = icalendar.Calendar.from_ical(message.attachments[0][1])
    assert str(calendar["X-WR-CALNAME"]) == summit.title


# ---------------------------------------------------------------- personal data (個人情報保護法)


def _held(summit, *, days_ago: int = 10):
    """Move an open summit (applied to while open) into the past."""
    last_day = today_jst() - dt.timedelta(days=days_ago)
    Summit.objects.filter(pk=summit.pk).update(
        first_day=last_day - dt.timedelta(days=1), last_day=last_day, application_deadline=last_day - dt.timedelta(days=20)
    )
    summit.refresh_from_db()
    return summit


def test_applications_anonymize_for_summit_blanks_contacts_and_delegates_and_keeps_counted_fields():
    summit = make_summit()
    track = make_track(summit, capacity=10)
    course = make_course(summit, capacity=10)
    application = _apply(summit, delegates=[mayor(track=track, course=course), staff(track=track)])
    old_token = application.token
    _held(summit)

    counts = applications_anonymize_for_summit(summit=summit)

    application.refresh_from_db()
    assert (counts.applications, counts.delegates, counts.total) == (1, 2, 3)
    assert [getattr(application, f) for f in APPLICATION_PERSONAL_FIELDS] == [""] * 4
    assert application.token != old_token
    assert application.status == ApplicationStatus.SUBMITTED
    assert [
        (d.role, d.track_id, d.site_visit_course_id, d.name, d.name_kana, d.title, d.anonymized_at is not None)
        for d in application.delegates.all()
    ] == [("mayor", track.pk, course.pk, "", "", "", True), ("staff", track.pk, None, "", "", "", True)]


def test_applications_anonymize_for_summit_twice_counts_zero_the_second_time():
    summit = make_summit()
    _apply(summit)
    _held(summit)
    applications_anonymize_for_summit(summit=summit)

    counts = applications_anonymize_for_summit(summit=summit)

    assert counts.total == 0


def test_applications_anonymize_for_summit_refuses_a_summit_not_yet_held():
    summit = make_summit()
    _apply(summit)

    with pytest.raises(SummitError) as error:
        applications_anonymize_for_summit(summit=summit)

    assert error.value.code == "not_ended"
    assert Application.objects.get().anonymized_at is None


def test_application_erase_before_the_deadline_withdraws_and_frees_the_seat():
    summit = make_summit()
    track = make_track(summit, capacity=1)
    application = _apply(summit, delegates=[mayor(track=track)])

    outcome = application_erase(application=application)

    assert (outcome.cancelled, outcome.delegates) == (True, 1)
    assert (outcome.application.status, outcome.application.contact_email) == (ApplicationStatus.CANCELLED, "")
    other = _apply(summit, delegates=[mayor(track=track)])  # the freed seat can be taken
    assert other.delegates.get().track_id == track.pk


def test_application_erase_after_the_deadline_keeps_the_status_and_blanks_the_data():
    summit = make_summit()
    application = _apply(summit)
    _held(summit)

    outcome = application_erase(application=application)

    assert (outcome.cancelled, outcome.application.status, outcome.application.contact_name) == (
        False,
        ApplicationStatus.SUBMITTED,
        "",
    )
    assert Delegate.objects.get().name == ""


def test_delegate_erase_blanks_one_person_and_keeps_their_seat_in_the_delegation():
    summit = make_summit()
    track = make_track(summit, capacity=5)
    application = _apply(summit, delegates=[mayor(track=track), staff(track=track)])
    person = application.delegates.get(role="staff")

    delegate_erase(delegate=person)

    assert [(d.role, d.display_name, d.track_id) for d in application.delegates.all()] == [
        ("mayor", "秋田 太郎", track.pk),
        ("staff", "（個人情報削除済み）", track.pk),
    ]
    assert Application.objects.get().contact_name == "担当 花子"
    with pytest.raises(SummitError):
        delegate_erase(delegate=Delegate.objects.get(pk=person.pk))


def test_anonymized_application_cannot_hold_a_contact():
    application = _apply(make_summit())

    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(anonymized_at=timezone.now())


def test_seats_left_label_is_one_phrase_in_japanese_and_singular_or_plural_in_english():
    with translation.override("ja"):
        assert [seats_left_label("第1分科会", n) for n in (1, 3)] == ["第1分科会（残り1名）", "第1分科会（残り3名）"]
    with translation.override("en"):
        assert [seats_left_label("Track 1", n) for n in (1, 3)] == ["Track 1 (1 place left)", "Track 1 (3 places left)"]
