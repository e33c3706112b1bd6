"""Load the 全国市町村長サミット exactly as the seed document states them, plus one demo (idempotent).

Source: 「総務省地域振興室の事業について（地域運営組織、全国市長村長サミット）」. Only what the
document says is loaded: it names no venue, no site-visit course, no presenting mayor and
no capacity, so those stay empty and the public pages leave them out. It gives the
application deadline (令和7年10月3日（金）) for 2025 only.

The third summit (2027, slug "demo-2027") is invented so a newcomer can try the application
flow; it is marked is_demo and every page and mail that shows it says デモ.
"""

import datetime as dt

from django.core.management.base import BaseCommand

from summits.enums import SessionKind
from summits.services import CourseData, SessionData, TrackData, summit_program_sync

OFFICIAL_URL = "https://www.soumu.go.jp/main_sosiki/jichi_gyousei/c-gyousei/zenkoku_summit.html"
PURPOSE = (
    "全国の市町村長等が一堂に会して議論・交流を行うことを通じて、地域活性化の一層の進展・普及を図ることを目的に、"
    "例年、全国市町村長サミットを開催しています。"
)
BREAKOUT_NOTE = "2つのテーマの分科会に分かれ、各分科会のコーディネーターと発表される市町村長が取組事例の発表と意見交換を実施"

T = dt.time


def _program(day1: dt.date, day2: dt.date, *, keynote: dict) -> list[SessionData]:
    """Day 1 as the seed gives it (keynote, breakouts ① and ②), day 2 the site visit."""
    return [
        SessionData(day=day1, kind=SessionKind.KEYNOTE, start_time=T(13, 20), end_time=T(14, 20), **keynote),
        SessionData(
            day=day1, kind=SessionKind.BREAKOUT, slot_label="①", start_time=T(14, 40), end_time=T(15, 50),
            description=BREAKOUT_NOTE,
        ),
        SessionData(
            day=day1, kind=SessionKind.BREAKOUT, slot_label="②", start_time=T(16, 10), end_time=T(17, 20),
            description=BREAKOUT_NOTE,
        ),
        SessionData(day=day2, kind=SessionKind.SITE_VISIT),
    ]


SUMMITS = [
    {
        "slug": "2025-akita",
        "fields": {
            "title": "全国市町村長サミット2025in秋田",
            "organizers": "総務省、秋田県",
            "first_day": dt.date(2025, 10, 27),
            "last_day": dt.date(2025, 10, 28),
            "program_start": T(13, 0),
            "program_end": T(18, 50),
            "venue": "",
            "venue_address": "",
            "application_deadline": dt.date(2025, 10, 3),
            "official_url": OFFICIAL_URL,
            "description": PURPOSE,
            "is_published": True,
            "is_demo": False,
        },
        "sessions": _program(
            dt.date(2025, 10, 27),
            dt.date(2025, 10, 28),
            keynote={
                "speaker_name": "坂本 貴志",
                "speaker_affiliation": "リクルートワークス研究所",
                "speaker_title": "研究員・アナリスト",
            },
        ),
        "tracks": [
            TrackData(number=1, theme="二地域居住・関係人口", coordinator_name="指出 一正", coordinator_affiliation="ソトコト編集長"),
            TrackData(
                number=2,
                theme="地域運営組織",
                coordinator_name="若菜 千穂",
                coordinator_affiliation="特定非営利活動法人いわて地域づくり支援センター",
                coordinator_title="常務理事",
            ),
        ],
        "courses": [],
    },
    {
        "slug": "2024-chiba",
        "fields": {
            "title": "全国市町村長サミット2024in千葉",
            "organizers": "総務省、千葉県",
            "first_day": dt.date(2024, 11, 5),
            "last_day": dt.date(2024, 11, 6),
            "program_start": T(13, 0),
            "program_end": T(18, 50),
            "venue": "",
            "venue_address": "",
            "application_deadline": None,  # the seed gives none for 2024
            "official_url": "",  # the seed states its one URL beside the 2025 summit's deadline, not for 2024
            "description": PURPOSE,
            "is_published": True,
            "is_demo": False,
        },
        "sessions": _program(
            dt.date(2024, 11, 5),
            dt.date(2024, 11, 6),
            keynote={
                "speaker_name": "庄司 昌彦",
                "speaker_affiliation": "武蔵大学社会学部メディア社会学科教授・武蔵学園データサイエンス研究所副所長",
            },
        ),
        "tracks": [
            TrackData(
                number=1, theme="移住定住多様な人材の活用", coordinator_name="指出 一正", coordinator_affiliation="『ソトコト』編集長"
            ),
            TrackData(
                number=2,
                theme="少子化対策",
                coordinator_name="秋田 喜代美",
                coordinator_affiliation="学習院大学文学部教授・東京大学名誉教授",
            ),
        ],
        "courses": [],
    },
    {
        "slug": "demo-2027",
        "fields": {
            "title": "全国市町村長サミット2027（デモ）",
            "organizers": "総務省（デモ）",
            "first_day": dt.date(2027, 10, 25),
            "last_day": dt.date(2027, 10, 26),
            "program_start": T(13, 0),
            "program_end": T(18, 50),
            "venue": "デモ会場（架空）",
            "venue_address": "",
            "application_deadline": dt.date(2027, 10, 1),
            "official_url": "",
            "description": "申込の流れを試すための架空のサミットです。講師・分科会・視察コースはすべて架空です。",
            "is_published": True,
            "is_demo": True,
        },
        "sessions": [
            SessionData(day=dt.date(2027, 10, 25), kind=SessionKind.OPENING, start_time=T(13, 0), end_time=T(13, 20)),
            SessionData(
                day=dt.date(2027, 10, 25), kind=SessionKind.KEYNOTE, start_time=T(13, 20), end_time=T(14, 20),
                title="（デモ）地域の担い手をどう育てるか", speaker_name="デモ 講師", speaker_affiliation="デモ研究所（架空）",
                speaker_title="研究員",
            ),
            SessionData(
                day=dt.date(2027, 10, 25), kind=SessionKind.BREAKOUT, slot_label="①", start_time=T(14, 40), end_time=T(15, 50),
                description=BREAKOUT_NOTE,
            ),
            SessionData(
                day=dt.date(2027, 10, 25), kind=SessionKind.BREAKOUT, slot_label="②", start_time=T(16, 10), end_time=T(17, 20),
                description=BREAKOUT_NOTE,
            ),
            SessionData(day=dt.date(2027, 10, 25), kind=SessionKind.EXCHANGE, start_time=T(17, 40), end_time=T(18, 50)),
            SessionData(day=dt.date(2027, 10, 26), kind=SessionKind.SITE_VISIT, start_time=T(9, 0), end_time=T(15, 0)),
        ],
        "tracks": [
            TrackData(number=1, theme="（デモ）地域交通", coordinator_name="デモ コーディネーターA", capacity=40),
            TrackData(number=2, theme="（デモ）地域運営組織", coordinator_name="デモ コーディネーターB", capacity=3),
        ],
        "courses": [
            CourseData(
                name="（デモ）Aコース 拠点施設の見学", day=dt.date(2027, 10, 26), start_time=T(9, 0), end_time=T(12, 0),
                meeting_point="デモ会場 正面玄関", capacity=20,
            ),
            CourseData(
                name="（デモ）Bコース 農村地域の見学", day=dt.date(2027, 10, 26), start_time=T(9, 30), end_time=T(15, 0),
                meeting_point="デモ会場 バス乗り場", capacity=2,
            ),
        ],
    },
]


class Command(BaseCommand):
    help = "全国市町村長サミット（2025in秋田、2024in千葉）を資料どおりに登録し、デモのサミットを1件用意します（再実行可）。"

    def handle(self, *args, verbosity: int = 1, **options) -> None:
        for entry in SUMMITS:
            summit = summit_program_sync(
                slug=entry["slug"],
                fields=entry["fields"],
                sessions=entry["sessions"],
                tracks=entry["tracks"],
                courses=entry["courses"],
            )
            if verbosity:
                self.stdout.write(f"サミット: {summit.title}")
