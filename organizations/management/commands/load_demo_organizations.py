"""Load the directory's reference data and the real organizations named in the seed document.

Run after load_municipalities. Idempotent: running it again changes nothing.
"""

import csv
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from organizations import services

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
# The repository's copy wins; the shared data folder is the fallback it was copied from.
SURVEY_TOTALS_CANDIDATES = (
    FIXTURES / "rmo_survey_totals.csv",
    Path(settings.BASE_DIR).parent / "shared" / "data" / "rmo_survey_totals.csv",
)


class Command(BaseCommand):
    help = "地域運営組織の活動内容・財源・構成団体の区分、調査集計、資料に登場する実在の組織（デモデータ）を読み込みます。"

    def handle(self, *args, verbosity: int = 1, **options) -> None:
        categories = json.loads((FIXTURES / "rmo_categories.json").read_text(encoding="utf-8"))
        category_count = services.categories_load(data=categories)

        totals_path = next((path for path in SURVEY_TOTALS_CANDIDATES if path.exists()), None)
        if totals_path is None:
            raise CommandError("rmo_survey_totals.csv が見つかりません（fixtures/ に置いてください）。")
        with totals_path.open(encoding="utf-8-sig", newline="") as handle:
            totals_count = services.survey_totals_load(rows=csv.DictReader(handle))

        demo = json.loads((FIXTURES / "rmo_demo_organizations.json").read_text(encoding="utf-8"))
        loaded, missing = services.demo_organizations_load(data=demo)
        if missing:
            self.stderr.write(
                self.style.WARNING(
                    "市区町村マスタにないコードがあるため読み込みませんでした: "
                    + ", ".join(missing)
                    + "（先に load_municipalities を実行してください）"
                )
            )
        if verbosity:
            self.stdout.write(
                f"区分 {category_count} 件、調査集計 {totals_count} 年度分、デモ組織 {len(loaded)} 件を読み込みました。"
            )
