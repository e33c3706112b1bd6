import datetime as dt

import pytest

from organizations.models import Organization
from portal.deadlines import JAPAN
from seminars import selectors
from seminars.enums import AttendanceMode, RegistrationSource, RegistrationStatus
from tests.seminars.factories import NOW, make_municipality, make_program_item, make_registration, make_seminar

pytestmark = pytest.mark.django_db


def _seminars_with_registrations(count: int) -> None:
    for index in range(count):
        seminar = make_seminar(date=dt.date(2027, 2, 5 + index))
        make_registration(seminar)
        make_registration(seminar, mode=AttendanceMode.ONLINE)
        make_seminar(date=dt.date(2025, 9, 1 + index), deadline=dt.date(2025, 8, 25))


@pytest.mark.parametrize("rows", [1, 3])
def test_seminar_list_upcoming_costs_one_query(rows, django_assert_num_queries):
    _seminars_with_registrations(rows)

    with django_assert_num_queries(1):
        seminars = list(selectors.seminar_list_upcoming(now=NOW))
        counts = [(s.venue_taken, s.online_taken, s.venue_seats_left, s.prefecture) for s in seminars]

    assert counts == [(1, 1, 4, None)] * rows


@pytest.mark.parametrize("rows", [1, 3])
def test_seminar_list_past_costs_one_query(rows, django_assert_num_queries):
    _seminars_with_registrations(rows)

    with django_assert_num_queries(1):
        seminars = list(selectors.seminar_list_past(now=NOW))
        [s.prefecture for s in seminars]

    assert len(seminars) == rows
    assert [s.date for s in seminars] == sorted((s.date for s in seminars), reverse=True)


def test_seminar_list_upcoming_excludes_unpublished_and_past():
    upcoming = make_seminar()
    make_seminar(is_published=False, date=None, start_time=None, end_time=None, deadline=None)
    make_seminar(date=dt.date(2026, 12, 1), deadline=dt.date(2026, 11, 30))

    assert list(selectors.seminar_list_upcoming(now=dt.datetime(2026, 12, 2, tzinfo=JAPAN))) == [upcoming]


def test_seminar_list_upcoming_includes_seminar_on_its_own_day():
    today = make_seminar(date=dt.date(2027, 2, 5), deadline=dt.date(2027, 2, 1))

    assert list(selectors.seminar_list_upcoming(now=dt.datetime(2027, 2, 5, 20, 0, tzinfo=JAPAN))) == [today]


@pytest.mark.parametrize("items", [1, 3])
def test_seminar_detail_costs_three_queries(items, django_assert_num_queries):
    seminar = make_seminar()
    municipality = make_municipality()
    for index in range(items):
        item = make_program_item(seminar)
        item.organizations.add(Organization.objects.create(name=f"協議会{index}", municipality=municipality))

    with django_assert_num_queries(3):
        found = selectors.seminar_detail(slug=seminar.slug)
        names = [o.name for item in found.program_items.all() for o in item.organizations.all()]

    assert len(names) == items


def test_seminar_dashboard_counts_each_state():
    seminar = make_seminar(venue_capacity=3, online_capacity=10)
    make_registration(seminar, joins_exchange=True, source=RegistrationSource.FLYER)
    make_registration(seminar, checked_in_at=NOW)
    make_registration(seminar, status=RegistrationStatus.WAITLISTED)
    make_registration(seminar, mode=AttendanceMode.ONLINE)
    make_registration(seminar, status=RegistrationStatus.CANCELLED, cancelled_at=NOW, source=RegistrationSource.FLYER)

    counts = selectors.seminar_dashboard(seminar=seminar)

    assert counts == {
        "venue_confirmed": 2,
        "venue_waitlisted": 1,
        "online_confirmed": 1,
        "online_waitlisted": 0,
        "cancelled": 1,
        "checked_in": 1,
        "exchange": 1,
        "from_flyer": 1,
        "venue_capacity": 3,
        "online_capacity": 10,
        "venue_left": 1,
        "online_left": 9,
    }


def test_registration_search_matches_katakana_against_hiragana_kana():
    seminar = make_seminar()
    found = make_registration(seminar, name="高橋 花子", kana="たかはし はなこ")
    make_registration(seminar, name="鈴木 一郎", kana="すずき いちろう")

    assert list(selectors.registration_search(seminar=seminar, q="タカハシ")) == [found]
    assert list(selectors.registration_search(seminar=seminar, q="高橋")) == [found]


def test_seminar_participation_for_municipality_counts_confirmed_only(django_assert_num_queries):
    municipality = make_municipality()
    attended = make_seminar(title="参加あり")
    make_registration(attended, municipality=municipality)
    make_registration(attended, municipality=municipality, mode=AttendanceMode.ONLINE)
    make_registration(attended, municipality=municipality, status=RegistrationStatus.CANCELLED, cancelled_at=NOW)
    make_registration(make_seminar(title="他の市"))

    with django_assert_num_queries(1):
        rows = [(s.title, s.participants) for s in selectors.seminar_participation_for_municipality(municipality=municipality)]

    assert rows == [("参加あり", 2)]
