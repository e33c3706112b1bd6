from django.db import models
from django.utils.translation import gettext_lazy as _


class AttendanceMode(models.TextChoices):
    VENUE = "venue", _("会場")
    ONLINE = "online", _("オンライン")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("参加確定")
    WAITLISTED = "waitlisted", _("キャンセル待ち")
    CANCELLED = "cancelled", _("キャンセル済み")


class AttendeeCategory(models.TextChoices):
    MUNICIPAL_STAFF = "municipal_staff", _("自治体職員")
    UNIVERSITY = "university", _("大学関係者（学生）")
    RMO = "rmo", _("地域運営組織")
    INTERESTED = "interested", _("地域づくりに関心がある方")
    OTHER = "other", _("その他")


class ProgramItemKind(models.TextChoices):
    POLICY = "policy", _("施策説明")
    KEYNOTE = "keynote", _("基調講演")
    CASE_STUDY = "case_study", _("事例発表")
    PANEL = "panel", _("パネルディスカッション")
    EXCHANGE = "exchange", _("意見交換会")


class RegistrationSource(models.TextChoices):
    WEB = "web", _("ウェブ")
    FLYER = "flyer", _("チラシ（2次元バーコード）")
    PHONE = "phone", _("電話（事務局が入力）")


class WhenFull(models.TextChoices):
    """What a registrant wants when the chosen mode has no seat left."""

    WAITLIST = "waitlist", _("キャンセル待ちに登録する")
    ONLINE = "online", _("オンライン参加に切り替える")
    NOTHING = "nothing", _("申し込まない")
