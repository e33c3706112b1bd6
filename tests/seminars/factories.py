"""Small make_* helpers for seminar tests (tests/factories.py belongs to the organizations tests)."""

import datetime as dt
import itertools

from django.db.models import Max

from municipalities.models import Municipality, Prefecture
from portal.deadlines import JAPAN
from portal.tokens import new_token
from seminars.enums import AttendanceMode, AttendeeCategory, ProgramItemKind, RegistrationStatus
from seminars.models import ProgramItem, Registration, Seminar, normalize_email

_numbers = itertools.count(1)

# "Now" for tests: 2027-01-10 12:00 JST, before the default seminar's deadline.
NOW = dt.datetime(2027, 1, 10, 12, 0, tzinfo=JAPAN)


def make_municipality(code: str = "202011", name: str = "長野市") -> Municipality:
    names = {"20": ("長野県", "ながのけん", "Nagano"), "06": ("山形県", "やまがたけん", "Yamagata")}
    name_ja, kana, name_en = names.get(code[:2], (f"県{code[:2]}", "けん", f"Pref {code[:2]}"))
    prefecture, _ = Prefecture.objects.get_or_create(
        code=code[:2],
        defaults={"local_government_code": f"{code[:2]}0000", "name": name_ja, "name_kana": kana, "name_en": name_en},
    )
    municipality, _ = Municipality.objects.get_or_create(
        code=code, defaults={"prefecture": prefecture, "name": name, "name_kana": "ながのし", "kind": "city"}
    )
    return municipality


def make_seminar(**overrides) -> Seminar:
    number = next(_numbers)
    fields = {
        "title": f"テストセミナー{number}",
        "fiscal_year": 2026,
        "slug": f"test-{number}",
        "date": dt.date(2027, 2, 5),
        "start_time": dt.time(13, 30),
        "end_time": dt.time(17, 0),
        "venue_name": "テスト会場",
        "venue_capacity": 5,
        "online_capacity": None,
        "deadline": dt.date(2027, 1, 29),
        "is_published": True,
    }
    fields.update(overrides)
    return Seminar.objects.create(**fields)


def make_program_item(seminar: Seminar, **overrides) -> ProgramItem:
    fields = {"order": next(_numbers), "kind": ProgramItemKind.PANEL, "title": "パネルディスカッション"}
    fields.update(overrides)
    return ProgramItem.objects.create(seminar=seminar, **fields)


def make_registration(seminar: Seminar, **overrides) -> Registration:
    """A row written directly, for arranging state; the rules themselves are tested through services."""
    number = next(_numbers)
    fields = {
        "mode": AttendanceMode.VENUE,
        "status": RegistrationStatus.CONFIRMED,
        "name": f"参加 太郎{number}",
        "kana": "さんか たろう",
        "email": f"person{number}@example.jp",
        "category": AttendeeCategory.MUNICIPAL_STAFF,
        "consent_at": NOW,
        "token": new_token(),
        "created_at": NOW + dt.timedelta(seconds=number),
    }
    fields.update(overrides)
    fields.setdefault("email_normalized", normalize_email(fields["email"]))
    if "number" not in fields:
        last = Registration.objects.filter(seminar=seminar).aggregate(last=Max("number"))["last"]
        fields["number"] = (last or 0) + 1
    return Registration.objects.create(seminar=seminar, **fields)


def registration_data(**overrides) -> dict:
    """Keyword arguments for services.registration_create."""
    number = next(_numbers)
    data = {
        "mode": AttendanceMode.VENUE,
        "name": f"申込 花子{number}",
        "kana": "もうしこみ はなこ",
        "email": f"applicant{number}@example.jp",
        "category": AttendeeCategory.INTERESTED,
        "consent": True,
        "now": NOW,
    }
    data.update(overrides)
    return data


def seminar_with_seats_taken(*, venue: int = 0, online: int = 0, **fields) -> Seminar:
    """A seminar with that many confirmed registrations per mode, read with its seat counts."""
    from seminars import selectors

    seminar = make_seminar(**fields)
    for _ in range(venue):
        make_registration(seminar, mode=AttendanceMode.VENUE)
    for _ in range(online):
        make_registration(seminar, mode=AttendanceMode.ONLINE)
    return selectors.seminar_for_registration_page(slug=seminar.slug)
