from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import PersonalDataAccessLog, PolicyProgram, PolicyProgramPoint, PrivacyRequestDesk
from .services import privacy_request_desk_changed


class PolicyProgramPointInline(admin.StackedInline):
    model = PolicyProgramPoint
    extra = 0
    fields = ["sort_order", "heading", "text", "note"]


@admin.register(PolicyProgram)
class PolicyProgramAdmin(admin.ModelAdmin):
    # An address typed without a scheme is taken as https:// (the Django 6 default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "title",
        "budget_request_display",
        "initial_budget_display",
        "sort_order",
        "is_published",
        "updated_at",
    ]
    list_editable = ["sort_order", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["title", "summary", "definition"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PolicyProgramPointInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "abbreviation_note", "definition", "summary", "official_url"]}),
        (
            _("予算（百万円）"),
            {
                "fields": [
                    ("budget_request_fiscal_year", "budget_request_million_yen"),
                    ("initial_budget_fiscal_year", "initial_budget_million_yen"),
                ]
            },
        ),
        (_("公開"), {"fields": ["sort_order", "is_published"]}),
    ]

    @admin.display(description=_("概算要求額"))
    def budget_request_display(self, obj: PolicyProgram) -> str:
        if obj.budget_request_million_yen is None:
            return "—"
        return _("%(year)s %(amount)s百万円") % {
            "year": obj.budget_request_fiscal_year_label,
            "amount": obj.budget_request_million_yen,
        }

    @admin.display(description=_("当初予算額"))
    def initial_budget_display(self, obj: PolicyProgram) -> str:
        if obj.initial_budget_million_yen is None:
            return "—"
        return _("%(year)s %(amount)s百万円") % {
            "year": obj.initial_budget_fiscal_year_label,
            "amount": obj.initial_budget_million_yen,
        }


@admin.register(PersonalDataAccessLog)
class PersonalDataAccessLogAdmin(admin.ModelAdmin):
    """Read-only: the record is written by portal.privacy and never changed by hand."""

    list_display = ["accessed_at", "username", "action", "data", "file_format", "target", "row_count", "client_address"]
    list_filter = ["action", "data", "file_format"]
    search_fields = ["username", "target"]
    date_hierarchy = "accessed_at"
    list_select_related = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PrivacyRequestDesk)
class PrivacyRequestDeskAdmin(admin.ModelAdmin):
    """The 開示請求等 office the privacy pages name: one row, so "add" only while there is none."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["office_name", "phone", "email", "updated_at"]
    fields = ["office_name", "postal_address", "phone", "email", "hours", "guidance", "official_url"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not PrivacyRequestDesk.objects.exists()

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        privacy_request_desk_changed()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        privacy_request_desk_changed()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        privacy_request_desk_changed()
