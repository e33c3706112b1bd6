from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .enums import OPEN_REVISION_STATUSES, AreaType, LegalForm, OrganizationType, RevisionStatus

year_validators = [MinValueValidator(1900), MaxValueValidator(2100)]


class Category(models.Model):
    """A choice list kept as data, so staff can extend it without a deploy."""

    slug = models.SlugField(_("識別子"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=100)

    class Meta:
        abstract = True
        ordering = ["sort_order", "slug"]

    def __str__(self) -> str:
        return self.name


class ActivityCategory(Category):
    """活動内容 (高齢者交流サービス, 買い物支援 …)."""

    class Meta(Category.Meta):
        verbose_name = _("活動内容")
        verbose_name_plural = _("活動内容")


class FundingCategory(Category):
    """主な財源 (市町村からの補助金, 会費 …)."""

    class Meta(Category.Meta):
        verbose_name = _("財源")
        verbose_name_plural = _("財源")


class MemberType(Category):
    """構成団体 (自治会・町内会 …)."""

    class Meta(Category.Meta):
        verbose_name = _("構成団体")
        verbose_name_plural = _("構成団体")


# Kept at module level so that organizations.services can write exactly one history row per
# change, after the categories are set (see services._history_record): simple-history's own
# m2m_changed rows would split one approval into several rows.
ORGANIZATION_HISTORY = HistoricalRecords(
    m2m_fields=["member_types", "activities", "funding_sources"],
    excluded_fields=["search_text", "created_at", "updated_at"],
    history_change_reason_field=models.TextField(null=True),
    verbose_name=_("地域運営組織の変更履歴"),
    verbose_name_plural=_("地域運営組織の変更履歴"),
)


class Organization(models.Model):
    """A 地域運営組織 (Region Management Organization) in the registry.

    ``search_text`` is derived (see ``organizations.search``) and written only by the
    services in ``organizations.services``; (municipality, name) is the natural key that
    the annual import matches on.
    """

    name = models.CharField(_("名称"), max_length=200)
    name_kana = models.CharField(_("よみ"), max_length=400, blank=True, help_text=_("ひらがなで入力してください。"))
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("市区町村"),
    )
    area_type = models.CharField(_("活動範囲"), max_length=30, choices=AreaType.choices, blank=True)
    legal_form = models.CharField(_("組織形態"), max_length=30, choices=LegalForm.choices, blank=True)
    organization_type = models.CharField(_("類型"), max_length=20, choices=OrganizationType.choices, blank=True)
    founded_year = models.PositiveSmallIntegerField(_("設立年"), null=True, blank=True, validators=year_validators)
    member_types = models.ManyToManyField(
        MemberType, blank=True, related_name="organizations", verbose_name=_("構成団体")
    )
    has_base = models.BooleanField(_("活動拠点あり"), null=True, blank=True)
    base_is_public_facility = models.BooleanField(_("拠点は公共施設"), null=True, blank=True)
    activities = models.ManyToManyField(
        ActivityCategory, blank=True, related_name="organizations", verbose_name=_("活動内容")
    )
    funding_sources = models.ManyToManyField(
        FundingCategory, blank=True, related_name="organizations", verbose_name=_("主な財源")
    )
    contact = models.CharField(_("公開連絡先"), max_length=200, blank=True)
    website = models.URLField(_("ウェブサイト"), blank=True)
    description = models.TextField(_("概要"), blank=True)
    survey_year = models.PositiveSmallIntegerField(
        _("調査年度"), null=True, blank=True, validators=year_validators, help_text=_("西暦の年度（例：2024）。")
    )
    source = models.CharField(_("出典"), max_length=300, blank=True)
    is_published = models.BooleanField(_("公開"), default=False)
    is_demo = models.BooleanField(_("デモデータ"), default=False)
    search_text = models.TextField(_("検索用テキスト"), blank=True, editable=False)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    history = ORGANIZATION_HISTORY

    class Meta:
        ordering = ["municipality_id", "name_kana", "id"]
        verbose_name = _("地域運営組織")
        verbose_name_plural = _("地域運営組織")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="organization_unique_name_per_municipality"),
            models.CheckConstraint(
                condition=models.Q(base_is_public_facility__isnull=True) | models.Q(has_base=True),
                name="organization_public_base_needs_base",
            ),
        ]
        indexes = [
            # The directory's default order, so the unfiltered first page is an index scan.
            models.Index(
                fields=["municipality", "name_kana", "id"], name="org_list_order", condition=models.Q(is_published=True)
            ),
        ]
        # The pg_trgm GIN index on search_text is created by migration 0001 on PostgreSQL only
        # (the embedded SQLite mode searches the same column without it).

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:organization_detail", kwargs={"pk": self.pk})

    # The labels of the choices, for the pages. Django's get_FOO_display() builds a dictionary
    # of every choice on each call, translating each label to hash it: on a 20-row result
    # page that was a quarter of the rendering time. An enum lookup is one translation.
    @property
    def area_type_label(self) -> str:
        return _choice_label(AreaType, self.area_type)

    @property
    def legal_form_label(self) -> str:
        return _choice_label(LegalForm, self.legal_form)

    @property
    def organization_type_label(self) -> str:
        return _choice_label(OrganizationType, self.organization_type)


def _choice_label(choices: type[models.TextChoices], value: str) -> str:
    """The label of ``value`` in the active language; a value that is not a choice is shown as is."""
    try:
        return str(choices(value).label) if value else ""
    except ValueError:
        return value


class ListingRevision(models.Model):
    """A municipality's proposed listing: a new RMO (``organization`` empty) or an edit of one.

    The proposal is a full copy of the editable fields, so the published Organization is not
    touched until a reviewer approves (services.listing_approve writes it through
    organization_update/organization_create). The categories are real many-to-many fields to
    the same category tables: a deleted category cannot leave a dangling id behind.
    Rows are kept after review: the published and returned ones are the review record.
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("地域運営組織"),
        help_text=_("新規登録の申請では空欄（承認時に作成されます）。"),
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.PROTECT, related_name="listing_revisions", verbose_name=_("市区町村")
    )
    status = models.CharField(_("状態"), max_length=20, choices=RevisionStatus.choices, default=RevisionStatus.DRAFT)

    # The proposed values: the fields of Organization that a municipality maintains.
    name = models.CharField(_("名称"), max_length=200)
    name_kana = models.CharField(_("よみ"), max_length=400, blank=True, help_text=_("ひらがなで入力してください。"))
    area_type = models.CharField(_("活動範囲"), max_length=30, choices=AreaType.choices, blank=True)
    legal_form = models.CharField(_("組織形態"), max_length=30, choices=LegalForm.choices, blank=True)
    organization_type = models.CharField(_("類型"), max_length=20, choices=OrganizationType.choices, blank=True)
    founded_year = models.PositiveSmallIntegerField(_("設立年"), null=True, blank=True, validators=year_validators)
    member_types = models.ManyToManyField(MemberType, blank=True, related_name="+", verbose_name=_("構成団体"))
    has_base = models.BooleanField(_("活動拠点あり"), null=True, blank=True)
    base_is_public_facility = models.BooleanField(_("拠点は公共施設"), null=True, blank=True)
    activities = models.ManyToManyField(ActivityCategory, blank=True, related_name="+", verbose_name=_("活動内容"))
    funding_sources = models.ManyToManyField(FundingCategory, blank=True, related_name="+", verbose_name=_("主な財源"))
    contact = models.CharField(_("公開連絡先"), max_length=200, blank=True)
    website = models.URLField(_("ウェブサイト"), blank=True)
    description = models.TextField(_("概要"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("作成者")
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("申請者")
    )
    submitted_at = models.DateTimeField(_("申請日時"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("審査者")
    )
    reviewed_at = models.DateTimeField(_("審査日時"), null=True, blank=True)
    review_comment = models.TextField(_("審査コメント"), blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_revisions",
        verbose_name=_("修正元の申請"),
        help_text=_("差し戻された申請を修正して作った下書きでは、その申請。"),
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("掲載内容の申請")
        verbose_name_plural = _("掲載内容の申請")
        constraints = [
            # At most one draft or submitted revision per organization: two open proposals
            # would overwrite each other on approval.
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(status__in=OPEN_REVISION_STATUSES),
                name="listing_revision_one_open_per_organization",
            ),
            models.CheckConstraint(
                condition=models.Q(base_is_public_facility__isnull=True) | models.Q(has_base=True),
                name="listing_revision_public_base_needs_base",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="listing_revision_queue")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("manage:revision_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REVISION_STATUSES

    @property
    def is_new_organization(self) -> bool:
        return self.organization_id is None


class CaseStudy(models.Model):
    """事例: a longer story of what one organization did, featured on the home page."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="case_study", verbose_name=_("地域運営組織")
    )
    title = models.CharField(_("見出し"), max_length=200)
    body = models.TextField(_("本文"), help_text=_("段落ごとに改行してください。"))
    source = models.CharField(_("出典"), max_length=300, blank=True)
    is_featured = models.BooleanField(_("トップページに掲載"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=100)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("事例")
        verbose_name_plural = _("事例")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.organization.get_absolute_url()

    @property
    def paragraphs(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]


class SurveyTotal(models.Model):
    """Official survey totals for one fiscal year; empty figures mean "not verified"."""

    fiscal_year = models.PositiveSmallIntegerField(_("年度"), unique=True, validators=year_validators)
    era_label = models.CharField(_("和暦"), max_length=20, blank=True)
    organizations = models.PositiveIntegerField(_("組織数"), null=True, blank=True)
    municipalities_with_rmo = models.PositiveIntegerField(_("形成市区町村数"), null=True, blank=True)
    municipalities_surveyed = models.PositiveIntegerField(_("回答市区町村数"), null=True, blank=True)
    source = models.TextField(_("出典"), blank=True)

    class Meta:
        ordering = ["fiscal_year"]
        verbose_name = _("調査集計")
        verbose_name_plural = _("調査集計")

    def __str__(self) -> str:
        return self.era_label or str(self.fiscal_year)
