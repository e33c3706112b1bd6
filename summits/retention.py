"""What summits register with portal.retention: contacts and delegates, anonymized after the summit."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from portal.retention import EventRetention, RowCounts

from .models import Summit
from .services import applications_anonymize_for_summit

APPLICATIONS = "summits.application"
DELEGATES = "summits.delegate"


def summits_due(cutoff: dt.date) -> QuerySet[Summit]:
    """Summits over before ``cutoff`` with applications or delegates not yet anonymized
    (``pending_applications``, ``pending_delegates``)."""
    applications = Count("applications", filter=Q(applications__anonymized_at__isnull=True), distinct=True)
    delegates = Count("applications__delegates", filter=Q(applications__delegates__anonymized_at__isnull=True), distinct=True)
    return (
        Summit.objects.filter(last_day__lt=cutoff)
        .annotate(pending_applications=applications, pending_delegates=delegates)
        .filter(Q(pending_applications__gt=0) | Q(pending_delegates__gt=0))
        .order_by("last_day", "pk")
    )


def _anonymize(summit: Summit, now: dt.datetime) -> RowCounts:
    counts = applications_anonymize_for_summit(summit=summit, now=now)
    return {APPLICATIONS: counts.applications, DELEGATES: counts.delegates}


def _describe(counts: RowCounts) -> str:
    return str(_("参加申込 %(applications)d件・参加者 %(delegates)d名")) % {
        "applications": counts[APPLICATIONS],
        "delegates": counts[DELEGATES],
    }


SUMMIT_APPLICANTS: EventRetention[Summit] = EventRetention(
    name="summits.summit",
    due=summits_due,
    ended_on=lambda summit: summit.last_day,
    pending=lambda summit: {APPLICATIONS: summit.pending_applications, DELEGATES: summit.pending_delegates},
    anonymize=_anonymize,
    describe=_describe,
)
