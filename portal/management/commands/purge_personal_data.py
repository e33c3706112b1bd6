"""Retention over what the apps register in portal.retention: anonymize registrants' personal
data a set number of days after each event, and delete records kept for a period of their own.

Run daily (cron or a systemd timer); a run with nothing due changes nothing and prints 0.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.privacy import personal_data_retention_days
from portal.retention import RecordRetention, personal_data_purge, registered


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when the parser is built (argparse takes no lazy text)
        return _(
            "終了後、保存期間（PERSONAL_DATA_RETENTION_DAYS、既定180日）を過ぎたセミナー・サミットの申込者の個人情報"
            "（氏名、ふりがな、メールアドレス、所属、配慮事項など）を匿名化します。参加方法・状態・区分・市区町村などの"
            "集計に使う項目は残ります。あわせて、LOGIN_RECORD_RETENTION_DAYS を過ぎたログインの記録を削除します。"
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help=_("対象の件数を表示するだけで、変更しない"))
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=_("保存期間（日数）。省略時は設定 PERSONAL_DATA_RETENTION_DAYS（現在 %(days)d日）")
            % {"days": personal_data_retention_days()},
        )

    def handle(self, *args, dry_run: bool = False, days: int | None = None, **options) -> None:
        if days is not None and days < 0:
            raise CommandError(_("--days には0以上の日数を指定してください。"))
        report = personal_data_purge(days=days, dry_run=dry_run)
        self.stdout.write(
            _("保存期間 %(days)d日: %(cutoff)s より前に終了したイベントが対象です。")
            % {"days": report.days, "cutoff": report.cutoff.isoformat()}
        )
        for line in report.lines:
            self.stdout.write(f"  {line.event}（{line.ended_on.isoformat()}）: {line.label}")
        for records in registered(RecordRetention):
            records_days = records.days()
            count = records.purge(days=records_days, dry_run=dry_run)
            message = records.dry_run_message if dry_run else records.deleted_message
            self.stdout.write(message % {"days": records_days, "count": count})
        if dry_run:
            self.stdout.write(_("匿名化の対象: %(count)d件（--dry-run のため変更していません）") % {"count": report.total})
        else:
            self.stdout.write(self.style.SUCCESS(_("匿名化した件数: %(count)d件") % {"count": report.total}))
