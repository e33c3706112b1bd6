"""People for the /manage/ tests: one user per role, made directly with the accounts models."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.models import EditorScope
from portal.roles import EVENT_STAFF, MINISTRY_STAFF, MUNICIPALITY_EDITOR
from tests.factories import MunicipalityFactory, PrefectureFactory


def make_user(username: str, *, groups=(), is_staff: bool = False):
    user = get_user_model().objects.create_user(username, email=f"{username}@example.jp", password=None, is_staff=is_staff)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def make_editor(username: str, *, municipality=None, prefecture=None):
    user = make_user(username, groups=[MUNICIPALITY_EDITOR])
    EditorScope.objects.create(user=user, municipality=municipality, prefecture=prefecture)
    return user


@pytest.fixture
def nagano(db):
    return MunicipalityFactory(code="202011")


@pytest.fixture
def akitakata(db):
    return MunicipalityFactory(code="342149")


@pytest.fixture
def ministry_user(db):
    return make_user("honsho", groups=[MINISTRY_STAFF], is_staff=True)


@pytest.fixture
def event_user(db):
    return make_user("event", groups=[EVENT_STAFF], is_staff=True)


@pytest.fixture
def nagano_editor(nagano):
    return make_editor("nagano-city", municipality=nagano)


@pytest.fixture
def prefecture_editor(db):
    return make_editor("nagano-pref", prefecture=PrefectureFactory(code="20"))
