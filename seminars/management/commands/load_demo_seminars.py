"""Demo seminars (idempotent). Run after load_municipalities and load_demo_organizations.

The 長野 seminar is entered exactly as the FY2025 flyer (the seed document) states it;
nothing the flyer does not say is filled in (no address, no capacities). The other three
FY2025 venues are unpublished drafts without dates, since the seed gives none. One future
seminar, clearly marked デモ, lets the registration flow be tried end to end.
"""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction

from municipalities.models import Prefecture
from organizations.models import Organization
from portal.deadlines import JAPAN
from seminars.enums import ProgramItemKind
from seminars.models import ProgramItem, Seminar

SERIES = "地域運営組織（RMO）全国セミナー"
TARGET_AUDIENCE = "地域づくりに関心がある方\n自治体職員\n大学関係者（学生） など"
FEE_NOTE = "誰でも無料でご参加いただけます！"
HIGHLIGHTS = (
    "総務省の施策や地域運営組織に関する最新情報が得られる！\n"
    "多彩なノウハウを持つコーディネーターの講演で、地域づくりのヒントが得られる！\n"
    "都道府県庁や市区町村がどのような支援を行っているかわかる！\n"
    "地域運営組織がどのように設立され、どのような活動をおこなっているのかわかる！"
)

NAGANO = {
    "slug": "2025-nagano",
    "title": "地域運営組織 全国セミナーin長野",
    "fiscal_year": 2025,
    "prefecture_code": "20",
    "date": dt.date(2025, 9, 30),
    "start_time": dt.time(13, 30),
    "end_time": dt.time(17, 0),
    "venue_name": "長野市生涯学習センター 第1・第2学習室",
    "access_notes": "会場の駐車場には限りがあります。公共交通機関でお越しください。",
    "deadline": dt.date(2025, 9, 23),
    "is_published": True,
}
# (order, kind, title, speaker, reading, affiliation, presenters as printed, names to link to the
# directory when it has them, venue only). The printed text is kept whole, in the flyer's order.
NAGANO_PROGRAM = [
    (1, ProgramItemKind.POLICY, "総務省施策説明", "", "", "", ["総務省関連部署"], [], False),
    (
        2,
        ProgramItemKind.KEYNOTE,
        "コーディネーターの基調講演",
        "高橋 由和",
        "たかはし よしかず",
        "特定非営利活動法人きらりよしじまネットワーク 常勤理事",
        [],
        ["特定非営利活動法人きらりよしじまネットワーク"],
        False,
    ),
    (
        3,
        ProgramItemKind.CASE_STUDY,
        "事例発表",
        "",
        "",
        "",
        ["長野市 地域・市民生活部 地域活動支援課", "古牧地区住民自治協議会", "鬼無里地区住民自治協議会"],
        ["古牧地区住民自治協議会", "鬼無里地区住民自治協議会"],
        False,
    ),
    (4, ProgramItemKind.PANEL, "パネルディスカッション", "", "", "", [], [], False),
    (5, ProgramItemKind.EXCHANGE, "登壇者との意見交換会", "", "", "", [], [], True),
]

DRAFTS = [
    ("2025-aomori", "地域運営組織 全国セミナー（青森県）", "02"),
    ("2025-fukushima", "地域運営組織 全国セミナー（福島県）", "07"),
    ("2025-kagoshima", "地域運営組織 全国セミナー（鹿児島県）", "46"),
]

DEMO = {
    "slug": "demo-2027",
    # is_demo puts 「デモ」 on every page and mail that shows it; the title need not repeat it.
    "title": "地域運営組織 全国セミナー（デモ会場）",
    "fiscal_year": 2026,
    "date": dt.date(2027, 2, 5),
    "start_time": dt.time(13, 30),
    "end_time": dt.time(17, 0),
    "venue_name": "デモ市民交流センター 大会議室（架空の会場）",
    "venue_address": "（デモ用の架空の住所です）",
    "access_notes": "デモ用のセミナーです。実際には開催されません。",
    "venue_capacity": 80,
    "online_capacity": 400,
    "deadline": dt.date(2027, 1, 29),
    "registration_opens_at": dt.datetime(2026, 11, 1, 9, 0, tzinfo=JAPAN),
    "is_published": True,
    "is_demo": True,
    "contact": "デモ用のため、お問い合わせ先はありません。",
}
DEMO_PROGRAM = [
    (1, ProgramItemKind.POLICY, "総務省施策説明（デモ）", "", "", "", ["総務省関連部署"], [], False),
    (2, ProgramItemKind.KEYNOTE, "コーディネーターの基調講演（デモ）", "デモ 登壇者", "でも とうだんしゃ", "（デモ）", [], [], False),
    (3, ProgramItemKind.CASE_STUDY, "事例発表（デモ）", "", "", "", ["（デモ）発表団体"], [], False),
    (4, ProgramItemKind.PANEL, "パネルディスカッション", "", "", "", [], [], False),
    (5, ProgramItemKind.EXCHANGE, "登壇者との意見交換会", "", "", "", [], [], True),
]


class Command(BaseCommand):
    help = "デモ用のセミナー（令和7年度 長野のセミナー、下書き3件、デモの開催予定1件）を登録します（再実行可）。"

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        prefectures = {p.code: p for p in Prefecture.objects.filter(code__in=["02", "07", "20", "46"])}
        common = {"series": SERIES, "target_audience": TARGET_AUDIENCE, "fee_note": FEE_NOTE, "highlights": HIGHLIGHTS}

        nagano_fields = {k: v for k, v in NAGANO.items() if k not in ("slug", "prefecture_code")}
        nagano, _ = Seminar.objects.update_or_create(
            slug=NAGANO["slug"],
            defaults={**common, **nagano_fields, "prefecture": prefectures.get("20"), "is_demo": False},
        )
        self._program(nagano, NAGANO_PROGRAM)

        for slug, title, code in DRAFTS:
            Seminar.objects.update_or_create(
                slug=slug,
                defaults={**common, "title": title, "fiscal_year": 2025, "prefecture": prefectures.get(code), "is_published": False},
            )

        demo_fields = {k: v for k, v in DEMO.items() if k != "slug"}
        demo, _ = Seminar.objects.update_or_create(slug=DEMO["slug"], defaults={**common, **demo_fields})
        self._program(demo, DEMO_PROGRAM)
        if options.get("verbosity", 1):
            self.stdout.write(self.style.SUCCESS(f"セミナー: {Seminar.objects.count()}件"))

    def _program(self, seminar: Seminar, rows) -> None:
        seminar.program_items.exclude(order__in=[row[0] for row in rows]).delete()
        for order, kind, title, speaker, reading, affiliation, presenters, directory_names, venue_only in rows:
            organizations = list(Organization.objects.filter(name__in=directory_names))
            item, _ = ProgramItem.objects.update_or_create(
                seminar=seminar,
                order=order,
                defaults={
                    "kind": kind,
                    "title": title,
                    "speaker_name": speaker,
                    "speaker_reading": reading,
                    "speaker_affiliation": affiliation,
                    "presenter_text": "\n".join(presenters),
                    "venue_only": venue_only,
                },
            )
            item.organizations.set(organizations)
