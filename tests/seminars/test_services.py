import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q

from portal.deadlines import JAPAN
from seminars import services
from seminars.enums import AttendanceMode, RegistrationSource, RegistrationStatus, WhenFull
from seminars.models import MessageDelivery, Registration
from tests.seminars.factories import NOW, make_registration, make_seminar, registration_data

pytestmark = pytest.mark.django_db


def test_registration_create_with_a_free_seat_confirms():
    seminar = make_seminar(venue_capacity=2)

    outcome = services.registration_create(seminar=seminar, **registration_data(email="Hanako@Example.JP"))

    registration = outcome.registration
    assert outcome.created is True
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.email_normalized == "hanako@example.jp"
    assert registration.consent_at == NOW
    assert registration.confirmed_at == NOW
    assert len(registration.token) == 43


def test_registration_create_queues_confirmation_mail(queued_mails):
    seminar = make_seminar()

    registration = services.registration_create(seminar=seminar, **registration_data()).registration

    assert queued_mails() == [("seminars.confirmation", registration.pk)]


def test_registration_create_online_after_url_is_set_queues_url_mail_too(queued_mails):
    seminar = make_seminar(online_url="https://meet.example.jp/abc")

    registration = services.registration_create(
        seminar=seminar, **registration_data(mode=AttendanceMode.ONLINE)
    ).registration

    assert queued_mails() == [("seminars.confirmation", registration.pk), ("seminars.online_url", registration.pk)]


def test_registration_create_full_venue_refuses_by_default():
    seminar = make_seminar(venue_capacity=1)
    services.registration_create(seminar=seminar, **registration_data())

    with pytest.raises(services.RegistrationError) as error:
        services.registration_create(seminar=seminar, **registration_data())

    assert error.value.code == "full"
    assert str(error.value.message) == "会場参加は満席です。"
    assert Registration.objects.count() == 1


def test_registration_create_full_venue_waitlists_when_asked(queued_mails):
    seminar = make_seminar(venue_capacity=1)
    services.registration_create(seminar=seminar, **registration_data())

    outcome = services.registration_create(seminar=seminar, **registration_data(when_full=WhenFull.WAITLIST))

    assert outcome.registration.status == RegistrationStatus.WAITLISTED
    assert outcome.registration.confirmed_at is None
    assert queued_mails()[-1] == ("seminars.waitlisted", outcome.registration.pk)


def test_registration_create_full_venue_switches_to_online_when_asked():
    seminar = make_seminar(venue_capacity=1)
    services.registration_create(seminar=seminar, **registration_data())

    outcome = services.registration_create(
        seminar=seminar, **registration_data(when_full=WhenFull.ONLINE, joins_exchange=True)
    )

    assert outcome.registration.mode == AttendanceMode.ONLINE
    assert outcome.registration.status == RegistrationStatus.CONFIRMED
    assert outcome.registration.joins_exchange is False


def test_registration_create_online_unlimited_never_full():
    seminar = make_seminar(online_capacity=None)
    for _ in range(30):
        services.registration_create(seminar=seminar, **registration_data(mode=AttendanceMode.ONLINE))

    assert Registration.objects.filter(status=RegistrationStatus.CONFIRMED).count() == 30


def test_registration_create_same_email_twice_returns_existing():
    seminar = make_seminar()
    first = services.registration_create(seminar=seminar, **registration_data(email="same@example.jp"))

    second = services.registration_create(
        seminar=seminar, **registration_data(email=" SAME@example.jp ", mode=AttendanceMode.ONLINE)
    )

    assert second.created is False
    assert second.registration.pk == first.registration.pk
    assert Registration.objects.count() == 1


def orm_taken_and_existing(seminar, email_normalized: str) -> tuple[dict[str, int], int | None]:
    """What services.TAKEN_AND_EXISTING_SQL asks, in the ORM's words (the query it replaced)."""
    live = ~Q(status=RegistrationStatus.CANCELLED)
    row = Registration.objects.filter(seminar=seminar).aggregate(
        venue=Count("id", filter=Q(mode=AttendanceMode.VENUE, status=RegistrationStatus.CONFIRMED)),
        online=Count("id", filter=Q(mode=AttendanceMode.ONLINE, status=RegistrationStatus.CONFIRMED)),
        existing=Max("id", filter=Q(email_normalized=email_normalized) & live),
    )
    return {AttendanceMode.VENUE: row["venue"], AttendanceMode.ONLINE: row["online"]}, row["existing"]


def test_taken_and_existing_counts_confirmed_seats_per_mode_and_finds_the_live_registration():
    seminar, other = make_seminar(venue_capacity=10, online_capacity=10), make_seminar()
    make_registration(seminar, mode=AttendanceMode.VENUE)
    make_registration(seminar, mode=AttendanceMode.VENUE)
    make_registration(seminar, mode=AttendanceMode.VENUE, status=RegistrationStatus.WAITLISTED)
    make_registration(seminar, mode=AttendanceMode.ONLINE)
    make_registration(seminar, mode=AttendanceMode.ONLINE, status=RegistrationStatus.CANCELLED, email="gone@example.jp")
    waiting = make_registration(seminar, mode=AttendanceMode.ONLINE, status=RegistrationStatus.WAITLISTED, email="wait@example.jp")
    make_registration(other, mode=AttendanceMode.ONLINE, email="elsewhere@example.jp")

    results = {
        email: services._taken_and_existing(seminar, email)
        for email in ("gone@example.jp", "wait@example.jp", "elsewhere@example.jp")
    }

    taken = {AttendanceMode.VENUE: 2, AttendanceMode.ONLINE: 1}
    assert results == {
        "gone@example.jp": (taken, None),  # only a cancelled registration
        "wait@example.jp": (taken, waiting.pk),  # waitlisted is live
        "elsewhere@example.jp": (taken, None),  # another seminar's
    }
    assert results == {email: orm_taken_and_existing(seminar, email) for email in results}


def test_registration_create_after_cancel_allows_a_new_registration():
    seminar = make_seminar()
    first = services.registration_create(seminar=seminar, **registration_data(email="again@example.jp"))
    services.registration_cancel(registration=first.registration, now=NOW)

    second = services.registration_create(seminar=seminar, **registration_data(email="again@example.jp"))

    assert second.created is True
    assert Registration.objects.filter(email_normalized="again@example.jp").count() == 2


def test_registration_create_exchange_with_online_refused():
    seminar = make_seminar()

    with pytest.raises(services.RegistrationError) as error:
        services.registration_create(
            seminar=seminar, **registration_data(mode=AttendanceMode.ONLINE, joins_exchange=True)
        )

    assert str(error.value.message) == "意見交換会は会場参加の方のみ参加できます。"


def test_registration_create_mode_the_seminar_lacks_refused():
    seminar = make_seminar(has_online=False)

    with pytest.raises(services.RegistrationError) as error:
        services.registration_create(seminar=seminar, **registration_data(mode=AttendanceMode.ONLINE))

    assert error.value.code == "mode"


def test_registration_create_without_consent_refused():
    seminar = make_seminar()

    with pytest.raises(services.RegistrationError) as error:
        services.registration_create(seminar=seminar, **registration_data(consent=False))

    assert error.value.code == "consent"


def test_registration_create_last_second_of_deadline_day_jst_is_open():
    seminar = make_seminar(date=dt.date(2025, 9, 30), deadline=dt.date(2025, 9, 23))
    last_second = dt.datetime(2025, 9, 23, 23, 59, 59, tzinfo=JAPAN)

    outcome = services.registration_create(seminar=seminar, **registration_data(now=last_second))

    assert outcome.registration.status == RegistrationStatus.CONFIRMED


def test_registration_create_midnight_after_deadline_day_jst_is_closed():
    seminar = make_seminar(date=dt.date(2025, 9, 30), deadline=dt.date(2025, 9, 23))
    midnight = dt.datetime(2025, 9, 24, 0, 0, tzinfo=JAPAN)

    with pytest.raises(services.RegistrationError) as error:
        services.registration_create(seminar=seminar, **registration_data(now=midnight))

    assert error.value.code == "closed"
    assert str(error.value.message) == "このセミナーの受付は終了しました。"


def test_registration_create_deadline_is_japan_time_not_utc():
    seminar = make_seminar(date=dt.date(2025, 9, 30), deadline=dt.date(2025, 9, 23))
    # 2025-09-23 15:00 UTC is 9/24 00:00 in Japan: already closed.
    utc_afternoon = dt.datetime(2025, 9, 23, 15, 0, tzinfo=dt.UTC)

    with pytest.raises(services.RegistrationError):
        services.registration_create(seminar=seminar, **registration_data(now=utc_afternoon))


def test_registration_create_closes_when_seminar_starts_even_before_deadline():
    seminar = make_seminar(date=dt.date(2027, 2, 5), deadline=dt.date(2027, 2, 5), start_time=dt.time(13, 30))

    open_outcome = services.registration_create(
        seminar=seminar, **registration_data(now=dt.datetime(2027, 2, 5, 13, 29, 59, tzinfo=JAPAN))
    )
    with pytest.raises(services.RegistrationError) as error:
        services.registration_create(seminar=seminar, **registration_data(now=dt.datetime(2027, 2, 5, 13, 30, tzinfo=JAPAN)))

    assert open_outcome.created is True
    assert error.value.code == "closed"


def test_registration_create_before_opening_time_refused():
    seminar = make_seminar(registration_opens_at=dt.datetime(2027, 1, 11, 9, 0, tzinfo=JAPAN))

    with pytest.raises(services.RegistrationError) as error:
        services.registration_create(seminar=seminar, **registration_data())

    assert error.value.code == "closed"


def test_registration_create_closed_by_staff_refused():
    seminar = services.seminar_close(seminar=make_seminar())

    with pytest.raises(services.RegistrationError) as error:
        services.registration_create(seminar=seminar, **registration_data())

    assert error.value.code == "closed"


def test_registration_create_records_flyer_source():
    seminar = make_seminar()

    outcome = services.registration_create(seminar=seminar, **registration_data(source=RegistrationSource.FLYER))

    assert outcome.registration.source == "flyer"


def test_registration_cancel_promotes_first_waiting_in_same_mode(queued_mails):
    seminar = make_seminar(venue_capacity=1)
    confirmed = services.registration_create(seminar=seminar, **registration_data()).registration
    first_waiting = services.registration_create(
        seminar=seminar, **registration_data(when_full=WhenFull.WAITLIST, now=NOW + dt.timedelta(minutes=1))
    ).registration
    services.registration_create(
        seminar=seminar, **registration_data(when_full=WhenFull.WAITLIST, now=NOW + dt.timedelta(minutes=2))
    )

    promoted = services.registration_cancel(registration=confirmed, now=NOW + dt.timedelta(hours=1))

    assert promoted.pk == first_waiting.pk
    assert promoted.status == RegistrationStatus.CONFIRMED
    assert Registration.objects.get(pk=confirmed.pk).status == RegistrationStatus.CANCELLED
    assert Registration.objects.filter(status=RegistrationStatus.WAITLISTED).count() == 1
    assert queued_mails()[-2:] == [("seminars.cancelled", confirmed.pk), ("seminars.promoted", first_waiting.pk)]


def test_registration_cancel_of_waitlisted_promotes_nobody():
    seminar = make_seminar(venue_capacity=1)
    services.registration_create(seminar=seminar, **registration_data())
    waiting = services.registration_create(seminar=seminar, **registration_data(when_full=WhenFull.WAITLIST)).registration

    promoted = services.registration_cancel(registration=waiting, now=NOW)

    assert promoted is None
    assert Registration.objects.filter(status=RegistrationStatus.CONFIRMED).count() == 1


def test_registration_cancel_twice_refused():
    seminar = make_seminar()
    registration = services.registration_create(seminar=seminar, **registration_data()).registration
    services.registration_cancel(registration=registration, now=NOW)

    with pytest.raises(services.RegistrationError) as error:
        services.registration_cancel(registration=registration, now=NOW)

    assert error.value.code == "cancelled"


def test_registration_cancel_after_start_refused():
    seminar = make_seminar()
    registration = services.registration_create(seminar=seminar, **registration_data()).registration

    with pytest.raises(services.RegistrationError) as error:
        services.registration_cancel(registration=registration, now=dt.datetime(2027, 2, 5, 14, 0, tzinfo=JAPAN))

    assert error.value.code == "started"


def test_registration_change_mode_to_online_frees_venue_seat_for_waiting():
    seminar = make_seminar(venue_capacity=1)
    registration = services.registration_create(seminar=seminar, **registration_data(joins_exchange=True)).registration
    waiting = services.registration_create(seminar=seminar, **registration_data(when_full=WhenFull.WAITLIST)).registration

    changed = services.registration_change_mode(registration=registration, mode=AttendanceMode.ONLINE, now=NOW)

    assert changed.mode == AttendanceMode.ONLINE
    assert changed.joins_exchange is False
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED


def test_registration_change_mode_to_full_venue_refused():
    seminar = make_seminar(venue_capacity=1)
    services.registration_create(seminar=seminar, **registration_data())
    online = services.registration_create(seminar=seminar, **registration_data(mode=AttendanceMode.ONLINE)).registration

    with pytest.raises(services.RegistrationError) as error:
        services.registration_change_mode(registration=online, mode=AttendanceMode.VENUE, now=NOW)

    assert str(error.value.message) == "会場参加は満席のため変更できません。"
    assert Registration.objects.get(pk=online.pk).mode == AttendanceMode.ONLINE


def test_registration_change_mode_waitlisted_to_online_confirms():
    seminar = make_seminar(venue_capacity=1)
    services.registration_create(seminar=seminar, **registration_data())
    waiting = services.registration_create(seminar=seminar, **registration_data(when_full=WhenFull.WAITLIST)).registration

    changed = services.registration_change_mode(registration=waiting, mode=AttendanceMode.ONLINE, now=NOW)

    assert (changed.mode, changed.status) == (AttendanceMode.ONLINE, RegistrationStatus.CONFIRMED)


def test_registration_change_mode_after_deadline_refused():
    seminar = make_seminar()
    registration = services.registration_create(seminar=seminar, **registration_data()).registration

    with pytest.raises(services.RegistrationError) as error:
        services.registration_change_mode(
            registration=registration, mode=AttendanceMode.ONLINE, now=dt.datetime(2027, 1, 30, tzinfo=JAPAN)
        )

    assert error.value.code == "closed"


def test_registration_check_in_once():
    seminar = make_seminar()
    registration = make_registration(seminar)
    first_time = dt.datetime(2027, 2, 5, 13, 5, tzinfo=JAPAN)

    checked = services.registration_check_in(registration=registration, now=first_time)
    with pytest.raises(services.RegistrationError) as error:
        services.registration_check_in(registration=registration, now=first_time + dt.timedelta(minutes=3))

    assert checked.checked_in_at == first_time
    assert error.value.code == "already"
    assert str(error.value.message) == "受付済みです（13:05）。"


def test_registration_check_in_waitlisted_refused():
    registration = make_registration(make_seminar(), status=RegistrationStatus.WAITLISTED)

    with pytest.raises(services.RegistrationError) as error:
        services.registration_check_in(registration=registration)

    assert error.value.code == "not_confirmed"


def test_registration_check_in_online_refused():
    registration = make_registration(make_seminar(), mode=AttendanceMode.ONLINE)

    with pytest.raises(services.RegistrationError) as error:
        services.registration_check_in(registration=registration)

    assert error.value.code == "online"


def test_seminar_set_online_url_queues_mail_for_each_confirmed_online(queued_mails):
    seminar = make_seminar()
    online = [make_registration(seminar, mode=AttendanceMode.ONLINE) for _ in range(3)]
    make_registration(seminar, mode=AttendanceMode.ONLINE, status=RegistrationStatus.CANCELLED, cancelled_at=NOW)
    make_registration(seminar, mode=AttendanceMode.VENUE)

    count = services.seminar_set_online_url(seminar=seminar, online_url="https://meet.example.jp/x")

    assert count == 3
    assert sorted(queued_mails()) == sorted(("seminars.online_url", r.pk) for r in online)
    seminar.refresh_from_db()
    assert seminar.online_url == "https://meet.example.jp/x"


def test_seminar_set_online_url_unchanged_queues_nothing(queued_mails):
    seminar = make_seminar(online_url="https://meet.example.jp/x")
    make_registration(seminar, mode=AttendanceMode.ONLINE)

    count = services.seminar_set_online_url(seminar=seminar, online_url="https://meet.example.jp/x")

    assert count == 0
    assert queued_mails() == []


def test_seminar_message_send_reaches_live_registrants_of_one_mode(queued_mails):
    seminar = make_seminar()
    venue = [make_registration(seminar) for _ in range(2)]
    make_registration(seminar, mode=AttendanceMode.ONLINE)
    make_registration(seminar, status=RegistrationStatus.CANCELLED, cancelled_at=NOW)

    message = services.seminar_message_send(
        seminar=seminar, mode=AttendanceMode.VENUE, subject="会場変更", body="会場が変わりました。"
    )

    assert message.recipient_count == 2
    assert sorted(MessageDelivery.objects.values_list("registration_id", flat=True)) == sorted(r.pk for r in venue)
    assert [kind for kind, _ in queued_mails()] == ["seminars.message", "seminars.message"]


def test_seminar_schedule_reminders_is_idempotent(queued_mails):
    seminar = make_seminar()
    make_registration(seminar)
    make_registration(seminar, status=RegistrationStatus.WAITLISTED)

    first = services.seminar_schedule_reminders(seminar=seminar, now=NOW)
    second = services.seminar_schedule_reminders(seminar=seminar, now=NOW)

    assert (first, second) == (1, 0)
    assert len(queued_mails()) == 1


def test_database_refuses_two_live_registrations_for_one_email():
    seminar = make_seminar()
    make_registration(seminar, email="dup@example.jp")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_registration(seminar, email="DUP@example.jp", email_normalized="dup@example.jp")


def test_database_refuses_exchange_for_online():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_registration(make_seminar(), mode=AttendanceMode.ONLINE, joins_exchange=True)


# ---------------------------------------------------------------- personal data (個人情報保護法)


def _past_seminar(**overrides):
    """A seminar held on 2026-12-01, before NOW."""
    return make_seminar(date=dt.date(2026, 12, 1), deadline=dt.date(2026, 11, 30), **overrides)


def test_registrations_anonymize_for_seminar_blanks_personal_fields_and_keeps_counted_ones():
    seminar = _past_seminar()
    registration = make_registration(
        seminar,
        name="個人 太郎",
        affiliation="長野市役所",
        accessibility_needs="車いす",
        source=RegistrationSource.FLYER,
        checked_in_at=NOW - dt.timedelta(days=40),
    )
    old_token = registration.token

    changed = services.registrations_anonymize_for_seminar(seminar=seminar, now=NOW)

    registration.refresh_from_db()
    assert changed == 1
    assert [getattr(registration, f) for f in services.REGISTRATION_PERSONAL_FIELDS] == [""] * 6
    assert registration.anonymized_at == NOW
    assert registration.token != old_token
    assert len(registration.token) == 43
    assert (registration.mode, registration.status, registration.category, registration.source) == (
        AttendanceMode.VENUE,
        RegistrationStatus.CONFIRMED,
        "municipal_staff",
        RegistrationSource.FLYER,
    )
    assert registration.checked_in_at == NOW - dt.timedelta(days=40)
    assert str(registration) == f"（個人情報削除済み）（{seminar.title}）"


def test_registrations_anonymize_for_seminar_twice_changes_nothing_the_second_time():
    seminar = _past_seminar()
    make_registration(seminar)
    services.registrations_anonymize_for_seminar(seminar=seminar, now=NOW)
    token = Registration.objects.get().token

    changed = services.registrations_anonymize_for_seminar(seminar=seminar, now=NOW + dt.timedelta(days=1))

    assert changed == 0
    assert Registration.objects.get().token == token
    assert Registration.objects.get().anonymized_at == NOW


def test_registrations_anonymize_many_live_rows_do_not_collide_on_the_email_constraint():
    seminar = _past_seminar()
    for _ in range(3):
        make_registration(seminar)

    changed = services.registrations_anonymize_for_seminar(seminar=seminar, now=NOW)

    assert changed == 3
    assert set(Registration.objects.values_list("email_normalized", "status")) == {("", RegistrationStatus.CONFIRMED)}


def test_registrations_anonymize_for_seminar_refuses_one_not_yet_held():
    seminar = make_seminar()  # 2027-02-05, after NOW
    make_registration(seminar)

    with pytest.raises(services.RegistrationError) as error:
        services.registrations_anonymize_for_seminar(seminar=seminar, now=NOW)

    assert error.value.code == "not_ended"
    assert Registration.objects.get().anonymized_at is None


def test_anonymized_registration_cannot_hold_a_name():
    registration = make_registration(_past_seminar())

    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.filter(pk=registration.pk).update(anonymized_at=NOW)


def test_registration_erase_cancels_promotes_the_next_waiting_person_and_anonymizes():
    seminar = make_seminar(venue_capacity=1)
    first = services.registration_create(seminar=seminar, **registration_data()).registration
    waiting = services.registration_create(
        seminar=seminar, **registration_data(when_full=WhenFull.WAITLIST)
    ).registration

    outcome = services.registration_erase(registration=first, now=NOW)

    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (outcome.cancelled, outcome.promoted) == (True, waiting)
    assert (first.status, first.name, first.email, first.anonymized_at) == (RegistrationStatus.CANCELLED, "", "", NOW)
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert waiting.name.startswith("申込 花子")


def test_registration_erase_after_the_seminar_started_keeps_the_status():
    seminar = make_seminar()
    registration = make_registration(seminar, checked_in_at=NOW)
    after_start = dt.datetime(2027, 2, 5, 14, 0, tzinfo=JAPAN)

    outcome = services.registration_erase(registration=registration, now=after_start)

    registration.refresh_from_db()
    assert (outcome.cancelled, outcome.promoted) == (False, None)
    assert (registration.status, registration.name, registration.checked_in_at) == (RegistrationStatus.CONFIRMED, "", NOW)


def test_registration_erase_of_an_erased_registration_is_refused():
    registration = make_registration(make_seminar())
    services.registration_erase(registration=registration, now=NOW)
    registration.refresh_from_db()

    with pytest.raises(services.RegistrationError) as error:
        services.registration_erase(registration=registration, now=NOW)

    assert error.value.code == "anonymized"


def test_seminar_message_send_skips_people_whose_data_was_deleted():
    seminar = _past_seminar()
    make_registration(seminar)
    erased = make_registration(seminar)
    services.registrations_anonymize(registrations=Registration.objects.filter(pk=erased.pk), now=NOW)

    message = services.seminar_message_send(seminar=seminar, mode=AttendanceMode.VENUE, subject="資料", body="資料を公開しました。")

    assert message.recipient_count == 1
