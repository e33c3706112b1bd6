"""manage.py load_municipalities: load (or refresh) the municipality master from its fixture."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from municipalities.services import LoadCounts, MunicipalityLoadError, municipalities_load

DEFAULT_PATH = Path(settings.BASE_DIR) / "fixtures" / "municipalities.json"


class Command(BaseCommand):
    help = _("都道府県・市区町村マスタを fixtures/municipalities.json から読み込みます（何度実行しても同じ結果）。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--path", type=Path, default=DEFAULT_PATH, help=_("読み込むファイル"))
        parser.add_argument(
            "--prune",
            action="store_true",
            help=_("ファイルにない市区町村（廃止されたもの）を削除する。参照されていれば中止します。"),
        )

    def handle(self, *args, path: Path, prune: bool, verbosity: int = 1, **options) -> None:
        try:
            result = municipalities_load(path=path, prune=prune)
        except MunicipalityLoadError as error:
            raise CommandError(str(error.message)) from error
        if verbosity >= 1:
            self.stdout.write(self._line(_("都道府県"), result.prefectures))
            self.stdout.write(self._line(_("市区町村・行政区"), result.municipalities))
        for counts in (result.prefectures, result.municipalities):
            if counts.stale:
                self.stderr.write(
                    _("ファイルにないコード（--prune で削除）: %(codes)s") % {"codes": ", ".join(counts.stale)}
                )

    @staticmethod
    def _line(label, counts: LoadCounts) -> str:
        return _("%(label)s: 新規 %(created)d、更新 %(updated)d、変更なし %(unchanged)d、削除 %(deleted)d") % {
            "label": label,
            "created": counts.created,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "deleted": counts.deleted,
        }
