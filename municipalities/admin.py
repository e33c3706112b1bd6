from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Municipality, Prefecture


class MasterDataAdmin(admin.ModelAdmin):
    """Read-mostly: the master comes from fixtures/municipalities.json (manage.py
    load_municipalities), which would overwrite edits; staff correct names, readings and
    coordinates here until the next list is loaded, but never add or delete rows."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Prefecture)
class PrefectureAdmin(MasterDataAdmin):
    list_display = ["code", "name", "name_kana", "name_en", "local_government_code"]
    search_fields = ["code", "local_government_code", "name", "name_kana", "name_en"]
    readonly_fields = ["code", "local_government_code"]
    ordering = ["code"]


@admin.register(Municipality)
class MunicipalityAdmin(MasterDataAdmin):
    list_display = ["code", "display_name_column", "name_kana", "kind", "prefecture"]
    list_filter = ["prefecture", "kind"]
    list_select_related = ["prefecture", "parent"]
    search_fields = ["code", "name", "name_kana", "parent__name", "parent__name_kana"]
    readonly_fields = ["code", "prefecture", "kind", "parent"]
    fields = ["code", "prefecture", "kind", "parent", "name", "name_kana", "latitude", "longitude"]
    ordering = ["code"]
    show_full_result_count = False

    @admin.display(description=_("名称"), ordering="name")
    def display_name_column(self, obj: Municipality) -> str:
        return obj.display_name
