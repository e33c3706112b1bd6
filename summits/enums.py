from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionKind(models.TextChoices):
    OPENING = "opening", _("開会")
    KEYNOTE = "keynote", _("基調講演")
    BREAKOUT = "breakout", _("分科会")
    EXCHANGE = "exchange", _("交流会")
    SITE_VISIT = "site_visit", _("現地視察")
    CLOSING = "closing", _("閉会")
    OTHER = "other", _("その他")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("申込済")
    CANCELLED = "cancelled", _("取消")


# Statuses that hold seats and count for "one application per municipality".
LIVE_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED,)


class DelegateRole(models.TextChoices):
    MAYOR = "mayor", _("首長")
    DEPUTY_MAYOR = "deputy_mayor", _("副首長")
    STAFF = "staff", _("随行職員")


# A delegation is led by its mayor or, in the mayor's place, a deputy.
HEAD_ROLES = (DelegateRole.MAYOR, DelegateRole.DEPUTY_MAYOR)
