import datetime as dt

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.deadlines import end_of_day_jst, is_before_deadline, today_jst

from .enums import ApplicationStatus, DelegateRole, SessionKind

# Shown in staff lists in place of a name that was deleted.
ANONYMIZED_LABEL = _("（個人情報削除済み）")


class Summit(models.Model):
    """One 全国市町村長サミット: two days, a host prefecture, one application per municipality."""

    title = models.CharField(_("名称"), max_length=200)
    slug = models.SlugField(_("URL用の名前"), max_length=60, unique=True)
    organizers = models.CharField(_("主催者"), max_length=200, help_text=_("例: 総務省、秋田県"))
    first_day = models.DateField(_("開催初日"))
    last_day = models.DateField(_("開催最終日"))
    program_start = models.TimeField(_("1日目の開始時刻"), null=True, blank=True)
    program_end = models.TimeField(_("1日目の終了時刻"), null=True, blank=True)
    venue = models.CharField(_("会場"), max_length=200, blank=True)
    venue_address = models.CharField(_("会場の所在地"), max_length=200, blank=True)
    application_deadline = models.DateField(
        _("参加申込締切日"),
        null=True,
        blank=True,
        help_text=_("この日の終わり（日本時間 24:00）に締め切ります。空欄の場合は申込を受け付けません。"),
    )
    official_url = models.URLField(_("公式ページ"), blank=True)
    description = models.TextField(_("概要"), blank=True)
    is_published = models.BooleanField(_("公開"), default=False)
    is_demo = models.BooleanField(
        _("デモ"), default=False, help_text=_("操作を試すための架空のサミット。すべての画面とメールに「デモ」と表示します。")
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        ordering = ["-first_day"]
        verbose_name = _("全国市町村長サミット")
        verbose_name_plural = _("全国市町村長サミット")
        constraints = [
            models.CheckConstraint(condition=models.Q(last_day__gte=models.F("first_day")), name="summit_days_in_order"),
            models.CheckConstraint(
                condition=models.Q(application_deadline__isnull=True)
                | models.Q(application_deadline__lte=models.F("first_day")),
                name="summit_deadline_before_first_day",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("summits:summit_detail", kwargs={"slug": self.slug})

    @property
    def days(self) -> list[dt.date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + dt.timedelta(days=offset) for offset in range(count)]

    @property
    def deadline_closes_at(self) -> dt.datetime | None:
        """The instant applications close: the end of the deadline day in Japan."""
        return end_of_day_jst(self.application_deadline) if self.application_deadline else None

    def is_registration_open(self, *, now: dt.datetime | None = None) -> bool:
        if not self.is_published or self.application_deadline is None:
            return False
        return is_before_deadline(self.application_deadline, now=now)

    def is_past(self, *, now: dt.datetime | None = None) -> bool:
        return self.last_day < today_jst(now)


class Session(models.Model):
    """One row of the timetable. Times are local Japanese times; a day-long item has none."""

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("サミット"))
    day = models.DateField(_("日付"))
    start_time = models.TimeField(_("開始時刻"), null=True, blank=True)
    end_time = models.TimeField(_("終了時刻"), null=True, blank=True)
    kind = models.CharField(_("種別"), max_length=20, choices=SessionKind.choices)
    slot_label = models.CharField(
        _("時間帯の記号"), max_length=10, blank=True, help_text=_("分科会の時間帯: ①、② など")
    )
    title = models.CharField(_("題目"), max_length=200, blank=True)
    description = models.TextField(_("内容"), blank=True)
    speaker_name = models.CharField(_("講師名"), max_length=100, blank=True)
    speaker_affiliation = models.CharField(_("講師の所属"), max_length=200, blank=True)
    speaker_title = models.CharField(_("講師の役職"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["day", "order", "start_time", "pk"]
        verbose_name = _("プログラム")
        verbose_name_plural = _("プログラム")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_time__isnull=True)
                | models.Q(end_time__isnull=True)
                | models.Q(end_time__gt=models.F("start_time")),
                name="session_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        label = self.title or self.get_kind_display()
        return f"{label}{self.slot_label}"

    @property
    def display_title(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def is_timed(self) -> bool:
        return self.start_time is not None and self.end_time is not None


class BreakoutTrack(models.Model):
    """A 分科会 theme (第1分科会「二地域居住・関係人口」). A delegate joins one track."""

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="tracks", verbose_name=_("サミット"))
    number = models.PositiveSmallIntegerField(_("分科会番号"))
    theme = models.CharField(_("テーマ"), max_length=200)
    description = models.TextField(_("内容"), blank=True)
    coordinator_name = models.CharField(_("コーディネーター"), max_length=100, blank=True)
    coordinator_affiliation = models.CharField(_("コーディネーターの所属"), max_length=200, blank=True)
    coordinator_title = models.CharField(_("コーディネーターの役職"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True, help_text=_("空欄は定員なし"))
    presenting_municipalities = models.ManyToManyField(
        "municipalities.Municipality",
        through="TrackPresenter",
        related_name="summit_tracks",
        blank=True,
        verbose_name=_("発表する市町村"),
    )

    class Meta:
        ordering = ["summit", "number"]
        verbose_name = _("分科会")
        verbose_name_plural = _("分科会")
        constraints = [models.UniqueConstraint(fields=["summit", "number"], name="track_number_unique_per_summit")]

    def __str__(self) -> str:
        return f"第{self.number}分科会「{self.theme}」"

    def get_absolute_url(self) -> str:
        return reverse("summits:track_detail", kwargs={"slug": self.summit.slug, "number": self.number})


class TrackPresenter(models.Model):
    """A mayor presenting in a track, linked to the municipality they lead."""

    track = models.ForeignKey(BreakoutTrack, on_delete=models.CASCADE, related_name="presenters", verbose_name=_("分科会"))
    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name=_("市区町村")
    )
    presenter_name = models.CharField(_("発表者名"), max_length=100, blank=True)
    presenter_title = models.CharField(_("発表者の役職"), max_length=100, blank=True, help_text=_("例: 市長"))
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["track", "order", "pk"]
        verbose_name = _("発表する市町村長")
        verbose_name_plural = _("発表する市町村長")
        constraints = [
            models.UniqueConstraint(fields=["track", "municipality"], name="presenter_unique_per_track"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.presenter_title} {self.presenter_name}".strip()


class SiteVisitCourse(models.Model):
    """A 現地視察 course on the summit's second day. A delegate joins at most one course."""

    summit = models.ForeignKey(
        Summit, on_delete=models.CASCADE, related_name="site_visit_courses", verbose_name=_("サミット")
    )
    name = models.CharField(_("コース名"), max_length=200)
    day = models.DateField(_("日付"))
    start_time = models.TimeField(_("集合時刻"), null=True, blank=True)
    end_time = models.TimeField(_("解散時刻"), null=True, blank=True)
    meeting_point = models.CharField(_("集合場所"), max_length=200, blank=True)
    description = models.TextField(_("内容"), blank=True)
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True, help_text=_("空欄は定員なし"))
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["summit", "order", "pk"]
        verbose_name = _("現地視察コース")
        verbose_name_plural = _("現地視察コース")
        constraints = [models.UniqueConstraint(fields=["summit", "name"], name="course_name_unique_per_summit")]

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    """A municipality's delegation to one summit, managed through its token link."""

    # get_absolute_url is the delegation's own token link: the admin never redirects staff to it.
    absolute_url_acts_for_a_person = True

    summit = models.ForeignKey(Summit, on_delete=models.PROTECT, related_name="applications", verbose_name=_("サミット"))
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        related_name="summit_applications",
        verbose_name=_("市区町村"),
    )
    status = models.CharField(
        _("状態"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    token = models.CharField(_("トークン"), max_length=64, unique=True, editable=False)
    # The random key of the form page this application was sent from: the same page sent twice
    # (a double tap) finds this application instead of being refused (services.application_create).
    submission_key = models.CharField(_("送信キー"), max_length=64, blank=True, editable=False)
    contact_name = models.CharField(_("担当者名"), max_length=100)
    contact_department = models.CharField(_("担当部署"), max_length=200)
    contact_email = models.EmailField(_("担当者メールアドレス"))
    contact_phone = models.CharField(_("担当者電話番号"), max_length=30)
    consented_at = models.DateTimeField(_("利用目的への同意日時"))
    created_at = models.DateTimeField(_("申込日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    # Set when the contact's personal fields were blanked; the municipality and status stay
    # for the statistics.
    anonymized_at = models.DateTimeField(_("個人情報の削除日時"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("参加申込")
        verbose_name_plural = _("参加申込")
        constraints = [
            models.UniqueConstraint(
                fields=["summit", "municipality"],
                condition=models.Q(status=ApplicationStatus.SUBMITTED),
                name="one_live_application_per_municipality",
                violation_error_message=_("この市区町村はすでに申し込んでいます。"),
            ),
            models.CheckConstraint(
                condition=models.Q(anonymized_at__isnull=True)
                | models.Q(contact_name="", contact_department="", contact_email="", contact_phone=""),
                name="application_anonymized_has_no_personal_data",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.summit} / {self.municipality}"

    def get_absolute_url(self) -> str:
        return reverse("summits:application_detail", kwargs={"token": self.token})

    @property
    def is_live(self) -> bool:
        return self.status == ApplicationStatus.SUBMITTED

    @property
    def is_anonymized(self) -> bool:
        return self.anonymized_at is not None


class Delegate(models.Model):
    """One person in a delegation: the mayor (or deputy) or an accompanying staff member."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="delegates", verbose_name=_("参加申込")
    )
    role = models.CharField(_("区分"), max_length=20, choices=DelegateRole.choices)
    name = models.CharField(_("氏名"), max_length=100)
    name_kana = models.CharField(_("ふりがな"), max_length=100)
    title = models.CharField(_("役職"), max_length=100)
    email = models.EmailField(_("メールアドレス"), blank=True)
    track = models.ForeignKey(
        BreakoutTrack,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegates",
        verbose_name=_("参加する分科会"),
    )
    site_visit_course = models.ForeignKey(
        SiteVisitCourse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegates",
        verbose_name=_("現地視察コース"),
    )
    dietary_needs = models.CharField(_("食事の配慮"), max_length=200, blank=True)
    accessibility_needs = models.CharField(_("移動・設備の配慮"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    # Set when the personal fields were blanked; role, track and course stay for the counts.
    anonymized_at = models.DateTimeField(_("個人情報の削除日時"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["application", "order", "pk"]
        verbose_name = _("参加者")
        verbose_name_plural = _("参加者")

    def __str__(self) -> str:
        return f"{self.display_name}（{self.get_role_display()}）"

    @property
    def is_anonymized(self) -> bool:
        return self.anonymized_at is not None

    @property
    def display_name(self) -> str:
        return str(ANONYMIZED_LABEL) if self.is_anonymized else self.name
