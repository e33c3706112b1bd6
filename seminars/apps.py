from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeminarsConfig(AppConfig):
    name = "seminars"
    verbose_name = _("全国セミナー")

    def ready(self) -> None:
        from portal import retention

        # Registers the mail builders with portal.mail before any task runs.
        from . import mails  # noqa: F401
        from .retention import SEMINAR_REGISTRANTS

        retention.register(SEMINAR_REGISTRANTS)
