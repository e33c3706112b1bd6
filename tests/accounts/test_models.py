import pytest
from django.db import IntegrityError, transaction

from accounts.models import EditorScope

from .conftest import make_user


@pytest.mark.django_db
@pytest.mark.parametrize("area", ["both", "neither"])
def test_editor_scope_needs_exactly_one_area(places, area):
    user = make_user("someone")
    fields = (
        {"municipality": places["長野市"], "prefecture": places["長野県"]}
        if area == "both"
        else {"municipality": None, "prefecture": None}
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        EditorScope.objects.create(user=user, **fields)

    assert EditorScope.objects.count() == 0


@pytest.mark.django_db
def test_editor_scope_str_names_its_area(city_editor, prefecture_editor):
    assert str(city_editor.editor_scope) == "長野市"
    assert str(prefecture_editor.editor_scope) == "長野県"
