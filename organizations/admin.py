from django.contrib import admin, messages
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin

from portal.spreadsheets import SpreadsheetAdminMixin

from . import services
from .models import ActivityCategory, CaseStudy, FundingCategory, ListingRevision, MemberType, Organization, SurveyTotal
from .resources import OrganizationResource


class RegistryChangedMixin:
    """Admin writes that change search results invalidate the cached facet counts."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        transaction.on_commit(services.registry_changed)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(services.registry_changed)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(services.registry_changed)


@admin.register(ActivityCategory, FundingCategory, MemberType)
class CategoryAdmin(RegistryChangedMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name", "slug"]


class CaseStudyInline(admin.StackedInline):
    model = CaseStudy
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(RegistryChangedMixin, SpreadsheetAdminMixin, ImportExportMixin, admin.ModelAdmin):
    resource_classes = [OrganizationResource]
    # The file the survey import reads back: the same columns, so staff can edit and re-import it.
    export_filename_stem = "rmo-organizations"
    list_display = ["name", "municipality", "legal_form", "area_type", "is_published", "is_demo", "updated_at"]
    list_filter = ["is_published", "is_demo", "legal_form", "area_type", "organization_type", "activities"]
    list_select_related = ["municipality"]
    search_fields = ["search_text", "municipality__code"]
    raw_id_fields = ["municipality"]
    filter_horizontal = ["activities", "funding_sources", "member_types"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [CaseStudyInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["publish", "withdraw"]
    fieldsets = [
        (None, {"fields": ["name", "name_kana", "municipality", "is_published", "is_demo"]}),
        (
            _("調査項目"),
            {
                "fields": [
                    "area_type", "legal_form", "organization_type", "founded_year", "member_types",
                    "has_base", "base_is_public_facility", "activities", "funding_sources",
                ]  # fmt: skip
            },
        ),
        (_("公開情報"), {"fields": ["contact", "website", "description"]}),
        (_("出典"), {"fields": ["survey_year", "source", "created_at", "updated_at"]}),
    ]

    def has_import_permission(self, request):
        # An import adds and changes listings (and publishes or withdraws them): it needs both
        # model permissions, which only ministry staff hold (portal/roles.py).
        return request.user.has_perms(["organizations.add_organization", "organizations.change_organization"])

    def get_search_results(self, request, queryset, search_term):
        from .search import normalize

        return super().get_search_results(request, queryset, normalize(search_term))

    def save_model(self, request, obj, form, change):
        services.organization_search_text_refresh(organization=obj)
        # One history row after the categories are saved too (save_related), as the services write.
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        organization = form.instance
        try:
            super().save_related(request, form, formsets, change)
        finally:
            organization.__dict__.pop("skip_history_when_saving", None)
        services.organization_history_record(
            organization=organization,
            history_type="~" if change else "+",
            history_user=request.user,
            change_reason=_("管理画面で編集"),
        )

    @admin.action(description=_("選択した組織を公開する"), permissions=["change"])
    def publish(self, request, queryset):
        changed = services.organization_set_published(organizations=queryset, is_published=True, history_user=request.user)
        self.message_user(
            request, ngettext("%(count)d件を公開しました。", "%(count)d件を公開しました。", changed) % {"count": changed}, messages.SUCCESS
        )

    @admin.action(description=_("選択した組織を非公開にする"), permissions=["change"])
    def withdraw(self, request, queryset):
        changed = services.organization_set_published(organizations=queryset, is_published=False, history_user=request.user)
        self.message_user(
            request,
            ngettext("%(count)d件を非公開にしました。", "%(count)d件を非公開にしました。", changed) % {"count": changed},
            messages.SUCCESS,
        )


@admin.register(CaseStudy)
class CaseStudyAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "is_featured", "sort_order"]
    list_editable = ["is_featured", "sort_order"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]


@admin.register(SurveyTotal)
class SurveyTotalAdmin(admin.ModelAdmin):
    list_display = ["fiscal_year", "era_label", "organizations", "municipalities_with_rmo", "municipalities_surveyed"]
    ordering = ["fiscal_year"]


@admin.register(ListingRevision)
class ListingRevisionAdmin(admin.ModelAdmin):
    """Read-only: proposals change state only through the review pages (/manage/review/),
    where the services check the reviewer and write the history."""

    list_display = ["id", "name", "municipality", "organization", "status", "submitted_by", "submitted_at", "reviewed_by"]
    list_filter = ["status"]
    list_select_related = ["municipality", "organization", "submitted_by", "reviewed_by"]
    search_fields = ["name", "municipality__code"]
    date_hierarchy = "submitted_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
