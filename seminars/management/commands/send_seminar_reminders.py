"""Queue reminder mails for seminars starting within N days (run daily from cron).

Idempotent: each registration's reminder_sent_at marker is set in the same transaction
as its queued mail, so a second run the same day (or the next day) queues nothing new.
"""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.deadlines import today_jst
from seminars.models import Seminar
from seminars.services import seminar_schedule_reminders


class Command(BaseCommand):
    help = "開催N日前までのセミナーの参加確定者に、リマインダーメールを送信予約します（再実行しても二重送信しません）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=3, help="開催日の何日前から送るか（既定: 3）")

    def handle(self, *args, days: int, **options) -> None:
        now = timezone.now()
        today = today_jst(now)
        seminars = Seminar.objects.filter(is_published=True, date__gte=today, date__lte=today + dt.timedelta(days=days))
        total = 0
        for seminar in seminars:
            if seminar.starts_at and seminar.starts_at <= now:
                continue
            total += seminar_schedule_reminders(seminar=seminar, now=now)
        self.stdout.write(f"リマインダーを{total}件予約しました。")
