"""Retention: personal data kept for a set time, then anonymized or deleted (manage.py
purge_personal_data).

The portal runs it without knowing the apps: each app registers what it keeps, in its
``AppConfig.ready()``::

    retention.register(retention.EventRetention(name="seminars.seminar", ...))

An EventRetention is the registrants of one kind of event, anonymized once the event's last
day (Japan time) is PERSONAL_DATA_RETENTION_DAYS (or ``--days``) behind; every run that
blanks rows is recorded in PersonalDataAccessLog. A RecordRetention is rows with a retention
setting of their own, deleted when older (login records). Entries run in the order they were
registered (INSTALLED_APPS order), which is the order the run reports them in.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .deadlines import today_jst
from .models import PersonalDataAccessLog
from .privacy import personal_data_access_record, personal_data_retention_days

Event = TypeVar("Event")
# Rows per model label ("seminars.registration"): what the access log records.
RowCounts = Mapping[str, int]


@dataclass(frozen=True)
class EventRetention(Generic[Event]):
    name: str  # the events' model label, the entry's key: "seminars.seminar"
    # Events whose last day is before the cutoff and that still hold personal data, in order.
    due: Callable[[dt.date], Iterable[Event]]
    ended_on: Callable[[Event], dt.date]
    # What anonymize would blank (the dry run); read from ``due``'s rows, no further query.
    pending: Callable[[Event], RowCounts]
    # Blank one event's registrants, in a transaction of its own; returns what it blanked.
    anonymize: Callable[[Event, dt.datetime], RowCounts]
    describe: Callable[[RowCounts], str]  # the report line's label: 「参加申込 12件」


@dataclass(frozen=True)
class RecordRetention:
    name: str  # the entry's key: "accounts.login_records"
    days: Callable[[], int]  # the retention setting, read at each run
    # purge(days=..., dry_run=...): rows deleted, or with dry_run the rows that would be.
    purge: Callable[..., int]
    # Report lines, with %(days)d and %(count)d: after a run, and after a dry run.
    deleted_message: str
    dry_run_message: str


Entry = EventRetention | RecordRetention
EntryT = TypeVar("EntryT", EventRetention, RecordRetention)

_ENTRIES: dict[str, Entry] = {}


def register(entry: Entry) -> None:
    """Add ``entry``; registering a name again replaces that entry in its place."""
    _ENTRIES[entry.name] = entry


def unregister(name: str) -> None:
    del _ENTRIES[name]


def registered(kind: type[EntryT]) -> list[EntryT]:
    """The entries of ``kind`` (EventRetention or RecordRetention), in registration order."""
    return [entry for entry in _ENTRIES.values() if isinstance(entry, kind)]


# ---------------------------------------------------------------- the run over events


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
    return today_jst(now) - dt.timedelta(days=days)


def personal_data_purge(*, days: int | None = None, now: dt.datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Anonymize the registrants of every registered kind of event that ended more than ``days`` ago.

    Each event is its own transaction: an interrupted run leaves whole events done, and the
    next run finishes the rest. A run that finds nothing left changes nothing and records
    nothing. With ``dry_run`` only the counts are read.
    """
    days = personal_data_retention_days() if days is None else days
    if days < 0:
        raise ValueError("retention days must not be negative")
    now = now or timezone.now()
    report = PurgeReport(days=days, cutoff=retention_cutoff(days=days, now=now), dry_run=dry_run)

    rows: Counter[str] = Counter()
    for entry in registered(EventRetention):
        for event in entry.due(report.cutoff):
            counts = entry.pending(event) if dry_run else entry.anonymize(event, now)
            rows.update(counts)
            report.lines.append(
                PurgeLine(
                    event=str(event),
                    ended_on=entry.ended_on(event),
                    label=entry.describe(counts),
                    count=sum(counts.values()),
                )
            )

    if not dry_run:
        target = str(_("保存期間 %(days)d日（%(cutoff)s より前に終了したイベント）")) % {
            "days": days,
            "cutoff": report.cutoff.isoformat(),
        }
        for data, count in rows.items():
            if count:
                personal_data_access_record(
                    action=PersonalDataAccessLog.Action.RETENTION, data=data, row_count=count, target=target
                )
    return report
