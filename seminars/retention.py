"""What seminars register with portal.retention: registrants, anonymized after the seminar."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from portal.retention import EventRetention, RowCounts

from .models import Seminar
from .services import registrations_anonymize_for_seminar

REGISTRATIONS = "seminars.registration"


def seminars_due(cutoff: dt.date) -> QuerySet[Seminar]:
    """Seminars held before ``cutoff`` with registrants not yet anonymized (``pending``)."""
    pending = Count("registrations", filter=Q(registrations__anonymized_at__isnull=True))
    return Seminar.objects.filter(date__lt=cutoff).annotate(pending=pending).filter(pending__gt=0).order_by("date", "pk")


def _anonymize(seminar: Seminar, now: dt.datetime) -> RowCounts:
    return {REGISTRATIONS: registrations_anonymize_for_seminar(seminar=seminar, now=now)}


def _describe(counts: RowCounts) -> str:
    return str(_("参加申込 %(count)d件")) % {"count": counts[REGISTRATIONS]}


SEMINAR_REGISTRANTS: EventRetention[Seminar] = EventRetention(
    name="seminars.seminar",
    due=seminars_due,
    ended_on=lambda seminar: seminar.date,
    pending=lambda seminar: {REGISTRATIONS: seminar.pending},
    anonymize=_anonymize,
    describe=_describe,
)
