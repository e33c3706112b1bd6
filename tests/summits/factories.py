"""Small make_* helpers for summit tests (municipality rows created directly)."""

import datetime as dt
import itertools

from municipalities.models import Municipality, Prefecture
from portal.deadlines import today_jst
from summits.models import BreakoutTrack, SiteVisitCourse, Summit
from summits.services import ContactInput, DelegateInput

_codes = itertools.count(1)


def make_prefecture(code: str = "05", name: str = "秋田県") -> Prefecture:
    prefecture, _ = Prefecture.objects.get_or_create(
        code=code,
        defaults={"local_government_code": f"{code}0000", "name": name, "name_kana": "あきたけん", "name_en": name},
    )
    return prefecture


def make_municipality(*, name: str | None = None, prefecture: Prefecture | None = None, code: str | None = None, kind: str = "city") -> Municipality:
    prefecture = prefecture or make_prefecture()
    number = next(_codes)
    code = code or f"{prefecture.code}{number:03d}0"[:6]
    return Municipality.objects.create(
        code=code, prefecture=prefecture, name=name or f"テスト{number}市", name_kana="てすと", kind=kind
    )


def make_summit(**overrides) -> Summit:
    """An open summit: the deadline 30 days from today, the summit 60 days from today."""
    number = next(_codes)
    today = today_jst()
    fields = {
        "title": f"全国市町村長サミット テスト{number}",
        "slug": f"test-{number}",
        "organizers": "総務省、秋田県",
        "first_day": today + dt.timedelta(days=60),
        "last_day": today + dt.timedelta(days=61),
        "application_deadline": today + dt.timedelta(days=30),
        "is_published": True,
    }
    fields.update(overrides)
    return Summit.objects.create(**fields)


def make_track(summit: Summit, *, number: int = 1, capacity: int | None = None, theme: str | None = None) -> BreakoutTrack:
    return BreakoutTrack.objects.create(summit=summit, number=number, theme=theme or f"テーマ{number}", capacity=capacity)


def make_course(summit: Summit, *, name: str = "Aコース", capacity: int | None = None) -> SiteVisitCourse:
    return SiteVisitCourse.objects.create(summit=summit, name=name, day=summit.last_day, capacity=capacity)


def contact(email: str = "tanto@city.example.jp") -> ContactInput:
    return ContactInput(name="担当 花子", department="企画課", email=email, phone="018-000-0000")


def mayor(*, track=None, course=None, name: str = "秋田 太郎") -> DelegateInput:
    return DelegateInput(
        role="mayor",
        name=name,
        name_kana="あきた たろう",
        title="市長",
        track_id=track.pk if track else None,
        site_visit_course_id=course.pk if course else None,
    )


def staff(*, track=None, course=None, name: str = "随行 次郎") -> DelegateInput:
    return DelegateInput(
        role="staff",
        name=name,
        name_kana="ずいこう じろう",
        title="企画課長",
        track_id=track.pk if track else None,
        site_visit_course_id=course.pk if course else None,
    )
