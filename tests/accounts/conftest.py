"""People and places for the accounts tests: one user per role, and the municipalities they touch."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import EditorScope
from municipalities.codes import with_check_digit
from municipalities.enums import MunicipalityKind
from municipalities.models import Municipality, Prefecture
from portal.roles import EVENT_STAFF, MINISTRY_STAFF, MUNICIPALITY_EDITOR

PASSWORD = "correct-horse-battery-staple"

PREFECTURES = {"20": ("長野県", "ながのけん", "Nagano"), "34": ("広島県", "ひろしまけん", "Hiroshima")}
MUNICIPALITIES = {
    "202011": ("長野市", "ながのし", MunicipalityKind.CITY, None),
    "202029": ("松本市", "まつもとし", MunicipalityKind.CITY, None),
    "342149": ("安芸高田市", "あきたかたし", MunicipalityKind.CITY, None),
    "341002": ("広島市", "ひろしまし", MunicipalityKind.DESIGNATED_CITY, None),
    "341011": ("中区", "なかく", MunicipalityKind.WARD, "341002"),
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_prefecture(code: str) -> Prefecture:
    name, kana, english = PREFECTURES[code]
    prefecture, _ = Prefecture.objects.get_or_create(
        code=code,
        defaults={"local_government_code": with_check_digit(f"{code}000"), "name": name, "name_kana": kana, "name_en": english},
    )
    return prefecture


def make_municipality(code: str) -> Municipality:
    name, kana, kind, parent_code = MUNICIPALITIES[code]
    parent = make_municipality(parent_code) if parent_code else None
    municipality, _ = Municipality.objects.get_or_create(
        code=code,
        defaults={"prefecture": make_prefecture(code[:2]), "name": name, "name_kana": kana, "kind": kind, "parent": parent},
    )
    return municipality


@pytest.fixture
def places(db) -> dict[str, Municipality | Prefecture]:
    """長野県 and 広島県 with 長野市, 松本市, 安芸高田市, 広島市 and its ward 中区."""
    return {
        "長野県": make_prefecture("20"),
        "広島県": make_prefecture("34"),
        "長野市": make_municipality("202011"),
        "松本市": make_municipality("202029"),
        "安芸高田市": make_municipality("342149"),
        "広島市": make_municipality("341002"),
        "中区": make_municipality("341011"),
    }


def make_user(username: str, *, groups=(), is_staff: bool = False, password: str | None = PASSWORD, **fields):
    user = get_user_model().objects.create_user(username, email=f"{username}@example.jp", password=password, is_staff=is_staff, **fields)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def make_editor(username: str, *, municipality=None, prefecture=None, **fields):
    user = make_user(username, groups=[MUNICIPALITY_EDITOR], **fields)
    EditorScope.objects.create(user=user, municipality=municipality, prefecture=prefecture)
    return user


@pytest.fixture
def ministry_user(db):
    return make_user("honsho", groups=[MINISTRY_STAFF], is_staff=True)


@pytest.fixture
def event_user(db):
    return make_user("event", groups=[EVENT_STAFF], is_staff=True)


@pytest.fixture
def city_editor(places):
    return make_editor("nagano-city", municipality=places["長野市"])


@pytest.fixture
def prefecture_editor(places):
    return make_editor("nagano-pref", prefecture=places["長野県"])


def make_totp_device(user, *, confirmed: bool = True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=confirmed)


def current_code(device: TOTPDevice) -> str:
    """The code the authenticator app shows now (django-otp's own TOTP)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"
