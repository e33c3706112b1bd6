"""Staff tools: seminars with a capacity dashboard, registrations with filters and exports.

Every change of state goes through seminars.services, as on the public side.
"""

import jaconv
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields
from import_export.admin import ExportMixin

from portal.models import PersonalDataAccessLog
from portal.privacy import (
    AnonymizedFilter,
    PersonalDataExportMixin,
    TimestampSetFilter,
    erase_confirmation,
    personal_data_access_record,
)
from portal.spreadsheets import SpreadsheetAdminMixin, SpreadsheetResource

from . import selectors, services
from .enums import RegistrationSource
from .forms import PhoneRegistrationForm, RegistrationCorrectionForm, SeminarMessageForm
from .models import ProgramItem, Registration, Seminar, SeminarMessage


class ProgramItemInline(admin.StackedInline):
    model = ProgramItem
    extra = 0
    raw_id_fields = ["organizations"]
    fields = [
        ("order", "kind", "start_time", "venue_only"),
        "title",
        ("speaker_name", "speaker_reading"),
        "speaker_affiliation",
        "presenter_text",
        "organizations",
    ]


# Fields whose change can free seats.
CAPACITY_FIELDS = {"venue_capacity", "online_capacity", "has_venue", "has_online"}


@admin.register(Seminar)
class SeminarAdmin(admin.ModelAdmin):
    # An address typed without a scheme is taken as https:// (the Django 6 default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_form_template = "admin/seminars/seminar/change_form.html"
    list_display = [
        "__str__",
        "fiscal_year",
        "date",
        "deadline",
        "venue_seats",
        "online_seats",
        "is_published",
        "is_demo",
        "closed_by_staff",
    ]
    list_filter = ["fiscal_year", "is_published", "is_demo", "closed_by_staff"]
    search_fields = ["title", "venue_name", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ProgramItemInline]
    actions = ["close_registration", "reopen_registration"]
    fieldsets = [
        (None, {"fields": ["title", "series", "fiscal_year", "slug", "prefecture", "organizer", "is_published", "is_demo"]}),
        (_("日時・会場"), {"fields": ["date", ("start_time", "end_time"), "venue_name", "venue_address", "access_notes"]}),
        (
            _("定員・受付"),
            {
                "fields": [
                    ("has_venue", "venue_capacity"),
                    ("has_online", "online_capacity"),
                    "registration_opens_at",
                    "deadline",
                    "closed_by_staff",
                    "online_url",
                ]
            },
        ),
        (_("案内文"), {"fields": ["target_audience", "fee_note", "highlights", "contact"]}),
    ]

    def get_queryset(self, request):
        # Confirmed seats per mode for the list's capacity columns, in the list's one query.
        return selectors.with_counts(super().get_queryset(request))

    @admin.display(description=_("会場（確定／定員）"))
    def venue_seats(self, seminar: Seminar) -> str:
        if not seminar.has_venue:
            return "—"
        return f"{seminar.venue_taken} / {seminar.venue_capacity if seminar.venue_capacity is not None else '∞'}"

    @admin.display(description=_("オンライン（確定／定員）"))
    def online_seats(self, seminar: Seminar) -> str:
        if not seminar.has_online:
            return "—"
        return f"{seminar.online_taken} / {seminar.online_capacity if seminar.online_capacity is not None else '∞'}"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "online_url":
            kwargs["assume_scheme"] = "https"  # meeting links are https; also silences Django 6.0's warning
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj: Seminar, form, change: bool) -> None:
        # The online URL is stored by its service, which mails it to every online registrant.
        new_url = obj.online_url
        if change and "online_url" in form.changed_data:
            obj.online_url = form.initial.get("online_url", "")
        super().save_model(request, obj, form, change)
        if "online_url" in form.changed_data or (not change and new_url):
            count = services.seminar_set_online_url(seminar=obj, online_url=new_url)
            obj.online_url = new_url
            if count:
                self.message_user(
                    request,
                    _("オンライン参加URLを%(count)d名に送信するよう予約しました。") % {"count": count},
                    messages.SUCCESS,
                )
        if change and CAPACITY_FIELDS & set(form.changed_data):
            # A raised capacity goes to the people waiting, in order, in this same transaction.
            promoted = services.seminar_promote_waiting(seminar=obj)
            if promoted:
                self.message_user(
                    request,
                    _("キャンセル待ちの%(count)d名を申込順に繰り上げ、確定のメールを送るよう予約しました。")
                    % {"count": len(promoted)},
                    messages.SUCCESS,
                )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        seminar = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if seminar is not None:
            extra_context["dashboard"] = selectors.seminar_dashboard(seminar=seminar)
            extra_context["seminar"] = seminar
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:seminar_id>/message/",
                self.admin_site.admin_view(self.message_view),
                name="seminars_seminar_message",
            ),
        ] + super().get_urls()

    def message_view(self, request, seminar_id: int):
        """A message to all registrants of one mode: form → service → one queued mail each."""
        if not request.user.has_perm("seminars.change_registration"):
            raise PermissionDenied
        seminar = get_object_or_404(Seminar, pk=seminar_id)
        form = SeminarMessageForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            message = services.seminar_message_send(seminar=seminar, sent_by=request.user, **form.cleaned_data)
            self.message_user(
                request,
                _("お知らせを%(count)d名に送信するよう予約しました。") % {"count": message.recipient_count},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:seminars_seminar_change", args=[seminar.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "seminar": seminar,
            "form": form,
            "title": _("参加者へのお知らせ"),
            "dashboard": selectors.seminar_dashboard(seminar=seminar),
        }
        return TemplateResponse(request, "admin/seminars/seminar/message.html", context)

    @admin.action(description=_("選択したセミナーの受付を締め切る"), permissions=["change"])
    def close_registration(self, request, queryset) -> None:
        for seminar in queryset:
            services.seminar_close(seminar=seminar)
        self.message_user(request, _("受付を締め切りました。"), messages.SUCCESS)

    @admin.action(description=_("選択したセミナーの受付を再開する"), permissions=["change"])
    def reopen_registration(self, request, queryset) -> None:
        for seminar in queryset:
            services.seminar_reopen(seminar=seminar)
        self.message_user(request, _("受付を再開しました（締切日・定員の判定は通常どおり行われます）。"), messages.SUCCESS)


class RegistrationResource(SpreadsheetResource):
    """The declared columns only: the token and the normalized address never leave the database."""

    sheet_title = _("申込者")
    export_select_related = ("seminar", "municipality__prefecture", "municipality__parent")

    seminar = fields.Field(attribute="seminar__title", column_name=str(_("セミナー")))
    number = fields.Field(attribute="number", column_name=str(_("受付番号")))
    name = fields.Field(attribute="name", column_name=str(_("氏名")))
    kana = fields.Field(attribute="kana", column_name=str(_("ふりがな")))
    email = fields.Field(attribute="email", column_name=str(_("メールアドレス")))
    affiliation = fields.Field(attribute="affiliation", column_name=str(_("所属")))
    category = fields.Field(attribute="get_category_display", column_name=str(_("区分")))
    municipality = fields.Field(attribute="municipality__full_name", column_name=str(_("市区町村")))
    municipality_code = fields.Field(attribute="municipality_id", column_name=str(_("市区町村コード")))
    mode = fields.Field(attribute="get_mode_display", column_name=str(_("参加方法")))
    status = fields.Field(attribute="get_status_display", column_name=str(_("状態")))
    joins_exchange = fields.Field(column_name=str(_("意見交換会")))
    accessibility_needs = fields.Field(attribute="accessibility_needs", column_name=str(_("配慮が必要な事項")))
    source = fields.Field(attribute="get_source_display", column_name=str(_("申込経路")))
    created_at = fields.Field(column_name=str(_("申込日時")))
    checked_in_at = fields.Field(column_name=str(_("受付日時")))

    class Meta:
        model = Registration
        fields = export_order = [
            "seminar",
            "number",
            "name",
            "kana",
            "email",
            "affiliation",
            "category",
            "municipality",
            "municipality_code",
            "mode",
            "status",
            "joins_exchange",
            "accessibility_needs",
            "source",
            "created_at",
            "checked_in_at",
        ]

    def dehydrate_joins_exchange(self, registration: Registration) -> str:
        return str(_("参加")) if registration.joins_exchange else ""

    def dehydrate_created_at(self, registration: Registration) -> str:
        return timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M:%S")

    def dehydrate_checked_in_at(self, registration: Registration) -> str:
        if registration.checked_in_at is None:
            return ""
        return timezone.localtime(registration.checked_in_at).strftime("%Y-%m-%d %H:%M:%S")


class CheckedInFilter(TimestampSetFilter):
    title = _("受付")
    parameter_name = "checked_in"
    field_name = "checked_in_at"
    options = (("yes", _("受付済み")), ("no", _("未受付")))


@admin.register(Registration)
class RegistrationAdmin(PersonalDataExportMixin, SpreadsheetAdminMixin, ExportMixin, admin.ModelAdmin):
    """Registrants' personal data: the view permission to see or export it, each export recorded."""

    view_on_site = False  # its public address is the person's own token link
    # The export's list template plus the phone entry (import-export shows object tools only
    # with the add permission, which this admin never gives).
    import_export_change_list_template = "admin/seminars/registration/change_list.html"
    change_form_template = "admin/seminars/registration/change_form.html"
    resource_classes = [RegistrationResource]
    list_display = [
        "number",
        "display_name",
        "kana",
        "seminar",
        "mode",
        "status",
        "category",
        "municipality",
        "joins_exchange",
        "source",
        "checked_in_at",
        "created_at",
    ]
    list_filter = [
        "seminar",
        "mode",
        "status",
        "category",
        ("municipality", admin.RelatedOnlyFieldListFilter),
        CheckedInFilter,
        "joins_exchange",
        "source",
        AnonymizedFilter,
    ]
    list_select_related = ["seminar", "municipality"]
    # number__exact: the 受付番号 as typed (the admin compares it as text, so a name never errors).
    search_fields = ["number__exact", "name", "kana", "email_normalized", "affiliation"]
    ordering = ["seminar", "created_at", "id"]
    date_hierarchy = "created_at"
    actions = ["cancel_registrations", "check_in_registrations", "erase_personal_data"]
    readonly_fields = [
        "seminar",
        "number",
        "mode",
        "status",
        "name",
        "kana",
        "email",
        "affiliation",
        "category",
        "municipality",
        "joins_exchange",
        "consent_at",
        "source",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "checked_in_at",
        "reminder_sent_at",
        "anonymized_at",
    ]
    fields = readonly_fields[:11] + ["accessibility_needs"] + readonly_fields[11:]

    @admin.display(description=_("氏名"), ordering="name")
    def display_name(self, registration: Registration) -> str:
        return registration.display_name

    def get_search_results(self, request, queryset, search_term):
        # 受付番号 typed with a Japanese input method arrives as full-width digits (１２).
        search_term = jaconv.z2h(search_term, kana=False, ascii=False, digit=True)
        return super().get_search_results(request, queryset, search_term)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_anonymized:
            return self.fields  # nothing personal may be written back
        return self.readonly_fields

    def export_target(self, queryset) -> str:
        titles = queryset.order_by().values_list("seminar__title", flat=True).distinct()[:4]
        return "、".join(titles)

    def get_export_filename_stem(self, request, queryset) -> str:
        slugs = list(queryset.order_by().values_list("seminar__slug", flat=True).distinct()[:2])
        if len(slugs) == 1:
            return f"seminar-{slugs[0]}-registrations"
        return "rmo-seminar-registrations"

    def has_erase_permission(self, request) -> bool:
        return request.user.has_perms(["seminars.change_registration", "seminars.delete_registration"])

    def has_add_permission(self, request) -> bool:
        # Not the model form: the public form, or phone_view, both through registration_create
        # (the capacity rule lives there).
        return False

    def get_urls(self):
        return [
            path(
                "<path:object_id>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name="seminars_registration_correct",
            ),
            path("phone/", self.admin_site.admin_view(self.phone_view), name="seminars_registration_phone"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_enter_phone": request.user.has_perm("seminars.add_registration")}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_correct": request.user.has_perm("seminars.change_registration")}
        return super().change_view(request, object_id, form_url, extra_context)

    def _form_page(self, request, *, form, title: str, template: str, **context) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "opts": self.opts, "form": form, "title": title, **context}
        return TemplateResponse(request, template, context)

    def correct_view(self, request, object_id: str):
        """Staff correct the name, kana, address or affiliation: form → registration_correct."""
        if not request.user.has_perm("seminars.change_registration"):
            raise PermissionDenied
        registration = self.get_object(request, object_id)
        if registration is None:
            raise Http404
        change_url = reverse("admin:seminars_registration_change", args=[registration.pk])
        if registration.is_anonymized:
            self.message_user(request, _("この申込の個人情報は既に削除されています。"), messages.ERROR)
            return redirect(change_url)
        initial = {field: getattr(registration, field) for field in services.CORRECTABLE_FIELDS}
        form = RegistrationCorrectionForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                changed = services.registration_correct(registration=registration, **form.cleaned_data)
            except services.RegistrationError as error:
                form.add_error("email" if error.code == "email_taken" else None, error.message)
            else:
                if not changed:
                    self.message_user(request, _("変更はありません。"), messages.INFO)
                    return redirect(change_url)
                labels = [str(Registration._meta.get_field(field).verbose_name) for field in changed]
                # Field names only: the history never holds the old or new personal data.
                self.log_change(request, registration, [{"changed": {"fields": labels}}])
                text = _("%(fields)sを訂正しました。") % {"fields": "・".join(labels)}
                if "email" in changed and registration.is_live:
                    text += str(_("新しいアドレスへ確認のメールを送ります（以前のリンクと受付票は使えなくなりました）。"))
                self.message_user(request, text, messages.SUCCESS)
                return redirect(change_url)
        return self._form_page(
            request,
            form=form,
            title=_("氏名・連絡先の訂正"),
            template="admin/seminars/registration/correct.html",
            registration=registration,
            original=registration,
        )

    def phone_view(self, request):
        """電話で受け付けた申込を登録: the same service as the public form, source=phone, so the
        seats, the deadline and the one-per-address rule apply as they do online."""
        if not request.user.has_perm("seminars.add_registration"):
            raise PermissionDenied
        form = PhoneRegistrationForm(request.POST or None, initial={"seminar": request.GET.get("seminar")})
        if request.method == "POST" and form.is_valid():
            cleaned = form.cleaned_data
            try:
                outcome = services.registration_create(
                    seminar=cleaned["seminar"],
                    mode=cleaned["mode"],
                    name=cleaned["name"],
                    kana=cleaned["kana"],
                    email=cleaned["email"],
                    affiliation=cleaned["affiliation"],
                    category=cleaned["category"],
                    municipality=cleaned["municipality"],
                    joins_exchange=cleaned["joins_exchange"],
                    accessibility_needs=cleaned["accessibility_needs"],
                    consent=cleaned["consent"],
                    source=RegistrationSource.PHONE,
                    when_full=cleaned["when_full"],
                )
            except services.RegistrationError as error:
                field = {"closed": "seminar", "full": "when_full", "mode": "mode", "exchange": "joins_exchange"}.get(
                    error.code
                )
                form.add_error(field, error.message)
            else:
                registration = outcome.registration
                if not outcome.created:
                    form.add_error("email", services.email_taken_error(registration.number).message)
                else:
                    self.log_addition(request, registration, [{"added": {}}])
                    self.message_user(
                        request,
                        _("電話での申込を登録しました（受付番号 %(number)s、%(status)s）。確認のメールを送ります。")
                        % {"number": registration.number, "status": registration.get_status_display()},
                        messages.SUCCESS,
                    )
                    return redirect(reverse("admin:seminars_registration_change", args=[registration.pk]))
        return self._form_page(
            request, form=form, title=_("電話で受け付けた申込を登録"), template="admin/seminars/registration/phone.html"
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        # Cancel instead: a deleted row would free a seat without promoting anyone.
        return False

    @admin.action(description=_("選択したお申し込みをキャンセルする（キャンセル待ちを繰り上げ）"), permissions=["change"])
    def cancel_registrations(self, request, queryset) -> None:
        done = 0
        for registration in queryset:
            try:
                services.registration_cancel(registration=registration)
                done += 1
            except services.RegistrationError as error:
                self.message_user(request, f"{registration.display_name}: {error.message}", messages.WARNING)
        self.message_user(request, _("%(count)d件をキャンセルしました。") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("選択したお申し込みを受付済みにする"), permissions=["change"])
    def check_in_registrations(self, request, queryset) -> None:
        done = 0
        for registration in queryset:
            try:
                services.registration_check_in(registration=registration)
                done += 1
            except services.RegistrationError as error:
                self.message_user(request, f"{registration.display_name}: {error.message}", messages.WARNING)
        self.message_user(request, _("%(count)d件を受付済みにしました。") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("本人からの削除依頼: 選択した申込者の個人情報を削除する"), permissions=["erase"])
    def erase_personal_data(self, request, queryset):
        """Confirm first (it cannot be undone), then cancel and blank each one through the service."""
        queryset = queryset.select_related("seminar")
        if request.POST.get("confirm") != "yes":
            return erase_confirmation(self, request, queryset, template="seminars/registration_confirm_erase.html")
        erased, promoted, seminars = 0, 0, set()
        for registration in queryset:
            try:
                outcome = services.registration_erase(registration=registration)
            except services.RegistrationError as error:
                self.message_user(request, f"#{registration.number}: {error.message}", messages.WARNING)
                continue
            erased += 1
            promoted += outcome.promoted is not None
            seminars.add(registration.seminar.title)
        if erased:
            personal_data_access_record(
                request=request,
                action=PersonalDataAccessLog.Action.ERASURE,
                data=self.opts.label_lower,
                row_count=erased,
                target="、".join(sorted(seminars)),
            )
        self.message_user(
            request,
            _("%(count)d名の個人情報を削除しました（キャンセル待ちからの繰り上げ %(promoted)d名）。")
            % {"count": erased, "promoted": promoted},
            messages.SUCCESS,
        )
        return None


@admin.register(SeminarMessage)
class SeminarMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "seminar", "mode", "recipient_count", "created_at", "sent_by"]
    list_filter = ["seminar", "mode"]
    readonly_fields = ["seminar", "mode", "include_waitlisted", "subject", "body", "sent_by", "created_at", "recipient_count"]

    def has_add_permission(self, request) -> bool:
        # Sent from the seminar's page (お知らせを送る), which queues the mails.
        return False
