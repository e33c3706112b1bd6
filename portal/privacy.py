"""Registrants' personal data (個人情報保護法): retention, the record of who took it out, and
the export guard for the admin.

Each app keeps its own rule of what is personal and how it is blanked in its services.py
(``registrations_anonymize_for_seminar``, ``applications_anonymize_for_summit``); this module
decides which events are due and records every export, print page and erasure in
PersonalDataAccessLog.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth import get_permission_codename
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seminars.models import Seminar
from seminars.services import registrations_anonymize_for_seminar
from summits.models import Summit
from summits.services import applications_anonymize_for_summit

from .deadlines import JAPAN
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


# ---------------------------------------------------------------- retention


@dataclass(frozen=True)
class PurgeLine:
    event: str
    ended_on: dt.date
    label: str  # what was (or would be) blanked, e.g. 「参加申込 12件」
    count: int


@dataclass
class PurgeReport:
    days: int
    cutoff: dt.date
    dry_run: bool
    lines: list[PurgeLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.count for line in self.lines)


def retention_cutoff(*, days: int, now: dt.datetime | None = None) -> dt.date:
    """Events whose last day (in Japan) is before this date ended more than ``days`` days ago."""
    today = (now or timezone.now()).astimezone(JAPAN).date()
    return today - dt.timedelta(days=days)


def _seminars_due(cutoff: dt.date) -> QuerySet[Seminar]:
    pending = Count("registrations", filter=Q(registrations__anonymized_at__isnull=True))
    return Seminar.objects.filter(date__lt=cutoff).annotate(pending=pending).filter(pending__gt=0).order_by("date", "pk")


def _summits_due(cutoff: dt.date) -> QuerySet[Summit]:
    applications = Count("applications", filter=Q(applications__anonymized_at__isnull=True), distinct=True)
    delegates = Count(
        "applications__delegates", filter=Q(applications__delegates__anonymized_at__isnull=True), distinct=True
    )
    return (
        Summit.objects.filter(last_day__lt=cutoff)
        .annotate(pending_applications=applications, pending_delegates=delegates)
        .filter(Q(pending_applications__gt=0) | Q(pending_delegates__gt=0))
        .order_by("last_day", "pk")
    )


def _summit_label(applications: int, delegates: int) -> str:
    return str(_("参加申込 %(applications)d件・参加者 %(delegates)d名")) % {
        "applications": applications,
        "delegates": delegates,
    }


def personal_data_purge(*, days: int | None = None, now: dt.datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Anonymize the registrants of every seminar and summit that ended more than ``days`` ago.

    Each event is its own transaction: an interrupted run leaves whole events done, and the
    next run finishes the rest. A run that finds nothing left changes nothing and records
    nothing. With ``dry_run`` only the counts are read.
    """
    days = personal_data_retention_days() if days is None else days
    if days < 0:
        raise ValueError("retention days must not be negative")
    now = now or timezone.now()
    report = PurgeReport(days=days, cutoff=retention_cutoff(days=days, now=now), dry_run=dry_run)

    seminar_rows = 0
    for seminar in _seminars_due(report.cutoff):
        count = seminar.pending if dry_run else registrations_anonymize_for_seminar(seminar=seminar, now=now)
        seminar_rows += count
        label = str(_("参加申込 %(count)d件")) % {"count": count}
        report.lines.append(PurgeLine(event=str(seminar), ended_on=seminar.date, label=label, count=count))

    summit_applications = summit_delegates = 0
    for summit in _summits_due(report.cutoff):
        if dry_run:
            applications, delegates = summit.pending_applications, summit.pending_delegates
        else:
            counts = applications_anonymize_for_summit(summit=summit, now=now)
            applications, delegates = counts.applications, counts.delegates
        summit_applications += applications
        summit_delegates += delegates
        report.lines.append(
            PurgeLine(
                event=str(summit),
                ended_on=summit.last_day,
                label=_summit_label(applications, delegates),
                count=applications + delegates,
            )
        )

    if not dry_run:
        target = str(_("保存期間 %(days)d日（%(cutoff)s より前に終了したイベント）")) % {
            "days": days,
            "cutoff": report.cutoff.isoformat(),
        }
        for data, count in (
            ("seminars.registration", seminar_rows),
            ("summits.application", summit_applications),
            ("summits.delegate", summit_delegates),
        ):
            if count:
                personal_data_access_record(action=Action.RETENTION, data=data, row_count=count, target=target)
    return report


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
