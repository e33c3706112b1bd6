"""Registrants' personal data (個人情報保護法): the record of who took it out, the export
guard for the admin, and the admin pieces the apps share for erasure on request.

Every export, print page, erasure and retention run is recorded in PersonalDataAccessLog.
Retention itself (which events are due, the run) is portal/retention.py.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth import get_permission_codename
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .models import PersonalDataAccessLog
from .security import client_ip

# Search words typed into the admin are often a person's name: the record keeps that a
# search was made, not the words.
REDACTED_FILTERS = ("q",)
FILTERS_MAX_LENGTH = 500
TARGET_MAX_LENGTH = 300

Action = PersonalDataAccessLog.Action


def personal_data_retention_days() -> int:
    """Days after an event's last day that its registrants' personal data is kept."""
    return settings.PERSONAL_DATA_RETENTION_DAYS


# ---------------------------------------------------------------- access log


def _filters_of(request: HttpRequest) -> str:
    params = request.GET.copy()
    for name in REDACTED_FILTERS:
        if name in params:
            params.setlist(name, ["***"])
    return params.urlencode(safe="*")[:FILTERS_MAX_LENGTH]


def personal_data_access_record(
    *,
    action: str,
    data: str,
    row_count: int,
    request: HttpRequest | None = None,
    file_format: str = "",
    target: str = "",
    with_filters: bool = False,
) -> PersonalDataAccessLog:
    """Record one export, print page, erasure or retention run.

    ``data`` names the model (``seminars.registration``); ``target`` the event(s). With a
    request, the staff member and the client address are taken from it, and with
    ``with_filters`` the admin's list filters too (search words redacted).
    """
    user = getattr(request, "user", None)
    user = user if user is not None and user.is_authenticated else None
    return PersonalDataAccessLog.objects.create(
        user=user,
        username=user.get_username() if user else "",
        action=action,
        data=data,
        file_format=file_format,
        target=target[:TARGET_MAX_LENGTH],
        filters=_filters_of(request) if request is not None and with_filters else "",
        row_count=row_count,
        client_address=client_ip(request) if request is not None else None,
    )


class PersonalDataExportMixin:
    """For a ModelAdmin with import-export's ExportMixin whose rows are personal data.

    Exporting needs the view permission(s) (import-export alone lets any staff account
    export), and every file written is recorded. ``get_data_for_export`` runs once per file,
    after the form is valid, and holds the rows: the record has the exact count.
    """

    #: Permissions an export needs; default: the view permission of the admin's model.
    export_permissions: tuple[str, ...] = ()

    def has_export_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        needed = self.export_permissions or (f"{opts.app_label}.{get_permission_codename('view', opts)}",)
        return request.user.has_perms(needed)

    def export_target(self, queryset: QuerySet) -> str:
        """What the exported rows belong to (the events), for the record."""
        return ""

    def get_data_for_export(self, request: HttpRequest, queryset: QuerySet, **kwargs):
        dataset = super().get_data_for_export(request, queryset, **kwargs)
        export_form = kwargs.get("export_form")
        formats = self.get_export_formats()
        index = int(export_form.cleaned_data["format"]) if export_form is not None else 0
        personal_data_access_record(
            request=request,
            action=Action.EXPORT,
            data=self.opts.label_lower,
            row_count=len(dataset),
            file_format=formats[index]().get_extension(),
            target=self.export_target(queryset),
            with_filters=True,
        )
        return dataset


# ---------------------------------------------------------------- admin pieces shared by the apps


class TimestampSetFilter(admin.SimpleListFilter):
    """Filter a changelist on whether a nullable timestamp (``field_name``) is set."""

    field_name: str
    # ("yes", label when set) and ("no", label when empty), in display order. Not "choices":
    # SimpleListFilter has a method of that name.
    options: tuple[tuple[str, str], ...]

    def lookups(self, request, model_admin):
        return list(self.options)

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return queryset.filter(**{f"{self.field_name}__isnull": self.value() == "no"})
        return queryset


class AnonymizedFilter(TimestampSetFilter):
    title = _("個人情報")
    parameter_name = "anonymized"
    field_name = "anonymized_at"
    options = (("no", _("保有")), ("yes", _("削除済み")))


def erase_confirmation(model_admin, request: HttpRequest, queryset, *, template: str) -> TemplateResponse:
    """The confirmation page of an admin's "本人からの削除依頼" action (it cannot be undone).

    ``template`` extends admin/portal/confirm_erase.html and says what is erased and kept.
    """
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("個人情報の削除（本人からの削除依頼）"),
        "queryset": queryset,
        "action_name": "erase_personal_data",
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, template, context)
