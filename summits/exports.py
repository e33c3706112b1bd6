"""Delegate lists for the secretariat (CSV / Excel), with django-import-export."""

from django.utils.translation import gettext_lazy as _
from import_export import fields

from portal.spreadsheets import SpreadsheetResource

from .models import Delegate


class DelegateResource(SpreadsheetResource):
    sheet_title = _("参加者")
    export_select_related = (
        "application__summit", "application__municipality__prefecture", "application__municipality__parent",
        "track", "site_visit_course",
    )  # fmt: skip

    summit = fields.Field(attribute="application__summit__title", column_name=_("サミット"))
    prefecture = fields.Field(attribute="application__municipality__prefecture__name", column_name=_("都道府県"))
    municipality_code = fields.Field(attribute="application__municipality__code", column_name=_("団体コード"))
    municipality = fields.Field(attribute="application__municipality__full_name", column_name=_("市区町村"))
    role = fields.Field(attribute="get_role_display", column_name=_("区分"))
    name = fields.Field(attribute="name", column_name=_("氏名"))
    name_kana = fields.Field(attribute="name_kana", column_name=_("ふりがな"))
    title = fields.Field(attribute="title", column_name=_("役職"))
    email = fields.Field(attribute="email", column_name=_("メールアドレス"))
    track = fields.Field(attribute="track", column_name=_("分科会"))
    site_visit_course = fields.Field(attribute="site_visit_course", column_name=_("現地視察コース"))
    dietary_needs = fields.Field(attribute="dietary_needs", column_name=_("食事の配慮"))
    accessibility_needs = fields.Field(attribute="accessibility_needs", column_name=_("移動・設備の配慮"))
    contact_name = fields.Field(attribute="application__contact_name", column_name=_("担当者名"))
    contact_email = fields.Field(attribute="application__contact_email", column_name=_("担当者メールアドレス"))
    contact_phone = fields.Field(attribute="application__contact_phone", column_name=_("担当者電話番号"))

    class Meta:
        model = Delegate
        fields = (
            "summit",
            "prefecture",
            "municipality_code",
            "municipality",
            "role",
            "name",
            "name_kana",
            "title",
            "email",
            "track",
            "site_visit_course",
            "dietary_needs",
            "accessibility_needs",
            "contact_name",
            "contact_email",
            "contact_phone",
        )

    def dehydrate_track(self, delegate: Delegate) -> str:
        return str(delegate.track) if delegate.track else ""

    def dehydrate_site_visit_course(self, delegate: Delegate) -> str:
        return str(delegate.site_visit_course) if delegate.site_visit_course else ""


def delegates_filename_stem(summit_slug: str) -> str:
    """One summit's delegate file, from the admin or the secretariat's page: the same name."""
    return f"summit-{summit_slug}-delegates"
