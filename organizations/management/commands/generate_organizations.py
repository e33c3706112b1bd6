import sys
import time

from django.core.management.base import BaseCommand, CommandError

from organizations.generation import SURVEY_MUNICIPALITIES, organizations_generate, organizations_generated_delete

SURVEY_TOTAL = 8193


class Command(BaseCommand):
    help = (
        "デモ・ベンチマーク用に架空の地域運営組織を生成します（既定：8,193組織、893市区町村、調査の分布）。"
        "先に load_municipalities と load_demo_organizations を実行してください。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--count", type=int, default=SURVEY_TOTAL, help="生成する組織数（既定 8193）")
        parser.add_argument(
            "--municipalities", type=int, default=SURVEY_MUNICIPALITIES, help="組織を置く市区町村数（既定 893）"
        )
        parser.add_argument("--seed", type=int, default=2024, help="乱数の種（同じ種なら同じデータ）")
        parser.add_argument("--replace", action="store_true", help="以前に生成した組織を削除してから生成する")

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if done >= total else ""
        self.stderr.write(f"\r[{bar}] {done:,}/{total:,}", ending=end)
        self.stderr.flush()

    def handle(self, *args, count: int, municipalities: int, seed: int, replace: bool, verbosity: int = 1, **options):
        if count < 1:
            raise CommandError("--count は1以上にしてください。")
        started = time.monotonic()
        if replace:
            deleted = organizations_generated_delete()
            if verbosity:
                self.stdout.write(f"以前に生成したデータ {deleted:,} 行を削除しました。")
        show_progress = verbosity > 0 and sys.stderr.isatty() or verbosity > 1
        try:
            result = organizations_generate(
                count=count,
                municipalities=municipalities,
                seed=seed,
                progress=self._progress if show_progress else None,
            )
        except ValueError as exc:
            raise CommandError("市区町村マスタが空です。先に load_municipalities を実行してください。") from exc
        if verbosity:
            self.stdout.write(
                f"{result.organizations:,} 組織を {result.municipalities:,} 市区町村に生成しました"
                f"（{time.monotonic() - started:.1f} 秒）。"
            )
