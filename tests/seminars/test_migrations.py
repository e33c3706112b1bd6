"""The data step of seminars/migrations/0005: 受付番号 for the registrations that existed before."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from seminars.enums import RegistrationStatus
from seminars.models import Registration
from tests.seminars.factories import NOW, make_registration, make_seminar

pytestmark = pytest.mark.django_db

number_existing = importlib.import_module("seminars.migrations.0005_registration_number").number_existing


def test_number_existing_numbers_each_seminar_in_created_at_then_id_order():
    first, second = make_seminar(), make_seminar()
    # Arranged out of order, with the numbers the rows had before (ids) far from the result.
    late = make_registration(first, created_at=NOW + dt.timedelta(hours=2), number=101)
    early = make_registration(first, created_at=NOW, number=102)
    same_time_a = make_registration(first, created_at=NOW + dt.timedelta(hours=1), number=103)
    same_time_b = make_registration(
        first, created_at=NOW + dt.timedelta(hours=1), number=104, status=RegistrationStatus.CANCELLED
    )
    elsewhere = make_registration(second, created_at=NOW + dt.timedelta(hours=3), number=105)

    number_existing(apps, None)

    numbers = dict(Registration.objects.values_list("pk", "number"))
    assert numbers == {early.pk: 1, same_time_a.pk: 2, same_time_b.pk: 3, late.pk: 4, elsewhere.pk: 1}
