import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.capacity import seats_left
from portal.deadlines import combine_jst, end_of_day_jst
from portal.tokens import new_token

from .enums import AttendanceMode, AttendeeCategory, ProgramItemKind, RegistrationSource, RegistrationStatus

# Path segments the public URLconf uses beside /seminars/<slug>/: a seminar may not take them.
RESERVED_SLUGS = frozenset({"r", "checkin", "resend"})

# 128 bits in URL-safe base64 is 22 characters; portal.tokens.new_token() gives 43 (256 bits).
TOKEN_MIN_LENGTH = 22

# Shown in staff lists in place of a name that was deleted.
ANONYMIZED_LABEL = _("（個人情報削除済み）")


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("このスラッグは予約されています。別の値を指定してください。"))


def normalize_email(email: str) -> str:
    """Addresses compare case-insensitively for the one-registration-per-person rule."""
    return email.strip().lower()


class Seminar(models.Model):
    """One 全国セミナー: a venue and an online stream at the same time (hybrid)."""

    title = models.CharField(_("名称"), max_length=200)
    series = models.CharField(_("シリーズ"), max_length=100, default="地域運営組織（RMO）全国セミナー")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), help_text=_("西暦の年度（例：2025 = 令和7年度）"))
    slug = models.SlugField(_("URL用の名前"), max_length=80, unique=True, validators=[validate_slug_not_reserved])
    prefecture = models.ForeignKey(
        "municipalities.Prefecture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seminars",
        verbose_name=_("開催都道府県"),
    )
    organizer = models.CharField(_("主催"), max_length=100, default="総務省")
    # Date and times stay empty for a draft whose date is not decided: no invented facts.
    date = models.DateField(_("開催日"), null=True, blank=True)
    start_time = models.TimeField(_("開始時刻"), null=True, blank=True)
    end_time = models.TimeField(_("終了時刻"), null=True, blank=True)
    venue_name = models.CharField(_("会場名"), max_length=200, blank=True)
    venue_address = models.CharField(_("会場住所"), max_length=300, blank=True)
    access_notes = models.TextField(_("アクセス・注意事項"), blank=True)
    has_venue = models.BooleanField(_("会場参加あり"), default=True)
    has_online = models.BooleanField(_("オンライン参加あり"), default=True)
    venue_capacity = models.PositiveIntegerField(
        _("会場定員"), null=True, blank=True, help_text=_("空欄は定員を公表していないこと（上限なし）を表します。")
    )
    online_capacity = models.PositiveIntegerField(
        _("オンライン定員"), null=True, blank=True, help_text=_("空欄は上限なし。")
    )
    registration_opens_at = models.DateTimeField(
        _("受付開始日時"), null=True, blank=True, help_text=_("空欄は公開と同時に受付開始。")
    )
    deadline = models.DateField(
        _("受付締切日"), null=True, blank=True, help_text=_("この日の23:59（日本時間）まで受け付けます。")
    )
    closed_by_staff = models.BooleanField(_("受付を手動で締め切る"), default=False)
    online_url = models.URLField(
        _("オンライン参加URL"),
        max_length=500,
        blank=True,
        help_text=_("入力・変更すると、オンライン参加が確定している全員にメールで送ります。"),
    )
    highlights = models.TextField(_("このセミナーでは"), blank=True, help_text=_("1行に1項目。"))
    target_audience = models.TextField(_("対象"), blank=True, help_text=_("1行に1項目。"))
    fee_note = models.CharField(_("参加費"), max_length=200, blank=True)
    contact = models.TextField(_("お問い合わせ先"), blank=True)
    is_published = models.BooleanField(_("公開"), default=False)
    is_demo = models.BooleanField(
        _("デモ"), default=False, help_text=_("デモ用のセミナー。すべての画面とメールに「デモ」と表示します。")
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        ordering = [models.F("date").asc(nulls_last=True), "start_time", "id"]
        verbose_name = _("セミナー")
        verbose_name_plural = _("セミナー")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_published=False)
                | Q(date__isnull=False, start_time__isnull=False, end_time__isnull=False, deadline__isnull=False),
                name="seminar_published_has_date_times_deadline",
            ),
            models.CheckConstraint(
                condition=Q(start_time__isnull=True) | Q(end_time__isnull=True) | Q(end_time__gt=models.F("start_time")),
                name="seminar_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(date__isnull=True) | Q(deadline__lte=models.F("date")),
                name="seminar_deadline_not_after_date",
            ),
            models.CheckConstraint(condition=Q(has_venue=True) | Q(has_online=True), name="seminar_has_a_mode"),
        ]

    def __str__(self) -> str:
        prefix = str(_("【デモ】"))
        return f"{prefix}{self.title}" if self.is_demo and not self.title.startswith(prefix) else self.title

    def get_absolute_url(self) -> str:
        return reverse("seminars:seminar_detail", kwargs={"slug": self.slug})

    @property
    def starts_at(self) -> dt.datetime | None:
        if self.date is None or self.start_time is None:
            return None
        return combine_jst(self.date, self.start_time)

    @property
    def ends_at(self) -> dt.datetime | None:
        if self.date is None or self.end_time is None:
            return None
        return combine_jst(self.date, self.end_time)

    @property
    def registration_closes_at(self) -> dt.datetime | None:
        """End of the deadline day in Japan, or the start of the seminar if that is earlier."""
        candidates = [moment for moment in (self.deadline and end_of_day_jst(self.deadline), self.starts_at) if moment]
        return min(candidates) if candidates else None

    def is_registration_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        closes_at = self.registration_closes_at
        return (
            self.is_published
            and not self.closed_by_staff
            and closes_at is not None
            and now < closes_at
            and (self.registration_opens_at is None or self.registration_opens_at <= now)
        )

    def is_past(self, now: dt.datetime | None = None) -> bool:
        return self.ends_at is not None and (now or timezone.now()) >= self.ends_at

    def offers(self, mode: str) -> bool:
        return {AttendanceMode.VENUE: self.has_venue, AttendanceMode.ONLINE: self.has_online}.get(mode, False)

    def capacity_for(self, mode: str) -> int | None:
        return self.venue_capacity if mode == AttendanceMode.VENUE else self.online_capacity

    @property
    def modes(self) -> list[str]:
        return [mode for mode in AttendanceMode.values if self.offers(mode)]

    # The two properties below need the venue_taken / online_taken annotations of
    # selectors.with_counts (one query for a whole list).
    @property
    def venue_seats_left(self) -> int | None:
        return seats_left(capacity=self.venue_capacity, taken=self.venue_taken)

    @property
    def online_seats_left(self) -> int | None:
        return seats_left(capacity=self.online_capacity, taken=self.online_taken)

    @property
    def full_modes(self) -> frozenset[str]:
        """The offered modes with no seat left (an unlimited one never is). Needs with_counts."""
        left = {AttendanceMode.VENUE: self.venue_seats_left, AttendanceMode.ONLINE: self.online_seats_left}
        return frozenset(mode for mode in self.modes if left[mode] == 0)

    @property
    def venue_is_full(self) -> bool:
        return AttendanceMode.VENUE in self.full_modes

    @property
    def online_is_full(self) -> bool:
        return AttendanceMode.ONLINE in self.full_modes

    @property
    def is_full(self) -> bool:
        """Every offered mode is full: only the waiting list is left."""
        return self.full_modes == frozenset(self.modes)

    @property
    def limited_modes(self) -> list[str]:
        """The offered modes with a capacity: the only ones that can fill up."""
        return [mode for mode in self.modes if self.capacity_for(mode) is not None]

    @property
    def highlight_lines(self) -> list[str]:
        return [line.strip() for line in self.highlights.splitlines() if line.strip()]

    @property
    def target_audience_lines(self) -> list[str]:
        return [line.strip() for line in self.target_audience.splitlines() if line.strip()]


class ProgramItem(models.Model):
    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="program_items", verbose_name=_("セミナー"))
    order = models.PositiveSmallIntegerField(_("順番"))
    kind = models.CharField(_("種類"), max_length=20, choices=ProgramItemKind.choices)
    title = models.CharField(_("見出し"), max_length=200, help_text=_("例：コーディネーターの基調講演"))
    start_time = models.TimeField(_("開始時刻"), null=True, blank=True)
    speaker_name = models.CharField(_("登壇者氏名"), max_length=100, blank=True)
    speaker_reading = models.CharField(_("登壇者よみ"), max_length=200, blank=True)
    speaker_affiliation = models.CharField(_("登壇者所属"), max_length=300, blank=True)
    presenter_text = models.TextField(
        _("発表者（自由記述）"), blank=True, help_text=_("1行に1団体。ディレクトリにない発表者や部署名など。")
    )
    organizations = models.ManyToManyField(
        "organizations.Organization",
        blank=True,
        related_name="seminar_program_items",
        verbose_name=_("発表団体（ディレクトリ）"),
    )
    venue_only = models.BooleanField(_("会場参加者のみ"), default=False)

    class Meta:
        ordering = ["seminar", "order"]
        verbose_name = _("プログラム")
        verbose_name_plural = _("プログラム")
        constraints = [
            models.UniqueConstraint(fields=["seminar", "order"], name="program_item_order_unique_per_seminar"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def presenter_lines(self) -> list[str]:
        return [line.strip() for line in self.presenter_text.splitlines() if line.strip()]

    def presenters(self) -> list[tuple[str, object]]:
        """Presenters in the order the flyer lists them, each with its directory entry if linked.

        The free text keeps the printed order; a linked organization whose name is one of
        the lines becomes that line's link, and one not written anywhere is added at the end.
        Uses the prefetched ``organizations`` (no extra query in lists).
        """
        linked = {organization.name: organization for organization in self.organizations.all()}
        rows = [(line, linked.pop(line, None)) for line in self.presenter_lines]
        rows += [(name, org) for name, org in linked.items() if name not in self.speaker_affiliation]
        return rows

    def affiliation_organization(self):
        """The linked organization the speaker belongs to, if the affiliation starts with its name."""
        for organization in self.organizations.all():
            if self.speaker_affiliation.startswith(organization.name):
                return organization
        return None


class Registration(models.Model):
    """One person's registration. Written only by seminars.services (capacity rule)."""

    # get_absolute_url is the person's own token link: the admin never redirects staff to it.
    absolute_url_acts_for_a_person = True

    seminar = models.ForeignKey(Seminar, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("セミナー"))
    # The 受付番号 people quote at the door and on the phone: 1, 2, 3 … per seminar, given under
    # the seminar's lock by services.registration_create; never reused (cancelled rows keep theirs).
    number = models.PositiveIntegerField(_("受付番号"), editable=False)
    mode = models.CharField(_("参加方法"), max_length=10, choices=AttendanceMode.choices)
    status = models.CharField(_("状態"), max_length=12, choices=RegistrationStatus.choices)
    name = models.CharField(_("氏名"), max_length=100)
    kana = models.CharField(_("ふりがな"), max_length=100)
    email = models.EmailField(_("メールアドレス"), max_length=254)
    email_normalized = models.CharField(_("メールアドレス（正規化）"), max_length=254, editable=False)
    affiliation = models.CharField(_("所属"), max_length=200, blank=True)
    category = models.CharField(_("区分"), max_length=20, choices=AttendeeCategory.choices)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seminar_registrations",
        verbose_name=_("市区町村"),
    )
    joins_exchange = models.BooleanField(_("意見交換会に参加"), default=False)
    accessibility_needs = models.TextField(_("配慮が必要な事項"), blank=True)
    consent_at = models.DateTimeField(_("個人情報の取扱いへの同意日時"))
    source = models.CharField(_("申込経路"), max_length=10, choices=RegistrationSource.choices, default=RegistrationSource.WEB)
    # The person's own link (see, switch, cancel): in their mail and on their page, nowhere else.
    token = models.CharField(_("トークン"), max_length=64, unique=True, editable=False)
    # Printed in the 受付票 QR, which people show at the door and may leave lying around: it only
    # opens the staff check-in page, which needs a staff login, never the person's own page.
    checkin_token = models.CharField(_("受付票トークン"), max_length=64, unique=True, editable=False, default=new_token)
    created_at = models.DateTimeField(_("申込日時"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("確定日時"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("キャンセル日時"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("受付日時"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("リマインダー送信予約日時"), null=True, blank=True)
    # Set when the personal fields were blanked (retention period over, or the person asked);
    # the row stays so that counts per mode, status, category and municipality do not change.
    anonymized_at = models.DateTimeField(_("個人情報の削除日時"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["seminar", "created_at", "id"]
        verbose_name = _("参加申込")
        verbose_name_plural = _("参加申込")
        constraints = [
            models.UniqueConstraint(fields=["seminar", "number"], name="registration_number_unique_per_seminar"),
            models.UniqueConstraint(
                fields=["seminar", "email_normalized"],
                condition=~Q(status=RegistrationStatus.CANCELLED) & Q(anonymized_at__isnull=True),
                name="registration_one_live_per_email",
            ),
            models.CheckConstraint(
                condition=Q(anonymized_at__isnull=True)
                | Q(name="", kana="", email="", email_normalized="", affiliation="", accessibility_needs=""),
                name="registration_anonymized_has_no_personal_data",
            ),
            models.CheckConstraint(
                condition=Q(joins_exchange=False) | Q(mode=AttendanceMode.VENUE), name="registration_exchange_only_venue"
            ),
            models.CheckConstraint(condition=Q(mode__in=AttendanceMode.values), name="registration_mode_valid"),
            models.CheckConstraint(condition=Q(status__in=RegistrationStatus.values), name="registration_status_valid"),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(status=RegistrationStatus.CONFIRMED),
                name="registration_checked_in_only_confirmed",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | Q(status=RegistrationStatus.CANCELLED),
                name="registration_cancelled_at_only_cancelled",
            ),
            models.CheckConstraint(
                condition=Q(token__regex=rf"^[A-Za-z0-9_-]{{{TOKEN_MIN_LENGTH},}}$"), name="registration_token_128_bits"
            ),
            models.CheckConstraint(
                condition=Q(checkin_token__regex=rf"^[A-Za-z0-9_-]{{{TOKEN_MIN_LENGTH},}}$")
                & ~Q(checkin_token=models.F("token")),
                name="registration_checkin_token_128_bits_and_own",
            ),
        ]
        indexes = [models.Index(fields=["seminar", "mode", "status"], name="registration_seat_count")]

    def __str__(self) -> str:
        return f"{self.display_name}（{self.seminar.title}）"

    def get_absolute_url(self) -> str:
        return reverse("seminars:registration_detail", kwargs={"token": self.token})

    @property
    def is_live(self) -> bool:
        return self.status != RegistrationStatus.CANCELLED

    @property
    def is_anonymized(self) -> bool:
        return self.anonymized_at is not None

    @property
    def display_name(self) -> str:
        return str(ANONYMIZED_LABEL) if self.is_anonymized else self.name


class SeminarMessage(models.Model):
    """A message staff sent to all live registrants of one mode (e.g. a venue change)."""

    seminar = models.ForeignKey(Seminar, on_delete=models.PROTECT, related_name="messages", verbose_name=_("セミナー"))
    mode = models.CharField(_("宛先の参加方法"), max_length=10, choices=AttendanceMode.choices)
    include_waitlisted = models.BooleanField(_("キャンセル待ちの方にも送る"), default=False)
    subject = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("本文"))
    sent_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("送信者")
    )
    created_at = models.DateTimeField(_("送信日時"), auto_now_add=True)
    recipient_count = models.PositiveIntegerField(_("宛先数"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("参加者へのお知らせ")
        verbose_name_plural = _("参加者へのお知らせ")

    def __str__(self) -> str:
        return self.subject


class MessageDelivery(models.Model):
    """One recipient of a SeminarMessage: the object a queued mail task refers to."""

    message = models.ForeignKey(SeminarMessage, on_delete=models.CASCADE, related_name="deliveries")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="message_deliveries")

    class Meta:
        verbose_name = _("お知らせの宛先")
        verbose_name_plural = _("お知らせの宛先")
        constraints = [
            models.UniqueConstraint(fields=["message", "registration"], name="message_delivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.registration_id}"


class RegistrationChange(models.Model):
    """A registrant's change of 参加方法 or 意見交換会: what the change mail tells them.

    Written by services.registration_change_mode; the queued mail refers to it, because the
    registration alone no longer knows what it was before.
    """

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="changes", verbose_name=_("参加申込")
    )
    old_mode = models.CharField(_("変更前の参加方法"), max_length=10, choices=AttendanceMode.choices)
    new_mode = models.CharField(_("変更後の参加方法"), max_length=10, choices=AttendanceMode.choices)
    old_joins_exchange = models.BooleanField(_("変更前の意見交換会"))
    new_joins_exchange = models.BooleanField(_("変更後の意見交換会"))
    old_status = models.CharField(_("変更前の状態"), max_length=12, choices=RegistrationStatus.choices)
    created_at = models.DateTimeField(_("変更日時"), default=timezone.now)

    class Meta:
        ordering = ["registration", "created_at", "id"]
        verbose_name = _("参加方法の変更")
        verbose_name_plural = _("参加方法の変更")

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.old_mode} → {self.new_mode}"

    @property
    def mode_changed(self) -> bool:
        return self.old_mode != self.new_mode

    @property
    def exchange_changed(self) -> bool:
        return self.old_joins_exchange != self.new_joins_exchange
