"""The project's URLs, plus the bare views that every scenario is compared with.

They are served by a handler with no middleware (bench_wsgi.py), so they cost what Django's
URL resolver, the WSGI server and (for two of them) the same database work cost, and nothing
of the portal's own: no session, CSRF, locale, CSP, template or mail.
"""

from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import path
from django.utils import timezone

from organizations import exports, selectors
from portal.capacity import has_room, lock_for_capacity
from portal.tokens import new_token
from rmo_portal import urls as project_urls
from seminars.enums import AttendanceMode, RegistrationStatus
from seminars.models import Registration, Seminar, normalize_email
from seminars.services import _taken_and_existing


def bare_hello(request) -> HttpResponse:
    """The floor: a response with no database, no template, no middleware."""
    return HttpResponse(b"ok", content_type="text/plain")


def bare_export_csv(request) -> StreamingHttpResponse:
    """The same CSV stream as /organizations/export.csv, without the middleware or the form."""
    return StreamingHttpResponse(exports.csv_rows(selectors.organization_search()), content_type="text/csv; charset=utf-8")


def bare_register(request, slug: str) -> HttpResponse:
    """The same lock, count and insert as seminars.services.registration_create, without form,
    CSRF, session, template or queued mail."""
    if request.method != "POST":
        return HttpResponse(status=405)
    mode = request.POST.get("mode")
    email = request.POST.get("email", "")
    if mode not in AttendanceMode.values or not email:
        return HttpResponse(status=400)
    seminar_id = Seminar.objects.values_list("pk", flat=True).get(slug=slug)
    with transaction.atomic(durable=True):
        seminar = lock_for_capacity(Seminar, pk=seminar_id)
        # The service's own one-query tally: seats per mode and the last 受付番号.
        tally = _taken_and_existing(seminar, normalize_email(email))
        if not has_room(capacity=seminar.capacity_for(mode), taken=tally.taken[mode]):
            if mode == AttendanceMode.VENUE and request.POST.get("when_full") == "online":
                mode = AttendanceMode.ONLINE
        status = (
            RegistrationStatus.CONFIRMED
            if has_room(capacity=seminar.capacity_for(mode), taken=tally.taken[mode])
            else RegistrationStatus.WAITLISTED
        )
        now = timezone.now()
        Registration.objects.create(
            seminar=seminar,
            number=tally.last_number + 1,
            mode=mode,
            status=status,
            name=request.POST.get("name", ""),
            kana=request.POST.get("kana", ""),
            email=email,
            email_normalized=normalize_email(email),
            category=request.POST.get("category", "other"),
            consent_at=now,
            token=new_token(),
        )
    return HttpResponse(status.encode(), status=201, content_type="text/plain")


# The project's list is extended, not include()d: its i18n_patterns may only sit at the root.
urlpatterns = [
    path("bench/bare/hello/", bare_hello),
    path("bench/bare/export.csv", bare_export_csv),
    path("bench/bare/register/<slug:slug>/", bare_register),
    *project_urls.urlpatterns,
]
handler400, handler403, handler404, handler500 = (
    project_urls.handler400,
    project_urls.handler403,
    project_urls.handler404,
    project_urls.handler500,
)
