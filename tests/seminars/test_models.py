import pytest

from tests.seminars.factories import make_seminar, seminar_with_seats_taken

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fields", "taken", "full", "is_full"),
    [
        ({"venue_capacity": 1, "online_capacity": None}, (1, 0), {"venue"}, False),
        ({"venue_capacity": 1, "online_capacity": 1}, (1, 1), {"venue", "online"}, True),
        ({"venue_capacity": 2, "online_capacity": 1}, (1, 1), {"online"}, False),
        ({"venue_capacity": None, "online_capacity": None}, (9, 9), set(), False),
        ({"venue_capacity": None, "online_capacity": 0}, (3, 0), {"online"}, False),
        ({"venue_capacity": 1, "has_online": False}, (1, 0), {"venue"}, True),
        ({"has_venue": False, "online_capacity": 1}, (0, 1), {"online"}, True),
        ({"has_venue": False, "online_capacity": None}, (0, 4), set(), False),
        # A mode the seminar does not offer is never counted as full.
        ({"venue_capacity": 0, "has_venue": False, "online_capacity": 5}, (0, 1), set(), False),
    ],
)
def test_seminar_full_modes_for_every_combination(fields, taken, full, is_full):
    seminar = seminar_with_seats_taken(venue=taken[0], online=taken[1], **fields)

    assert (set(seminar.full_modes), seminar.is_full) == (full, is_full)
    assert (seminar.venue_is_full, seminar.online_is_full) == ("venue" in full, "online" in full)


@pytest.mark.parametrize(
    ("fields", "limited"),
    [
        ({"venue_capacity": 5, "online_capacity": None}, ["venue"]),
        ({"venue_capacity": None, "online_capacity": 5}, ["online"]),
        ({"venue_capacity": 5, "online_capacity": 0}, ["venue", "online"]),
        ({"venue_capacity": None, "online_capacity": None}, []),
        ({"venue_capacity": 5, "has_venue": False, "online_capacity": None}, []),
    ],
)
def test_seminar_limited_modes_are_the_offered_modes_with_a_capacity(fields, limited):
    assert make_seminar(**fields).limited_modes == limited
