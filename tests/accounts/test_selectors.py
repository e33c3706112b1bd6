import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.selectors import municipalities_editable_by

from .conftest import make_editor


def codes(queryset) -> list[str]:
    return sorted(queryset.values_list("code", flat=True))


@pytest.mark.django_db
def test_ministry_staff_may_edit_every_municipality(ministry_user, places):
    assert codes(municipalities_editable_by(ministry_user)) == ["202011", "202029", "341002", "341011", "342149"]


@pytest.mark.django_db
def test_city_editor_may_edit_only_their_city(city_editor):
    assert codes(municipalities_editable_by(city_editor)) == ["202011"]


@pytest.mark.django_db
def test_prefecture_editor_may_edit_the_municipalities_of_their_prefecture(prefecture_editor):
    assert codes(municipalities_editable_by(prefecture_editor)) == ["202011", "202029"]


@pytest.mark.django_db
def test_designated_city_editor_may_edit_the_city_and_its_wards(places):
    editor = make_editor("hiroshima-city", municipality=places["広島市"])

    assert codes(municipalities_editable_by(editor)) == ["341002", "341011"]


@pytest.mark.django_db
def test_event_staff_and_anonymous_may_edit_none(event_user, places):
    assert codes(municipalities_editable_by(event_user)) == []
    assert codes(municipalities_editable_by(AnonymousUser())) == []


@pytest.mark.django_db
def test_editable_municipalities_agree_with_the_rule(city_editor, prefecture_editor, places):
    for user in (city_editor, prefecture_editor):
        editable = set(codes(municipalities_editable_by(user)))
        by_rule = {m.code for m in places.values() if hasattr(m, "kind") and user.has_perm("organizations.edit_listing", m)}
        assert editable == by_rule
