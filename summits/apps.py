from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummitsConfig(AppConfig):
    name = "summits"
    verbose_name = _("全国市町村長サミット")

    def ready(self) -> None:
        from portal import retention

        from . import mails  # noqa: F401  (registers the mail builders)
        from .retention import SUMMIT_APPLICANTS

        retention.register(SUMMIT_APPLICANTS)
