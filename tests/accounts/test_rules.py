"""Each role against each permission and object (accounts/rules.py and the role groups).

One row per (permission, object); one column per role. The columns:
ministry staff, event staff, the editor of 長野市 (202011), the editor of 長野県 (20),
an anonymous visitor, and a deactivated editor of 長野市.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from .conftest import make_editor

ROLES = ("ministry", "event", "city_editor", "prefecture_editor", "anonymous", "inactive_editor")
T, F = True, False

# (permission, object key): expected per role, in ROLES order.
TABLE = {
    # RMO listings, by municipality, by listing (anything with .municipality), and "any at all"
    ("organizations.edit_listing", "長野市"): (T, F, T, T, F, F),
    ("organizations.edit_listing", "松本市"): (T, F, F, T, F, F),
    ("organizations.edit_listing", "安芸高田市"): (T, F, F, F, F, F),
    ("organizations.edit_listing", "listing in 長野市"): (T, F, T, T, F, F),
    ("organizations.edit_listing", "listing in 安芸高田市"): (T, F, F, F, F, F),
    ("organizations.edit_listing", None): (T, F, T, T, F, F),
    ("organizations.review_listing", "listing in 長野市"): (T, F, F, F, F, F),
    ("organizations.review_listing", None): (T, F, F, F, F, F),
    # the directory in the admin: ministry staff only
    ("organizations.change_organization", None): (T, F, F, F, F, F),
    ("municipalities.change_municipality", None): (T, F, F, F, F, F),
    # events and registrants' personal data
    ("seminars.change_registration", None): (T, T, F, F, F, F),
    ("seminars.view_registrant_data", None): (T, T, F, F, F, F),
    ("summits.view_registrant_data", None): (T, T, F, F, F, F),
    # accounts
    ("accounts.invite_editor", None): (T, F, F, F, F, F),
    ("auth.change_user", None): (T, F, F, F, F, F),
}


@pytest.fixture
def people(ministry_user, event_user, city_editor, prefecture_editor, places):
    return {
        "ministry": ministry_user,
        "event": event_user,
        "city_editor": city_editor,
        "prefecture_editor": prefecture_editor,
        "anonymous": AnonymousUser(),
        "inactive_editor": make_editor("nagano-city-old", municipality=places["長野市"], is_active=False),
    }


def _objects(places):
    return {
        None: None,
        "長野市": places["長野市"],
        "松本市": places["松本市"],
        "安芸高田市": places["安芸高田市"],
        # The rules read only .municipality: an Organization is one such object.
        "listing in 長野市": SimpleNamespace(municipality=places["長野市"]),
        "listing in 安芸高田市": SimpleNamespace(municipality=places["安芸高田市"]),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_permission_table(role, people, places):
    user = people[role]
    objects = _objects(places)
    column = ROLES.index(role)

    actual = {(perm, key): user.has_perm(perm, objects[key]) for perm, key in TABLE}

    assert actual == {row: expected[column] for row, expected in TABLE.items()}


@pytest.mark.django_db
def test_editor_of_a_designated_city_may_edit_its_wards_but_not_its_neighbours(places):
    editor = make_editor("hiroshima-city", municipality=places["広島市"])

    assert editor.has_perm("organizations.edit_listing", places["広島市"]) is True
    assert editor.has_perm("organizations.edit_listing", places["中区"]) is True
    assert editor.has_perm("organizations.edit_listing", places["安芸高田市"]) is False


@pytest.mark.django_db
def test_editor_removed_from_the_group_loses_the_listing_permission(city_editor, places):
    city_editor.groups.clear()
    city_editor = type(city_editor).objects.get(pk=city_editor.pk)  # a fresh object: no cached groups

    assert city_editor.has_perm("organizations.edit_listing", places["長野市"]) is False


@pytest.mark.django_db
def test_superuser_passes_every_rule(places):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password=None)

    assert root.has_perm("organizations.edit_listing", places["安芸高田市"]) is True
    assert root.has_perm("organizations.review_listing") is True
    assert root.has_perm("accounts.invite_editor") is True
