import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q

from portal.deadlines import JAPAN
from seminars import selectors, services
from seminars.enums import AttendanceMode, RegistrationSource, RegistrationStatus, WhenFull
from seminars.models import MessageDelivery, Registration, RegistrationChange
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


def orm_taken_and_existing(seminar, email_normalized: str) -> services.SeminarTally:
    """What services.TAKEN_AND_EXISTING_SQL asks, in the ORM's words (the query it replaced)."""
    live = ~Q(status=RegistrationStatus.CANCELLED)
    row = Registration.objects.filter(seminar=seminar).aggregate(
        venue=Count("id", filter=Q(mode=AttendanceMode.VENUE, status=RegistrationStatus.CONFIRMED)),
        online=Count("id", filter=Q(mode=AttendanceMode.ONLINE, status=RegistrationStatus.CONFIRMED)),
        existing=Max("id", filter=Q(email_normalized=email_normalized) & live),
        last_number=Max("number"),
    )
    return services.SeminarTally(
        taken={AttendanceMode.VENUE: row["venue"], AttendanceMode.ONLINE: row["online"]},
        existing_id=row["existing"],
        last_number=row["last_number"] or 0,
    )


def test_taken_and_existing_counts_confirmed_seats_per_mode_and_finds_the_live_registration():
    seminar, other = make_seminar(venue_capacity=10, online_capacity=10), make_seminar()
    make_registration(seminar, mode=AttendanceMode.VENUE)
    make_registration(seminar, mode=AttendanceMode.VENUE)
    make_registration(seminar, mode=AttendanceMode.VENUE, status=RegistrationStatus.WAITLISTED)
    make_registration(seminar, mode=AttendanceMode.ONLINE)
    make_registration(seminar, mode=AttendanceMode.ONLINE, status=RegistrationStatus.CANCELLED, email="gone@example.jp")
    waiting = make_registration(seminar, mode=AttendanceMode.ONLINE, status=RegistrationStatus.WAITLISTED, email="wait@example.jp")
    make_registration(other, mode=AttendanceMode.ONLINE, email="elsewhere@example.jp", number=40)

    results = {
        email: services._taken_and_existing(seminar, email)
        for email in ("gone@example.jp", "wait@example.jp", "elsewhere@example.jp")
    }

    taken = {AttendanceMode.VENUE: 2, AttendanceMode.ONLINE: 1}
    assert results == {
        "gone@example.jp": services.SeminarTally(taken, None, 6),  # only a cancelled registration
        "wait@example.jp": services.SeminarTally(taken, waiting.pk, 6),  # waitlisted is live
        "elsewhere@example.jp": services.SeminarTally(taken, None, 6),  # another seminar's
    }
    assert results == {email: orm_taken_and_existing(seminar, email) for email in results}


def test_taken_and_existing_of_a_seminar_without_registrations_has_last_number_0():
    seminar = make_seminar()

    assert services._taken_and_existing(seminar, "nobody@example.jp") == services.SeminarTally(
        {AttendanceMode.VENUE: 0, AttendanceMode.ONLINE: 0}, None, 0
    )


def test_registration_create_numbers_each_seminar_from_1_and_never_reuses_a_number():
    first_seminar, second_seminar = make_seminar(), make_seminar()
    a = services.registration_create(seminar=first_seminar, **registration_data()).registration
    b = services.registration_create(seminar=first_seminar, **registration_data()).registration
    other = services.registration_create(seminar=second_seminar, **registration_data()).registration
    services.registration_cancel(registration=b, now=NOW)
    c = services.registration_create(seminar=first_seminar, **registration_data()).registration

    numbers = {
        key: Registration.objects.get(pk=registration.pk).number
        for key, registration in {"a": a, "b": b, "other": other, "c": c}.items()
    }
    assert numbers == {"a": 1, "b": 2, "other": 1, "c": 3}


def test_registration_create_second_submission_keeps_the_first_number():
    seminar = make_seminar()
    first = services.registration_create(seminar=seminar, **registration_data(email="twice@example.jp"))

    second = services.registration_create(seminar=seminar, **registration_data(email="TWICE@example.jp"))

    assert (second.created, second.registration.number) == (False, first.registration.number)
    assert list(Registration.objects.filter(seminar=seminar).values_list("number", flat=True)) == [1]


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


def _full_venue_with_waiting(*, capacity: int, waiting: int):
    seminar = make_seminar(venue_capacity=capacity)
    for _ in range(capacity):
        services.registration_create(seminar=seminar, **registration_data())
    queue = [
        services.registration_create(
            seminar=seminar, **registration_data(when_full=WhenFull.WAITLIST, now=NOW + dt.timedelta(minutes=number))
        ).registration
        for number in range(1, waiting + 1)
    ]
    return seminar, queue


def test_seminar_promote_waiting_after_capacity_raised_confirms_the_first_waiting_in_order(queued_mails):
    seminar, queue = _full_venue_with_waiting(capacity=2, waiting=3)
    seminar.venue_capacity = 4
    seminar.save(update_fields=["venue_capacity"])

    promoted = services.seminar_promote_waiting(seminar=seminar, now=NOW + dt.timedelta(hours=1))

    assert [registration.pk for registration in promoted] == [queue[0].pk, queue[1].pk]
    statuses = dict(Registration.objects.filter(pk__in=[r.pk for r in queue]).values_list("pk", "status"))
    assert [statuses[r.pk] for r in queue] == [RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    assert queued_mails()[-2:] == [("seminars.promoted", queue[0].pk), ("seminars.promoted", queue[1].pk)]


def test_seminar_promote_waiting_with_the_limit_removed_confirms_everyone_waiting():
    seminar, queue = _full_venue_with_waiting(capacity=1, waiting=2)
    seminar.venue_capacity = None
    seminar.save(update_fields=["venue_capacity"])

    promoted = services.seminar_promote_waiting(seminar=seminar, now=NOW)

    assert [registration.pk for registration in promoted] == [r.pk for r in queue]


def test_seminar_promote_waiting_without_a_free_seat_promotes_nobody():
    seminar, queue = _full_venue_with_waiting(capacity=2, waiting=1)

    assert services.seminar_promote_waiting(seminar=seminar, now=NOW) == []
    assert Registration.objects.get(pk=queue[0].pk).status == RegistrationStatus.WAITLISTED


def test_newcomer_after_a_capacity_raise_waits_behind_the_people_already_waiting():
    seminar, queue = _full_venue_with_waiting(capacity=1, waiting=1)
    seminar.venue_capacity = 2
    seminar.save(update_fields=["venue_capacity"])
    services.seminar_promote_waiting(seminar=seminar, now=NOW)

    newcomer = services.registration_create(
        seminar=seminar, **registration_data(when_full=WhenFull.WAITLIST, now=NOW + dt.timedelta(hours=2))
    ).registration

    assert Registration.objects.get(pk=queue[0].pk).status == RegistrationStatus.CONFIRMED
    assert newcomer.status == RegistrationStatus.WAITLISTED


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


def test_registration_change_mode_records_what_it_was_and_queues_the_change_mail_only(queued_mails):
    seminar = make_seminar(online_url="https://meet.example.jp/abc")
    registration = make_registration(seminar, joins_exchange=True)

    services.registration_change_mode(registration=registration, mode=AttendanceMode.ONLINE, now=NOW)

    change = RegistrationChange.objects.get()
    assert (change.registration, change.old_mode, change.new_mode) == (registration, "venue", "online")
    assert (change.old_joins_exchange, change.new_joins_exchange, change.old_status) == (True, False, "confirmed")
    assert change.created_at == NOW
    # The change mail carries the online URL itself: no confirmation, no separate URL mail.
    assert queued_mails() == [("seminars.mode_changed", change.pk)]


def test_registration_change_mode_of_the_exchange_alone_is_recorded_and_mailed(queued_mails):
    registration = make_registration(make_seminar(), joins_exchange=False)

    changed = services.registration_change_mode(
        registration=registration, mode=AttendanceMode.VENUE, joins_exchange=True, now=NOW
    )

    change = RegistrationChange.objects.get()
    assert changed.joins_exchange is True
    assert (change.old_mode, change.new_mode, change.old_joins_exchange, change.new_joins_exchange) == (
        "venue", "venue", False, True,
    )  # fmt: skip
    assert queued_mails() == [("seminars.mode_changed", change.pk)]


def test_registration_change_mode_to_what_it_already_is_changes_and_mails_nothing(queued_mails):
    registration = make_registration(make_seminar(), joins_exchange=True)

    services.registration_change_mode(registration=registration, mode=AttendanceMode.VENUE, joins_exchange=True, now=NOW)

    assert RegistrationChange.objects.count() == 0
    assert queued_mails() == []


def test_registration_change_mode_refused_records_nothing(queued_mails):
    seminar = make_seminar(venue_capacity=1)
    make_registration(seminar)
    online = make_registration(seminar, mode=AttendanceMode.ONLINE)

    with pytest.raises(services.RegistrationError):
        services.registration_change_mode(registration=online, mode=AttendanceMode.VENUE, now=NOW)

    assert RegistrationChange.objects.count() == 0
    assert queued_mails() == []


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
    old_token, old_checkin_token = registration.token, registration.checkin_token

    changed = services.registrations_anonymize_for_seminar(seminar=seminar, now=NOW)

    registration.refresh_from_db()
    assert changed == 1
    assert [getattr(registration, f) for f in services.REGISTRATION_PERSONAL_FIELDS] == [""] * 6
    assert registration.anonymized_at == NOW
    assert registration.token != old_token
    assert len(registration.token) == 43
    assert registration.checkin_token not in (old_checkin_token, registration.token)  # the printed 受付票 stops working
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


# ---------------------------------------------------------------- resend my link


def test_registration_links_resend_queues_one_mail_for_the_live_upcoming_registrations(queued_mails):
    first, second, held = make_seminar(date=dt.date(2027, 2, 5)), make_seminar(date=dt.date(2027, 3, 1)), make_seminar(
        date=dt.date(2026, 12, 1), deadline=dt.date(2026, 11, 20)
    )
    make_registration(held, email="me@example.jp")
    a = make_registration(first, email="me@example.jp")
    b = make_registration(second, email="Me@Example.jp", status=RegistrationStatus.WAITLISTED)
    make_registration(make_seminar(), email="me@example.jp", status=RegistrationStatus.CANCELLED, cancelled_at=NOW)
    make_registration(first, email="someone-else@example.jp")

    listed = services.registration_links_resend(email="  ME@example.jp ", now=NOW)

    assert listed == 2
    assert queued_mails() == [("seminars.links", b.pk)]
    assert [r.pk for r in selectors.registrations_live_upcoming_for_email(email_normalized="me@example.jp", now=NOW)] == [
        a.pk,
        b.pk,
    ]


def test_registration_links_resend_for_an_address_without_registration_queues_nothing(queued_mails):
    make_registration(make_seminar(), email="known@example.jp")

    assert services.registration_links_resend(email="unknown@example.jp", now=NOW) == 0
    assert queued_mails() == []


# ---------------------------------------------------------------- staff corrections


def test_registration_correct_changes_the_personal_fields_only_and_renews_the_link_for_a_new_address(queued_mails):
    seminar = make_seminar(venue_capacity=1)
    registration = make_registration(seminar, name="田仲 美咲", kana="たなか みさき", email="tanaka@exmaple.jp")
    waiting = make_registration(seminar, status=RegistrationStatus.WAITLISTED)
    old_token, old_checkin = registration.token, registration.checkin_token

    changed = services.registration_correct(
        registration=registration, name=" 田中 美咲 ", kana="たなか みさき", email=" Tanaka@Example.jp ", affiliation="長野市"
    )

    row = Registration.objects.get(pk=registration.pk)
    assert changed == ["name", "email", "affiliation"]
    assert (row.name, row.email, row.email_normalized, row.affiliation) == ("田中 美咲", "Tanaka@Example.jp", "tanaka@example.jp", "長野市")
    assert (row.number, row.mode, row.status) == (registration.number, registration.mode, RegistrationStatus.CONFIRMED)
    assert row.token != old_token and row.checkin_token != old_checkin
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.WAITLISTED
    assert queued_mails() == [("seminars.confirmation", registration.pk)]


def test_registration_correct_same_address_in_other_letters_keeps_the_link_and_mails_nothing(queued_mails):
    registration = make_registration(make_seminar(), email="sato@example.jp")

    changed = services.registration_correct(
        registration=registration, name=registration.name, kana=registration.kana, email="SATO@example.jp"
    )

    row = Registration.objects.get(pk=registration.pk)
    assert changed == ["email"]
    assert (row.email, row.token) == ("SATO@example.jp", registration.token)
    assert queued_mails() == []


def test_registration_correct_to_an_address_with_a_live_registration_is_refused_with_its_number():
    seminar = make_seminar()
    make_registration(seminar, email="taken@example.jp")
    make_registration(seminar, email="gone@example.jp", status=RegistrationStatus.CANCELLED, cancelled_at=NOW)
    registration = make_registration(seminar, email="mine@example.jp")

    with pytest.raises(services.RegistrationError) as error:
        services.registration_correct(registration=registration, name="訂正 太郎", kana="ていせい たろう", email="TAKEN@example.jp")
    moved = services.registration_correct(registration=registration, name="訂正 太郎", kana="ていせい たろう", email="gone@example.jp")

    assert (error.value.code, str(error.value.message)) == (
        "email_taken",
        "このメールアドレスでは、このセミナーに既にお申し込みがあります（受付番号 1）。",
    )
    assert moved == ["name", "kana", "email"]
    assert Registration.objects.get(pk=registration.pk).email_normalized == "gone@example.jp"


def test_registration_correct_same_address_in_another_seminar_is_allowed():
    make_registration(make_seminar(), email="both@example.jp")
    registration = make_registration(make_seminar(), email="one@example.jp")

    services.registration_correct(registration=registration, name="両方 さん", kana="りょうほう", email="both@example.jp")

    assert Registration.objects.get(pk=registration.pk).email_normalized == "both@example.jp"


def test_registration_correct_anonymized_is_refused():
    registration = make_registration(make_seminar())
    services.registrations_anonymize(registrations=Registration.objects.filter(pk=registration.pk), now=NOW)

    with pytest.raises(services.RegistrationError) as error:
        services.registration_correct(registration=registration, name="復元 太郎", kana="ふくげん", email="back@example.jp")

    assert error.value.code == "anonymized"
    assert Registration.objects.get(pk=registration.pk).name == ""


def test_registration_create_by_phone_keeps_the_deadline_and_records_the_source():
    seminar = make_seminar()
    closed = make_seminar(closed_by_staff=True)

    outcome = services.registration_create(seminar=seminar, **registration_data(source=RegistrationSource.PHONE))
    with pytest.raises(services.RegistrationError) as error:
        services.registration_create(seminar=closed, **registration_data(source=RegistrationSource.PHONE))

    assert (outcome.registration.source, outcome.registration.number) == (RegistrationSource.PHONE, 1)
    assert error.value.code == "closed"
