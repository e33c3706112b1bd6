from django.core.management.base import BaseCommand

from organizations.services import organization_search_text_rebuild, registry_changed


class Command(BaseCommand):
    help = "全組織の検索用テキストを作り直す（市区町村マスタの名称変更や検索規則の変更の後に実行）"

    def handle(self, *args, **options) -> None:
        changed = organization_search_text_rebuild()
        if changed:
            registry_changed()
        self.stdout.write(f"検索用テキストを更新した組織: {changed}件")
