from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("地域運営組織")

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the database check)
            mails,  # noqa: F401  (registers the review mail's builder with portal.mail)
        )
