"""Load the 地域振興室's programs exactly as the seed document states them (idempotent).

Source: 「総務省地域振興室の事業について（地域運営組織、全国市長村長サミット）」,
総務省 地域力創造グループ 地域振興室. Texts are quoted as written there, including the
document's 「ハイブリット開催」.
"""

from django.core.management.base import BaseCommand

from portal.services import PointData, policy_program_upsert

RMO_HEADING_INITIATIVES = "地域運営組織の形成及び持続的な運営に関する取組の推進"

PROGRAMS = [
    {
        "slug": "rmo",
        "title": "地域運営組織（RMO）の形成・運営",
        "abbreviation_note": "RMO：Region Management Organization",
        "definition": (
            "地域の暮らしを守るため、地域で暮らす人々が中心となって形成され、地域内の様々な関係主体が"
            "参加する協議組織が定めた地域経営の指針に基づき、地域課題の解決に向けた取組を持続的に"
            "実践する組織"
        ),
        "budget_request_fiscal_year": 2026,  # 令和8年度
        "budget_request_million_yen": 31,
        "initial_budget_fiscal_year": 2025,  # 令和7年度
        "initial_budget_million_yen": 31,
        "sort_order": 10,
        "points": [
            PointData(
                "高齢化による生活機能の低下や人口減少・過疎化による集落の生活支援機能の低下が進む中、"
                "地域の主体がバラバラに取り組むのではなく、多様な主体が参画し分野横断的に活動する"
                "「地域運営組織（RMO）」の形成・持続的な運営が地域づくりのインフラとして重要"
            ),
            PointData("活動内容は、高齢者交流サービス、声かけ・見守りサービス、買い物支援、公共ライドシェアなど多様"),
            PointData(
                "全国には8,193組織、地域運営組織が形成されている市区町村数は893団体（令和6年度総務省調査）"
            ),
            PointData(
                "地域運営組織に対して、地方公共団体がより効果的・効率的に支援できるよう小田切明治大学教授を"
                "座長とし調査研究を行うとともに、全国セミナーの開催等（※）により先進事例の全国展開を図る"
                "ことで、全国における地域運営組織の更なる形成促進や持続的な運営に向けた取組みを後押し",
                heading=RMO_HEADING_INITIATIVES,
                note="※令和7年度は青森県、福島県、長野県、鹿児島県でハイブリット開催",
            ),
        ],
    },
    {
        "slug": "summit",
        "title": "全国市町村長サミット",
        "summary": (
            "人口減少の到来、地域間格差の拡大、コミュニティの脆弱化など困難な課題に直面している中で"
            "あって、日本経済の再生に向けて、地域の活性化を図っていくことが求められています。このため、"
            "全国の市町村長等が一堂に会して議論・交流を行うことを通じて、地域活性化の一層の進展・普及を"
            "図ることを目的に、例年、全国市町村長サミットを開催しています。"
        ),
        "budget_request_fiscal_year": 2026,  # 令和8年度
        "budget_request_million_yen": 9,
        "initial_budget_fiscal_year": 2025,  # 令和7年度
        "initial_budget_million_yen": 9,
        "official_url": "https://www.soumu.go.jp/main_sosiki/jichi_gyousei/c-gyousei/zenkoku_summit.html",
        "sort_order": 20,
    },
]


class Command(BaseCommand):
    help = "施策について の2事業（地域運営組織、全国市町村長サミット）を資料どおりに登録します（再実行しても同じ結果）。"

    def handle(self, *args, **options) -> None:
        for program in PROGRAMS:
            policy_program_upsert(**program)
        self.stdout.write(self.style.SUCCESS(f"施策 {len(PROGRAMS)} 件を登録しました。"))
