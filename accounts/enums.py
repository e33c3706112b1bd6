from django.db import models
from django.utils.translation import gettext_lazy as _


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("未承諾")
    ACCEPTED = "accepted", _("承諾済み")
    EXPIRED = "expired", _("期限切れ")
    SUPERSEDED = "superseded", _("再招待により無効")
