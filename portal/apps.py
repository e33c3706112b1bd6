from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles_after_last_app(sender: AppConfig, **kwargs) -> None:
    """Sync the role groups once per migrate, after the last app's permissions exist.

    post_migrate is sent once per app, and auth creates each app's permissions in its own
    receiver for that app; only at the last app are all of them there.
    """
    last_app = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label != last_app.label:
        return
    from .roles import role_groups_sync

    role_groups_sync()


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("ポータル共通")

    def ready(self) -> None:
        post_migrate.connect(_sync_roles_after_last_app, dispatch_uid="portal_role_groups_sync")
