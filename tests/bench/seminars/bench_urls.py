"""The project's URLs, plus /bench/bare/<slug>/: the same lock, count and insert as
seminars.services.registration_create, without form, CSRF, session, template or mail.
Served by a handler with no middleware at all (bench_wsgi.py)."""

from django.db import transaction
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone

from portal.capacity import has_room, lock_for_capacity
from portal.tokens import new_token
from seminars.enums import AttendanceMode, RegistrationStatus
from seminars.models import Registration, Seminar, normalize_email


def bare_register(request, slug: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    mode = request.POST.get("mode")
    email = request.POST.get("email", "")
    if mode not in AttendanceMode.values or not email:
        return HttpResponse(status=400)
    seminar_id = Seminar.objects.values_list("pk", flat=True).get(slug=slug)
    with transaction.atomic(durable=True):
        seminar = lock_for_capacity(Seminar, pk=seminar_id)
        taken = Registration.objects.filter(seminar=seminar, mode=mode, status=RegistrationStatus.CONFIRMED).count()
        if not has_room(capacity=seminar.capacity_for(mode), taken=taken):
            if mode == AttendanceMode.VENUE and request.POST.get("when_full") == "online":
                mode = AttendanceMode.ONLINE
                taken = Registration.objects.filter(seminar=seminar, mode=mode, status=RegistrationStatus.CONFIRMED).count()
        status = (
            RegistrationStatus.CONFIRMED
            if has_room(capacity=seminar.capacity_for(mode), taken=taken)
            else RegistrationStatus.WAITLISTED
        )
        now = timezone.now()
        Registration.objects.create(
            seminar=seminar,
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


urlpatterns = [
    path("bench/bare/<slug:slug>/", bare_register),
    path("", include("rmo_portal.urls")),
]
