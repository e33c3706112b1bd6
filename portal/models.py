from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .eras import format_fiscal_year_for_reader


class PolicyProgram(models.Model):
    """A program of the 地域振興室 shown on 施策について; staff keep it current in the admin."""

    slug = models.SlugField(_("識別名"), max_length=64, unique=True, help_text=_("URL内のアンカーに使う半角英数字"))
    title = models.CharField(_("事業名"), max_length=200)
    abbreviation_note = models.CharField(
        _("略称の説明"), max_length=200, blank=True, help_text=_("例：RMO：Region Management Organization")
    )
    definition = models.TextField(_("定義"), blank=True)
    summary = models.TextField(_("目的・概要"), blank=True)
    budget_request_fiscal_year = models.PositiveSmallIntegerField(
        _("概算要求の年度（西暦）"), null=True, blank=True, help_text=_("令和8年度なら 2026")
    )
    budget_request_million_yen = models.PositiveIntegerField(_("概算要求額（百万円）"), null=True, blank=True)
    initial_budget_fiscal_year = models.PositiveSmallIntegerField(
        _("当初予算の年度（西暦）"), null=True, blank=True, help_text=_("令和7年度なら 2025")
    )
    initial_budget_million_yen = models.PositiveIntegerField(_("当初予算額（百万円）"), null=True, blank=True)
    official_url = models.URLField(_("公式ページURL"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    is_published = models.BooleanField(_("公開"), default=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("施策")
        verbose_name_plural = _("施策")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_request_million_yen__isnull=True)
                | models.Q(budget_request_fiscal_year__isnull=False),
                name="policyprogram_budget_request_has_year",
            ),
            models.CheckConstraint(
                condition=models.Q(initial_budget_million_yen__isnull=True)
                | models.Q(initial_budget_fiscal_year__isnull=False),
                name="policyprogram_initial_budget_has_year",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{reverse('portal:about')}#{self.slug}"

    @property
    def budget_request_fiscal_year_label(self) -> str:
        return format_fiscal_year_for_reader(self.budget_request_fiscal_year) if self.budget_request_fiscal_year else ""

    @property
    def initial_budget_fiscal_year_label(self) -> str:
        return format_fiscal_year_for_reader(self.initial_budget_fiscal_year) if self.initial_budget_fiscal_year else ""


class PolicyProgramPoint(models.Model):
    """One bullet point of a program; points that share a heading are shown under it."""

    program = models.ForeignKey(PolicyProgram, on_delete=models.CASCADE, related_name="points", verbose_name=_("施策"))
    heading = models.CharField(
        _("見出し"), max_length=200, blank=True, help_text=_("空欄なら事業の概要として表示します")
    )
    text = models.TextField(_("本文"))
    note = models.TextField(_("注記"), blank=True, help_text=_("「※」で始まる補足など"))
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("施策の要点")
        verbose_name_plural = _("施策の要点")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class PersonalDataAccessLog(models.Model):
    """Who took registrants' personal data out of the portal, or erased it, and when.

    Written only by portal.privacy (one row per export, print page or erasure); never edited.
    Holds no registrant's personal data itself: the target is an event, the size a count.
    """

    class Action(models.TextChoices):
        EXPORT = "export", _("ファイル出力")
        PRINT = "print", _("印刷用ページ")
        ERASURE = "erasure", _("本人からの削除依頼")
        RETENTION = "retention", _("保存期間経過による削除")

    accessed_at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)
    # The username is copied so the record still names the person after the account is deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("職員"),
    )
    username = models.CharField(_("ユーザー名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    data = models.CharField(_("対象データ"), max_length=100, help_text=_("例: seminars.registration"))
    file_format = models.CharField(_("形式"), max_length=10, blank=True)
    target = models.CharField(_("対象（イベントなど）"), max_length=300, blank=True)
    filters = models.CharField(_("絞り込み条件"), max_length=500, blank=True)
    row_count = models.PositiveIntegerField(_("件数"))
    client_address = models.GenericIPAddressField(_("接続元アドレス"), null=True, blank=True)

    class Meta:
        ordering = ["-accessed_at", "-pk"]
        verbose_name = _("個人情報の取扱い記録")
        verbose_name_plural = _("個人情報の取扱い記録")
        indexes = [models.Index(fields=["data", "accessed_at"], name="personaldatalog_data_time")]

    def __str__(self) -> str:
        return f"{self.accessed_at:%Y-%m-%d %H:%M} {self.username or '-'} {self.data} {self.action}"


class PrivacyRequestDesk(models.Model):
    """The office that takes 開示・訂正・利用停止 requests (個人情報保護法 Art. 76 and after), as the
    public pages name it; ministry staff keep it current in the admin. One row: the pages read
    the first, and the admin offers "add" only while there is none. Empty fields are not shown."""

    office_name = models.CharField(_("窓口の名称"), max_length=200)
    postal_address = models.CharField(_("所在地"), max_length=300, blank=True)
    phone = models.CharField(_("電話番号"), max_length=50, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    hours = models.CharField(_("受付時間"), max_length=200, blank=True, help_text=_("例：平日 9:30～18:15"))
    guidance = models.TextField(
        _("請求の方法"),
        blank=True,
        help_text=_("請求書の様式、本人確認の書類、手数料の納め方など。改行はそのまま表示されます。"),
    )
    official_url = models.URLField(_("総務省の案内ページURL"), blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("開示請求等の窓口")
        verbose_name_plural = _("開示請求等の窓口")

    def __str__(self) -> str:
        return self.office_name
