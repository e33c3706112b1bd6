from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from . import services
from .models import EditorScope, Invitation


@admin.register(EditorScope)
class EditorScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "prefecture"]
    list_select_related = ["user", "municipality__prefecture", "municipality__parent", "prefecture"]
    search_fields = ["user__username", "user__email", "municipality__name", "prefecture__name"]
    raw_id_fields = ["user", "municipality"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only record of who invited whom; new invitations are sent from the portal's page."""

    list_display = ["email", "invited_by", "created_at", "expires_at", "accepted_at", "status_display"]
    list_select_related = ["invited_by"]
    search_fields = ["email"]
    readonly_fields = ["user", "email", "invited_by", "created_at", "expires_at", "accepted_at"]

    @admin.display(description=_("状態"))
    def status_display(self, obj: Invitation) -> str:
        return obj.status.label

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False



class EditorScopeInline(admin.StackedInline):
    model = EditorScope
    can_delete = True
    extra = 0
    max_num = 1
    raw_id_fields = ["municipality"]


# Ending someone's sessions changes their account: the change permission, as for any write.
@admin.action(description=_("選択したユーザーをすべての端末からログアウトさせる"), permissions=["change"])
def end_sessions_everywhere(modeladmin, request, queryset):
    for user in queryset:
        services.sessions_end_everywhere(user=user)
    modeladmin.message_user(request, _("%(count)d人のユーザーをすべての端末からログアウトさせました。") % {"count": len(queryset)})


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Django's user admin, with an editor's scope inline, the "logout everywhere" action, and
    no way for a non-superuser to make anyone a superuser, grant single permissions, or touch
    a superuser's account (its password included)."""

    inlines = [EditorScopeInline]
    actions = [end_sessions_everywhere]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(is_superuser=False)
        return queryset
