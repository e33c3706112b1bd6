from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("アカウント")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portal import retention

        # Registers the invitation mail builder with portal.mail before any task runs.
        from . import mails  # noqa: F401
        from .retention import LOGIN_RECORDS
        from .sessions import stamp_session_at_login

        retention.register(LOGIN_RECORDS)

        # Every way of logging in (the portal's login, an accepted invitation, the test
        # client's force_login) goes through django.contrib.auth.login, which sends this.
        user_logged_in.connect(stamp_session_at_login, dispatch_uid="accounts_stamp_session_at_login")
