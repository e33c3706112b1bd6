"""The benchmark's bare registration view must do the service's database work, or the
comparison it serves means nothing."""

import pytest
from django.test import RequestFactory

from benchmarks.bench_urls import bare_register
from seminars.enums import AttendanceMode, RegistrationStatus
from seminars.models import Registration
from tests.seminars.factories import make_seminar

pytestmark = pytest.mark.django_db(transaction=True)


def _post(slug: str, email: str, **extra):
    request = RequestFactory().post(f"/bench/bare/register/{slug}/", {"mode": "venue", "email": email, **extra})
    return bare_register(request, slug)


def test_bare_register_numbers_seats_and_waits_like_the_service():
    seminar = make_seminar(venue_capacity=1, online_capacity=None)

    responses = [_post(seminar.slug, "a@example.jp"), _post(seminar.slug, "b@example.jp")]

    assert [(r.status_code, r.content) for r in responses] == [(201, b"confirmed"), (201, b"waitlisted")]
    assert list(Registration.objects.order_by("number").values_list("number", "mode", "status")) == [
        (1, AttendanceMode.VENUE, RegistrationStatus.CONFIRMED),
        (2, AttendanceMode.VENUE, RegistrationStatus.WAITLISTED),
    ]


def test_bare_register_moves_to_online_when_the_venue_is_full_and_asked_to():
    seminar = make_seminar(venue_capacity=1, online_capacity=None)
    _post(seminar.slug, "a@example.jp")

    response = _post(seminar.slug, "b@example.jp", when_full="online")

    assert (response.status_code, response.content) == (201, b"confirmed")
    assert Registration.objects.get(email="b@example.jp").mode == AttendanceMode.ONLINE
