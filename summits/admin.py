from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from .exports import DelegateResource
from .models import Application, BreakoutTrack, Delegate, Session, SiteVisitCourse, Summit, TrackPresenter


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ["day", "start_time", "end_time", "kind", "slot_label", "title", "speaker_name", "speaker_affiliation", "speaker_title", "order"]


class BreakoutTrackInline(admin.TabularInline):
    model = BreakoutTrack
    extra = 0
    show_change_link = True
    fields = ["number", "theme", "coordinator_name", "coordinator_affiliation", "coordinator_title", "capacity"]


class SiteVisitCourseInline(admin.TabularInline):
    model = SiteVisitCourse
    extra = 0
    fields = ["name", "day", "start_time", "end_time", "meeting_point", "capacity", "order"]


@admin.register(Summit)
class SummitAdmin(admin.ModelAdmin):
    list_display = ["title", "first_day", "last_day", "application_deadline", "is_published", "is_demo", "staff_links"]
    list_filter = ["is_published", "is_demo"]
    search_fields = ["title", "organizers"]
    prepopulated_fields = {"slug": ["title"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [SessionInline, BreakoutTrackInline, SiteVisitCourseInline]

    @admin.display(description=_("事務局用"))
    def staff_links(self, summit: Summit) -> str:
        return format_html(
            '<a href="{}">{}</a> / <a href="{}">{}</a> / <a href="{}">CSV</a> / <a href="{}">Excel</a>',
            reverse("summits:staff_overview", kwargs={"slug": summit.slug}),
            _("参加状況"),
            reverse("summits:staff_name_cards", kwargs={"slug": summit.slug}),
            _("名札"),
            reverse("summits:staff_export", kwargs={"slug": summit.slug, "fmt": "csv"}),
            reverse("summits:staff_export", kwargs={"slug": summit.slug, "fmt": "xlsx"}),
        )


class TrackPresenterInline(admin.TabularInline):
    model = TrackPresenter
    extra = 0
    autocomplete_fields = ["municipality"]


@admin.register(BreakoutTrack)
class BreakoutTrackAdmin(admin.ModelAdmin):
    list_display = ["__str__", "summit", "coordinator_name", "capacity"]
    list_filter = ["summit"]
    inlines = [TrackPresenterInline]


class DelegateInline(admin.TabularInline):
    model = Delegate
    extra = 0
    fields = ["role", "name", "name_kana", "title", "email", "track", "site_visit_course", "dietary_needs", "accessibility_needs"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the application's own summit's tracks and courses.
        summit_id = getattr(request, "_summit_id", None)
        if summit_id and db_field.name in ("track", "site_visit_course"):
            kwargs["queryset"] = db_field.related_model.objects.filter(summit_id=summit_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Staff view; seat changes by applicants go through summits.services, not through here."""

    list_display = ["municipality", "summit", "status", "contact_name", "created_at"]
    list_filter = ["summit", "status", "municipality__prefecture"]
    search_fields = ["municipality__name", "municipality__code", "contact_name", "contact_email"]
    list_select_related = ["municipality", "summit"]
    readonly_fields = ["token", "consented_at", "created_at", "updated_at"]
    autocomplete_fields = ["municipality"]
    inlines = [DelegateInline]

    def get_object(self, request, object_id, from_field=None):
        application = super().get_object(request, object_id, from_field)
        if application is not None:
            request._summit_id = application.summit_id
        return application


@admin.register(Delegate)
class DelegateAdmin(ExportMixin, admin.ModelAdmin):
    resource_classes = [DelegateResource]
    list_display = ["name", "role", "title", "municipality", "track", "site_visit_course", "summit"]
    list_filter = ["application__summit", "application__status", "role", "track", "site_visit_course"]
    search_fields = ["name", "name_kana", "application__municipality__name"]
    list_select_related = ["application__municipality__prefecture", "application__summit", "track", "site_visit_course"]

    @admin.display(description=_("市区町村"), ordering="application__municipality__code")
    def municipality(self, delegate: Delegate) -> str:
        return delegate.application.municipality.full_name

    @admin.display(description=_("サミット"))
    def summit(self, delegate: Delegate) -> str:
        return str(delegate.application.summit)
