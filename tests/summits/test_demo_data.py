import datetime as dt

import pytest
from django.core.management import call_command

from summits.models import BreakoutTrack, Session, SiteVisitCourse, Summit

pytestmark = pytest.mark.django_db

T = dt.time


def _timetable(slug: str) -> list[tuple]:
    return [
        (s.day, s.start_time, s.end_time, s.kind, s.slot_label, s.speaker_name, s.speaker_affiliation, s.speaker_title)
        for s in Session.objects.filter(summit__slug=slug).order_by("day", "order")
    ]


def _tracks(slug: str) -> list[tuple]:
    return [
        (t.number, t.theme, t.coordinator_name, t.coordinator_affiliation, t.coordinator_title, t.capacity)
        for t in BreakoutTrack.objects.filter(summit__slug=slug).order_by("number")
    ]


def test_load_demo_summits_2025_akita_as_the_seed_states():
    call_command("load_demo_summits", verbosity=0)

    summit = Summit.objects.get(slug="2025-akita")
    assert (summit.title, summit.organizers, summit.first_day, summit.last_day) == (
        "全国市町村長サミット2025in秋田",
        "総務省、秋田県",
        dt.date(2025, 10, 27),
        dt.date(2025, 10, 28),
    )
    assert (summit.program_start, summit.program_end) == (T(13, 0), T(18, 50))
    assert summit.application_deadline == dt.date(2025, 10, 3)
    assert summit.official_url == "https://www.soumu.go.jp/main_sosiki/jichi_gyousei/c-gyousei/zenkoku_summit.html"
    assert (summit.venue, summit.is_demo, summit.is_published) == ("", False, True)
    assert _timetable("2025-akita") == [
        (dt.date(2025, 10, 27), T(13, 20), T(14, 20), "keynote", "", "坂本 貴志", "リクルートワークス研究所", "研究員・アナリスト"),
        (dt.date(2025, 10, 27), T(14, 40), T(15, 50), "breakout", "①", "", "", ""),
        (dt.date(2025, 10, 27), T(16, 10), T(17, 20), "breakout", "②", "", "", ""),
        (dt.date(2025, 10, 28), None, None, "site_visit", "", "", "", ""),
    ]
    assert _tracks("2025-akita") == [
        (1, "二地域居住・関係人口", "指出 一正", "ソトコト編集長", "", None),
        (2, "地域運営組織", "若菜 千穂", "特定非営利活動法人いわて地域づくり支援センター", "常務理事", None),
    ]
    assert not SiteVisitCourse.objects.filter(summit=summit).exists()
    assert not summit.tracks.filter(presenters__isnull=False).exists()


def test_load_demo_summits_2024_chiba_as_the_seed_states():
    call_command("load_demo_summits", verbosity=0)

    summit = Summit.objects.get(slug="2024-chiba")
    assert (summit.title, summit.organizers, summit.first_day, summit.last_day) == (
        "全国市町村長サミット2024in千葉",
        "総務省、千葉県",
        dt.date(2024, 11, 5),
        dt.date(2024, 11, 6),
    )
    assert summit.application_deadline is None
    assert summit.official_url == ""
    assert _timetable("2024-chiba") == [
        (
            dt.date(2024, 11, 5), T(13, 20), T(14, 20), "keynote", "", "庄司 昌彦",
            "武蔵大学社会学部メディア社会学科教授・武蔵学園データサイエンス研究所副所長", "",
        ),
        (dt.date(2024, 11, 5), T(14, 40), T(15, 50), "breakout", "①", "", "", ""),
        (dt.date(2024, 11, 5), T(16, 10), T(17, 20), "breakout", "②", "", "", ""),
        (dt.date(2024, 11, 6), None, None, "site_visit", "", "", "", ""),
    ]
    assert _tracks("2024-chiba") == [
        (1, "移住定住多様な人材の活用", "指出 一正", "『ソトコト』編集長", "", None),
        (2, "少子化対策", "秋田 喜代美", "学習院大学文学部教授・東京大学名誉教授", "", None),
    ]


def test_load_demo_summits_demo_summit_is_labelled_and_open():
    call_command("load_demo_summits", verbosity=0)

    demo = Summit.objects.get(slug="demo-2027")
    assert demo.is_demo is True
    assert "デモ" in demo.title
    assert [t.capacity for t in demo.tracks.all()] == [40, 3]
    assert [c.capacity for c in demo.site_visit_courses.all()] == [20, 2]


def test_load_demo_summits_is_idempotent():
    call_command("load_demo_summits", verbosity=0)
    first = list(Session.objects.values_list("pk", flat=True).order_by("pk"))

    call_command("load_demo_summits", verbosity=0)

    assert Summit.objects.count() == 3
    assert list(Session.objects.values_list("pk", flat=True).order_by("pk")) == first
    assert BreakoutTrack.objects.count() == 6
    assert SiteVisitCourse.objects.count() == 2
