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


@pytest.fixture
def desk():
    """A seminar's registrants as the check-in desk searches them, by key."""
    seminar = make_seminar()
    rows = {
        "tanaka_misaki": make_registration(seminar, number=1, name="田中 美咲", kana="たなか みさき", email="m@example.jp"),
        "tanaka_kenta": make_registration(seminar, number=2, name="田中 健太", kana="たなか けんた", email="k@example.jp"),
        "nakata_misaki": make_registration(seminar, number=3, name="中田 美咲", kana="なかた みさき", email="n@example.jp"),
        "yamamoto": make_registration(seminar, number=12, name="山本 一郎", kana="やまもと いちろう", email="y@example.jp"),
        # Typed by staff before the form folded kana: katakana, a full-width space.
        "smith": make_registration(seminar, number=13, name="スミス　ジョン", kana="スミス　ジョン", email="s@example.jp"),
    }
    make_registration(
        seminar, number=14, name="田中 美咲", kana="たなか みさき", email="old@example.jp",
        status=RegistrationStatus.CANCELLED, cancelled_at=NOW,
    )  # fmt: skip
    make_registration(make_seminar(), number=1, name="田中 美咲", kana="たなか みさき", email="m@example.jp")
    return seminar, rows


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("田中美咲", ["tanaka_misaki"]),
        ("田中 美咲", ["tanaka_misaki"]),
        ("田中　美咲", ["tanaka_misaki"]),
        ("美咲", ["tanaka_misaki", "nakata_misaki"]),
        ("たなかみさき", ["tanaka_misaki"]),
        ("タナカミサキ", ["tanaka_misaki"]),
        ("ﾀﾅｶ", ["tanaka_kenta", "tanaka_misaki"]),
        ("ﾀﾅｶ ﾐｻｷ", ["tanaka_misaki"]),
        ("みさき", ["tanaka_misaki", "nakata_misaki"]),
        ("すみすじょん", ["smith"]),
        ("スミス ジョン", ["smith"]),
        ("１２", ["yamamoto"]),
        ("12", ["yamamoto"]),
        ("3", ["nakata_misaki"]),
        ("14", []),  # the cancelled registration's number
        ("99999999999", []),  # beyond the integer column: no match, no error
        ("Y@EXAMPLE", ["yamamoto"]),
        ("佐藤", []),
    ],
)
def test_registration_search_matches_what_the_desk_types(desk, q, expected):
    seminar, rows = desk
    names = {registration.pk: key for key, registration in rows.items()}

    found = [names[registration.pk] for registration in selectors.registration_search(seminar=seminar, q=q)]

    assert found == expected


def test_registration_search_costs_one_query(desk, django_assert_num_queries):
    seminar, _rows = desk

    with django_assert_num_queries(1):
        found = [registration.name for registration in selectors.registration_search(seminar=seminar, q="ﾀﾅｶ")]

    assert found == ["田中 健太", "田中 美咲"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("田中　美咲", "田中美咲"), ("ﾀﾅｶ ﾐｻｷ", "たなかみさき"), ("ｶﾞｸ", "がく"), ("１２", "12"), ("Ａｂ@Ex", "ab@ex")],
)
def test_normalize_for_search(text, expected):
    assert selectors.normalize_for_search(text) == expected
