"""Prepare a development database: master data, demo content, role groups, a demo login.

Safe to run again: every loader is idempotent, and the demo account is reset with a new
password each time (printed at the end, the only place it appears).
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from portal.roles import MINISTRY_STAFF, role_groups_sync

DEMO_USERNAME = "demo-staff"
# In this order: each later loader refers to rows the earlier ones created.
LOADERS = (
    "load_municipalities",
    "load_demo_programs",
    "load_demo_organizations",
    "load_demo_seminars",
    "load_demo_summits",
)


class Command(BaseCommand):
    help = (
        "開発用のデータ（市区町村マスタ、施策、地域運営組織、セミナー、サミット）と役割グループを用意し、"
        "デモ用職員アカウント demo-staff を作成（再設定）してパスワードを表示します。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="DEBUG=false でも実行する（本番データベースにデモ用アカウントを作らないための安全装置を外す）",
        )

    def handle(self, *args, force: bool = False, verbosity: int = 1, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "setup_demo は開発用です（DEBUG=false のため中止しました）。意図して実行する場合は --force を付けてください。"
            )
        missing = [name for name in LOADERS if name not in get_commands()]
        if missing:
            raise CommandError(f"必要なコマンドがありません: {', '.join(missing)}")

        for name in LOADERS:
            call_command(name, verbosity=verbosity, stdout=self.stdout, stderr=self.stderr)
        groups = role_groups_sync()
        password = self._reset_demo_staff(group=groups[MINISTRY_STAFF])

        admin_url = settings.SITE_URL + reverse("admin:index")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("デモ環境の準備ができました。"))
        self.stdout.write(f"  管理画面:     {admin_url}")
        self.stdout.write(f"  ユーザー名:   {DEMO_USERNAME}（{MINISTRY_STAFF}、スーパーユーザーではありません）")
        self.stdout.write(f"  パスワード:   {password}")
        self.stdout.write("  （このパスワードは実行のたびに作り直されます）")
        if settings.REQUIRE_STAFF_2FA:
            self.stdout.write("  2段階認証: 必須です。初回ログインの後、認証アプリ（TOTP）を設定してください。")
        else:
            self.stdout.write(
                "  2段階認証: 開発用の設定（DEBUG）のため省略できます。本番では職員のアカウントに必須です"
                "（REQUIRE_STAFF_2FA）。"
            )

    @transaction.atomic
    def _reset_demo_staff(self, *, group: Group) -> str:
        password = secrets.token_urlsafe(12)
        user, _created = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        user.is_staff = True
        user.is_superuser = False
        user.is_active = True
        user.set_password(password)
        user.save()
        user.user_permissions.clear()
        user.groups.set([group])
        return password
