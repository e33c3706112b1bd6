"""The capacity rule under real concurrency: threads, each with its own database connection.

The control test runs the same count-then-insert without the lock, with a barrier between
the count and the insert, and shows that it overbooks: proof that these tests can see a race.
"""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from portal.tokens import new_token
from seminars import services
from seminars.enums import AttendanceMode, AttendeeCategory, RegistrationStatus, WhenFull
from seminars.models import Registration, Seminar
from tests.seminars.factories import make_registration, make_seminar

pytestmark = pytest.mark.django_db(transaction=True)

# The connection pool holds 10; the test's own thread keeps one.
CONTROL_THREADS = 8


def run_threads(count: int, target) -> list:
    """Start ``count`` threads at the same moment; return what each returned or raised."""
    start = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        start.wait(timeout=30)
        try:
            results[index] = target(index)
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    return results


def _register(seminar: Seminar, index: int, **extra):
    return services.registration_create(
        seminar=seminar,
        mode=AttendanceMode.VENUE,
        name=f"並行 {index}",
        kana="へいこう",
        email=f"thread{index}@example.jp",
        category=AttendeeCategory.OTHER,
        consent=True,
        **extra,
    )


def test_registration_create_20_threads_for_5_seats_confirms_exactly_5():
    seminar = make_seminar(venue_capacity=5)

    results = run_threads(20, lambda index: _register(seminar, index))

    refused = [r for r in results if isinstance(r, services.RegistrationError)]
    assert Registration.objects.filter(seminar=seminar, status=RegistrationStatus.CONFIRMED).count() == 5
    assert len(refused) == 15
    assert {error.code for error in refused} == {"full"}


def test_registration_create_20_threads_with_waitlist_confirms_5_and_waits_15_in_order():
    seminar = make_seminar(venue_capacity=5)

    run_threads(20, lambda index: _register(seminar, index, when_full=WhenFull.WAITLIST))

    statuses = list(Registration.objects.filter(seminar=seminar).order_by("created_at", "id").values_list("status", flat=True))
    assert statuses == [RegistrationStatus.CONFIRMED] * 5 + [RegistrationStatus.WAITLISTED] * 15


def test_registration_create_same_email_10_threads_makes_one_registration():
    seminar = make_seminar(venue_capacity=5)

    results = run_threads(
        10,
        lambda index: services.registration_create(
            seminar=seminar,
            mode=AttendanceMode.VENUE,
            name="二重 送信",
            kana="にじゅう そうしん",
            email="double@example.jp",
            category=AttendeeCategory.OTHER,
            consent=True,
        ),
    )

    assert Registration.objects.filter(seminar=seminar).count() == 1
    assert {outcome.registration.pk for outcome in results} == {Registration.objects.get().pk}
    assert sum(outcome.created for outcome in results) == 1


def test_registration_cancel_concurrent_with_registrations_never_overbooks():
    seminar = make_seminar(venue_capacity=3)
    confirmed = [make_registration(seminar) for _ in range(3)]
    for _ in range(4):
        make_registration(seminar, status=RegistrationStatus.WAITLISTED)

    def act(index: int):
        if index < 3:
            return services.registration_cancel(registration=confirmed[index])
        return _register(seminar, index, when_full=WhenFull.WAITLIST)

    run_threads(CONTROL_THREADS, act)

    assert Registration.objects.filter(seminar=seminar, status=RegistrationStatus.CONFIRMED).count() == 3


def test_control_unlocked_count_then_insert_overbooks():
    """Same count and insert as the service, minus lock_for_capacity: the race is real."""
    seminar = make_seminar(venue_capacity=5)
    counted = threading.Barrier(CONTROL_THREADS)

    def unlocked(index: int) -> bool:
        with transaction.atomic():
            unlocked_seminar = Seminar.objects.get(pk=seminar.pk)  # no select_for_update
            room = services.seat_available(seminar=unlocked_seminar, mode=AttendanceMode.VENUE)
            counted.wait(timeout=30)  # everyone has counted before anyone inserts
            if room:
                make_registration(unlocked_seminar, email=f"race{index}@example.jp", token=new_token(), number=index + 1)
            return room

    run_threads(CONTROL_THREADS, unlocked)

    confirmed = Registration.objects.filter(seminar=seminar, status=RegistrationStatus.CONFIRMED).count()
    assert confirmed == CONTROL_THREADS
    assert confirmed > seminar.venue_capacity


def test_registration_change_mode_8_threads_for_3_venue_seats_moves_exactly_3():
    seminar = make_seminar(venue_capacity=3)
    online = [make_registration(seminar, mode=AttendanceMode.ONLINE) for _ in range(CONTROL_THREADS)]

    results = run_threads(
        CONTROL_THREADS, lambda index: services.registration_change_mode(registration=online[index], mode=AttendanceMode.VENUE)
    )

    assert Registration.objects.filter(seminar=seminar, mode=AttendanceMode.VENUE, status=RegistrationStatus.CONFIRMED).count() == 3
    assert sorted(getattr(r, "code", "moved") for r in results) == ["full"] * 5 + ["moved"] * 3


def _raise_capacity(seminar: Seminar, capacity: int) -> list[Registration]:
    """What the admin does on save: the new capacity and the promotions in one transaction."""
    with transaction.atomic():
        Seminar.objects.filter(pk=seminar.pk).update(venue_capacity=capacity)
        return services.seminar_promote_waiting(seminar=seminar)


def test_capacity_raise_concurrent_with_newcomers_gives_the_new_seats_to_those_already_waiting():
    seminar = make_seminar(venue_capacity=2)
    for _ in range(2):
        make_registration(seminar)
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    waiting = [
        make_registration(seminar, status=RegistrationStatus.WAITLISTED, created_at=an_hour_ago + dt.timedelta(seconds=n))
        for n in range(3)
    ]

    def act(index: int):
        if index == 0:
            return _raise_capacity(seminar, 5)
        return _register(seminar, index, when_full=WhenFull.WAITLIST)

    run_threads(CONTROL_THREADS, act)

    confirmed = Registration.objects.filter(seminar=seminar, status=RegistrationStatus.CONFIRMED)
    assert confirmed.count() == 5
    assert set(confirmed.filter(pk__in=[r.pk for r in waiting]).values_list("pk", flat=True)) == {r.pk for r in waiting}
    assert Registration.objects.filter(seminar=seminar, status=RegistrationStatus.WAITLISTED).count() == CONTROL_THREADS - 1


def test_control_capacity_raise_without_promotion_lets_a_newcomer_jump_the_queue():
    """The hole the promotion closes: the raised capacity alone gives the seat to whoever comes next."""
    seminar = make_seminar(venue_capacity=1)
    make_registration(seminar)
    first_waiting = make_registration(
        seminar, status=RegistrationStatus.WAITLISTED, created_at=timezone.now() - dt.timedelta(hours=1)
    )
    Seminar.objects.filter(pk=seminar.pk).update(venue_capacity=2)  # no seminar_promote_waiting

    newcomer = _register(seminar, 99, when_full=WhenFull.WAITLIST).registration

    assert newcomer.status == RegistrationStatus.CONFIRMED
    assert Registration.objects.get(pk=first_waiting.pk).status == RegistrationStatus.WAITLISTED


def test_registration_create_20_threads_give_each_a_distinct_number_1_to_20():
    seminar = make_seminar(venue_capacity=5)

    results = run_threads(20, lambda index: _register(seminar, index, when_full=WhenFull.WAITLIST))

    assert [r for r in results if isinstance(r, Exception)] == []
    numbers = sorted(Registration.objects.filter(seminar=seminar).values_list("number", flat=True))
    assert numbers == list(range(1, 21))
    # In the order the lock let them in: the 受付番号 follows the time of registration.
    by_time = list(Registration.objects.filter(seminar=seminar).order_by("created_at", "id").values_list("number", flat=True))
    assert by_time == list(range(1, 21))


def test_control_unlocked_max_plus_one_gives_the_same_number_twice():
    """max + 1 without lock_for_capacity: everyone reads the same max, and the unique
    constraint refuses all but one. The lock is what the numbering needs."""
    seminar = make_seminar(venue_capacity=None)
    read = threading.Barrier(CONTROL_THREADS)

    def unlocked(index: int) -> int:
        with transaction.atomic():
            last = services._taken_and_existing(seminar, f"race{index}@example.jp").last_number
            read.wait(timeout=30)  # everyone has read the max before anyone inserts
            make_registration(seminar, email=f"race{index}@example.jp", token=new_token(), number=last + 1)
            return last + 1

    results = run_threads(CONTROL_THREADS, unlocked)

    refused = [r for r in results if isinstance(r, IntegrityError)]
    assert len(refused) == CONTROL_THREADS - 1
    assert list(Registration.objects.filter(seminar=seminar).values_list("number", flat=True)) == [1]
