"""portal.disclosure: counts of people are published from five up."""

import pytest

from portal.disclosure import public_person_count


@pytest.mark.parametrize(("count", "shown"), [(None, None), (0, None), (1, None), (4, None), (5, 5), (120, 120)])
def test_public_person_count(count, shown):
    assert public_person_count(count) == shown
