from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaType(models.TextChoices):
    """活動範囲: the area an organization covers (survey categories)."""

    ELEMENTARY_SCHOOL = "elementary_school", _("小学校区")
    FORMER_ELEMENTARY_SCHOOL = "former_elementary_school", _("旧小学校区")
    SETTLEMENT = "settlement", _("集落")
    COMMUNITY_CENTER = "community_center", _("公民館区")
    JUNIOR_HIGH_SCHOOL = "junior_high_school", _("中学校区")
    WHOLE_MUNICIPALITY = "whole_municipality", _("市町村全域")
    OTHER = "other", _("その他")


class LegalForm(models.TextChoices):
    """組織形態 / 法人格."""

    VOLUNTARY = "voluntary", _("任意団体（法人格なし）")
    NPO = "npo", _("NPO法人")
    AUTHORIZED_NEIGHBORHOOD = "authorized_neighborhood", _("認可地縁団体")
    GENERAL_INCORPORATED = "general_incorporated", _("一般社団法人")
    STOCK_COMPANY = "stock_company", _("株式会社")
    LIMITED_LIABILITY_COMPANY = "llc", _("合同会社")
    COOPERATIVE = "cooperative", _("協同組合")
    OTHER = "other", _("その他")


class OrganizationType(models.TextChoices):
    """類型: whether consultation and execution sit in one body or are split."""

    INTEGRATED = "integrated", _("一体型")
    SEPARATED = "separated", _("分離型")


class OrganizationSort(models.TextChoices):
    MUNICIPALITY = "municipality", _("市区町村コード順")
    KANA = "kana", _("よみ順")
    FOUNDED = "founded", _("設立年の新しい順")
    UPDATED = "updated", _("更新日の新しい順")


class RevisionStatus(models.TextChoices):
    """A listing edit by a municipality: 下書き → 審査待ち → 公開済み, or 差し戻し."""

    DRAFT = "draft", _("下書き")
    SUBMITTED = "submitted", _("審査待ち")
    PUBLISHED = "published", _("公開済み")
    RETURNED = "returned", _("差し戻し")


OPEN_REVISION_STATUSES = (RevisionStatus.DRAFT, RevisionStatus.SUBMITTED)
