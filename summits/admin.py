from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from portal.models import PersonalDataAccessLog
from portal.privacy import AnonymizedFilter, PersonalDataExportMixin, erase_confirmation, personal_data_access_record
from portal.spreadsheets import SpreadsheetAdminMixin

from . import services
from .exports import DelegateResource, delegates_filename_stem
from .models import Application, BreakoutTrack, Delegate, Session, SiteVisitCourse, Summit, TrackPresenter

# Both the delegates' and the contacts' data: deleting it on request needs the right to
# change and delete both.
ERASE_PERMISSIONS = (
    "summits.change_application",
    "summits.delete_application",
    "summits.change_delegate",
    "summits.delete_delegate",
)


def _record_erasure(model_admin, request, *, count: int, summits: set[str]) -> None:
    if count:
        personal_data_access_record(
            request=request,
            action=PersonalDataAccessLog.Action.ERASURE,
            data=model_admin.opts.label_lower,
            row_count=count,
            target="、".join(sorted(summits)),
        )


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


class DelegateFormSet(forms.BaseInlineFormSet):
    """Delegates as staff edit them: seats are counted under the summit's lock by the service
    that applies the applicants' rule (summits.services.delegates_staff_check), inside the
    admin's transaction, so that the lock lasts until the delegates are saved."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or self.instance.summit_id is None:
            return
        delegates = [
            services.DelegateInput(
                role=form.cleaned_data.get("role", ""),
                name=form.cleaned_data.get("name", ""),
                name_kana=form.cleaned_data.get("name_kana", ""),
                title=form.cleaned_data.get("title", ""),
                track_id=getattr(form.cleaned_data.get("track"), "pk", None),
                site_visit_course_id=getattr(form.cleaned_data.get("site_visit_course"), "pk", None),
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            services.delegates_staff_check(application=self.instance, delegates=delegates)
        except services.SummitError as error:
            raise forms.ValidationError(error.message, code=error.code) from error


class DelegateInline(admin.TabularInline):
    model = Delegate
    formset = DelegateFormSet
    extra = 0
    fields = ["role", "name", "name_kana", "title", "email", "track", "site_visit_course", "dietary_needs", "accessibility_needs"]

    # An application whose data was deleted cannot be filled in again.
    def has_add_permission(self, request, obj=None) -> bool:
        return not (obj is not None and obj.is_anonymized) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not (obj is not None and obj.is_anonymized) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not (obj is not None and obj.is_anonymized) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the application's own summit's tracks and courses.
        summit_id = getattr(request, "_summit_id", None)
        if summit_id and db_field.name in ("track", "site_visit_course"):
            kwargs["queryset"] = db_field.related_model.objects.filter(summit_id=summit_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Staff view; seat changes by applicants go through summits.services, not through here."""

    view_on_site = False  # its public address is the delegation's own token link
    list_display = ["municipality", "summit", "status", "contact_name", "created_at", "anonymized_at"]
    list_filter = ["summit", "status", "municipality__prefecture", AnonymizedFilter]
    search_fields = ["municipality__name", "municipality__code", "contact_name", "contact_email"]
    list_select_related = ["municipality", "summit"]
    readonly_fields = ["token", "consented_at", "created_at", "updated_at", "anonymized_at"]
    autocomplete_fields = ["municipality"]
    inlines = [DelegateInline]
    actions = ["erase_personal_data"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_anonymized:
            return [field.name for field in self.opts.concrete_fields if field.name != "id"]
        return self.readonly_fields

    def has_erase_permission(self, request) -> bool:
        return request.user.has_perms(ERASE_PERMISSIONS)

    @admin.action(description=_("本人からの削除依頼: 選択した申込の担当者・参加者の個人情報を削除する"), permissions=["erase"])
    def erase_personal_data(self, request, queryset):
        """Confirm first (it cannot be undone), then withdraw and blank each one through the service."""
        queryset = queryset.select_related("summit", "municipality__prefecture")
        if request.POST.get("confirm") != "yes":
            return erase_confirmation(self, request, queryset, template="summits/application_confirm_erase.html")
        erased = cancelled = people = 0
        summits = set()
        for application in queryset:
            try:
                outcome = services.application_erase(application=application)
            except services.SummitError as error:
                self.message_user(request, f"{application.municipality.full_name}: {error.message}", messages.WARNING)
                continue
            erased += 1
            cancelled += outcome.cancelled
            people += outcome.delegates
            summits.add(str(application.summit))
        _record_erasure(self, request, count=erased, summits=summits)
        self.message_user(
            request,
            _("%(count)d件の申込の個人情報（参加者 %(people)d名を含む）を削除しました（うち取消 %(cancelled)d件）。")
            % {"count": erased, "people": people, "cancelled": cancelled},
            messages.SUCCESS,
        )
        return None

    def get_object(self, request, object_id, from_field=None):
        application = super().get_object(request, object_id, from_field)
        if application is not None:
            request._summit_id = application.summit_id
        return application


@admin.register(Delegate)
class DelegateAdmin(PersonalDataExportMixin, SpreadsheetAdminMixin, ExportMixin, admin.ModelAdmin):
    """Delegates' personal data: view permissions to see or export it, each export recorded."""

    resource_classes = [DelegateResource]
    # The file carries each application's contact person as well.
    export_permissions = ("summits.view_delegate", "summits.view_application")
    list_display = ["display_name", "role", "title", "municipality", "track", "site_visit_course", "summit"]
    list_filter = ["application__summit", "application__status", "role", "track", "site_visit_course", AnonymizedFilter]
    search_fields = ["name", "name_kana", "application__municipality__name"]
    list_select_related = ["application__municipality__prefecture", "application__summit", "track", "site_visit_course"]
    actions = ["erase_personal_data"]

    @admin.display(description=_("氏名"), ordering="name")
    def display_name(self, delegate: Delegate) -> str:
        return delegate.display_name

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_anonymized:
            return [field.name for field in self.opts.concrete_fields if field.name != "id"]
        return super().get_readonly_fields(request, obj)

    def export_target(self, queryset) -> str:
        titles = queryset.order_by().values_list("application__summit__title", flat=True).distinct()[:4]
        return "、".join(titles)

    def get_export_filename_stem(self, request, queryset) -> str:
        slugs = list(queryset.order_by().values_list("application__summit__slug", flat=True).distinct()[:2])
        if len(slugs) == 1:
            return delegates_filename_stem(slugs[0])
        return "rmo-summit-delegates"

    def has_erase_permission(self, request) -> bool:
        return request.user.has_perms(ERASE_PERMISSIONS)

    @admin.action(description=_("本人からの削除依頼: 選択した参加者の個人情報を削除する"), permissions=["erase"])
    def erase_personal_data(self, request, queryset):
        queryset = queryset.select_related("application__summit", "application__municipality__prefecture")
        if request.POST.get("confirm") != "yes":
            return erase_confirmation(self, request, queryset, template="summits/delegate_confirm_erase.html")
        erased, summits = 0, set()
        for delegate in queryset:
            try:
                services.delegate_erase(delegate=delegate)
            except services.SummitError as error:
                self.message_user(request, f"#{delegate.pk}: {error.message}", messages.WARNING)
                continue
            erased += 1
            summits.add(str(delegate.application.summit))
        _record_erasure(self, request, count=erased, summits=summits)
        self.message_user(request, _("%(count)d名の個人情報を削除しました。") % {"count": erased}, messages.SUCCESS)
        return None

    @admin.display(description=_("市区町村"), ordering="application__municipality__code")
    def municipality(self, delegate: Delegate) -> str:
        return delegate.application.municipality.full_name

    @admin.display(description=_("サミット"))
    def summit(self, delegate: Delegate) -> str:
        return str(delegate.application.summit)
