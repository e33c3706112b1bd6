import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from organizations import opendata


class Command(BaseCommand):
    help = (
        "公開中の全組織の日付付きスナップショット（CSV・JSON・SHA-256）を OPEN_DATA_SNAPSHOT_ROOT に書き出す"
        "（毎日1回、cron や systemd timer で実行）"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="スナップショットの日付（YYYY-MM-DD、既定は今日）")

    def handle(self, *args, **options) -> None:
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as error:
            raise CommandError(f"--date は YYYY-MM-DD で指定してください: {options['date']}") from error
        snapshot = opendata.snapshot_write(day)
        for file in snapshot.files.values():
            self.stdout.write(f"{file.path} ({file.size:,} bytes, sha256 {file.sha256})")
        self.stdout.write(f"{snapshot.day.isoformat()} のスナップショットを書き出しました（{', '.join(snapshot.files)}）。")
