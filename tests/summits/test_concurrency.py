"""Capacity under real concurrency: threads with their own database connections.

The control test does what the services must not: count, then insert, without the lock.
It overbooks, which shows these tests can see a race; the service tests, same threads and
same start barrier, never do.
"""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from summits.enums import ApplicationStatus
from summits.models import Application, Delegate
from summits.selectors import track_taken_counts
from summits.services import DelegateInput, SummitError, application_create, application_update, delegates_staff_check

from .factories import contact, make_course, make_municipality, make_summit, make_track, mayor

THREADS = 6


def _run_in_threads(work, count: int) -> list[str]:
    """Run work(index) in ``count`` threads released together; return each outcome."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = [""] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = work(index)
        except SummitError as error:
            outcomes[index] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_track_capacity_holds_under_concurrent_applications():
    summit = make_summit()
    track = make_track(summit, capacity=2)
    municipalities = [make_municipality() for _ in range(THREADS)]

    def apply(index: int) -> str:
        application_create(
            summit=summit, municipality=municipalities[index], contact=contact(), delegates=[mayor(track=track)], consent=True
        )
        return "ok"

    outcomes = _run_in_threads(apply, THREADS)

    assert sorted(outcomes) == ["full"] * (THREADS - 2) + ["ok"] * 2
    assert Delegate.objects.filter(track=track).count() == 2


@pytest.mark.django_db(transaction=True)
def test_course_capacity_holds_under_concurrent_applications():
    summit = make_summit()
    course = make_course(summit, capacity=3)
    municipalities = [make_municipality() for _ in range(THREADS)]

    def apply(index: int) -> str:
        application_create(
            summit=summit, municipality=municipalities[index], contact=contact(), delegates=[mayor(course=course)], consent=True
        )
        return "ok"

    outcomes = _run_in_threads(apply, THREADS)

    assert sorted(outcomes) == ["full"] * (THREADS - 3) + ["ok"] * 3
    assert Delegate.objects.filter(site_visit_course=course).count() == 3


@pytest.mark.django_db(transaction=True)
def test_one_application_per_municipality_holds_under_concurrency():
    summit = make_summit()
    municipality = make_municipality()

    def apply(index: int) -> str:
        application_create(summit=summit, municipality=municipality, contact=contact(), delegates=[mayor()], consent=True)
        return "ok"

    outcomes = _run_in_threads(apply, THREADS)

    assert sorted(outcomes) == ["duplicate"] * (THREADS - 1) + ["ok"]
    assert Application.objects.filter(municipality=municipality).count() == 1


@pytest.mark.django_db(transaction=True)
def test_updates_and_new_applications_share_the_track_lock():
    """Moving an existing delegation into a track races new applications for its last seat."""
    summit = make_summit()
    roomy = make_track(summit, number=1, capacity=10)
    scarce = make_track(summit, number=2, capacity=1)
    existing = application_create(
        summit=summit, municipality=make_municipality(), contact=contact(), delegates=[mayor(track=roomy)], consent=True
    )
    newcomers = [make_municipality() for _ in range(THREADS - 1)]

    def work(index: int) -> str:
        if index == 0:
            application_update(application=existing, contact=contact(), delegates=[mayor(track=scarce)])
        else:
            application_create(
                summit=summit, municipality=newcomers[index - 1], contact=contact(), delegates=[mayor(track=scarce)], consent=True
            )
        return "ok"

    outcomes = _run_in_threads(work, THREADS)

    assert sorted(outcomes) == ["full"] * (THREADS - 1) + ["ok"]
    assert Delegate.objects.filter(track=scarce, application__status="submitted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_control_unlocked_check_then_insert_overbooks():
    """The race the lock prevents: every thread counts before any inserts."""
    summit = make_summit()
    track = make_track(summit, capacity=2)
    municipalities = [make_municipality() for _ in range(THREADS)]
    counted = threading.Barrier(THREADS)

    def apply_without_lock(index: int) -> str:
        with transaction.atomic():
            taken = track_taken_counts(summit=summit)[track.pk]
            counted.wait(timeout=10)
            if taken >= track.capacity:
                return "full"
            application = Application.objects.create(
                summit=summit,
                municipality=municipalities[index],
                status=ApplicationStatus.SUBMITTED,
                token=f"control-{index}",
                contact_name="x",
                contact_department="x",
                contact_email="x@example.jp",
                contact_phone="0",
                consented_at=timezone.now(),
            )
            Delegate.objects.create(application=application, role="mayor", name="x", name_kana="x", title="x", track=track)
        return "ok"

    outcomes = _run_in_threads(apply_without_lock, THREADS)

    assert outcomes == ["ok"] * THREADS
    assert Delegate.objects.filter(track=track).count() == THREADS  # > capacity 2: overbooked


@pytest.mark.django_db(transaction=True)
def test_track_capacity_holds_under_concurrent_staff_edits():
    # Staff in the admin move one delegate of each application into a track with 2 seats at
    # once; the change view checks (delegates_staff_check) and saves in one transaction.
    summit = make_summit()
    first_track = make_track(summit, number=1)
    small = make_track(summit, number=2, capacity=2)
    applications = [
        application_create(
            summit=summit, municipality=make_municipality(), contact=contact(), delegates=[mayor(track=first_track)], consent=True
        )
        for _ in range(THREADS)
    ]

    def move(index: int) -> str:
        application = Application.objects.get(pk=applications[index].pk)
        with transaction.atomic():
            delegate = application.delegates.get()
            moved = DelegateInput(
                role=delegate.role, name=delegate.name, name_kana=delegate.name_kana, title=delegate.title, track_id=small.pk
            )
            delegates_staff_check(application=application, delegates=[moved])
            delegate.track = small
            delegate.save(update_fields=["track"])
        return "ok"

    outcomes = _run_in_threads(move, THREADS)

    assert sorted(outcomes) == ["full"] * (THREADS - 2) + ["ok"] * 2
    assert Delegate.objects.filter(track=small).count() == 2
