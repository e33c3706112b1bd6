"""The retention registry (portal.retention): what the apps register and how the run uses it.

The seminar and summit rules themselves are tested through the command in test_privacy.py;
here small entries registered by the test show the registry's contract.
"""

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command

from portal import retention
from portal.deadlines import JAPAN
from portal.models import PersonalDataAccessLog
from portal.retention import EventRetention, RecordRetention, personal_data_purge, registered

NOW = dt.datetime(2027, 1, 10, 12, 0, tzinfo=JAPAN)


@dataclass
class Event:
    title: str
    ended_on: dt.date
    rows: dict[str, int]

    def __str__(self) -> str:
        return self.title


class EventEntry:
    """An EventRetention over fixed events that remembers how it was called."""

    def __init__(self, name: str, events: list[Event]) -> None:
        self.events = events
        self.due_cutoffs: list[dt.date] = []
        self.anonymized: list[tuple[str, dt.datetime]] = []
        self.entry = EventRetention(
            name=name,
            due=self.due,
            ended_on=lambda event: event.ended_on,
            pending=lambda event: event.rows,
            anonymize=self.anonymize,
            describe=lambda counts: " / ".join(f"{data} {count}" for data, count in counts.items()),
        )

    def due(self, cutoff: dt.date) -> list[Event]:
        self.due_cutoffs.append(cutoff)
        return [event for event in self.events if event.ended_on < cutoff]

    def anonymize(self, event: Event, now: dt.datetime) -> dict[str, int]:
        self.anonymized.append((event.title, now))
        return event.rows


@pytest.fixture
def register():
    """Register entries for one test; the apps' own entries stay and come first."""
    names = set()

    def add(entry) -> None:
        retention.register(entry)
        names.add(entry.name)

    yield add
    for name in names:
        retention.unregister(name)


def test_the_apps_register_their_entries_in_installed_apps_order():
    assert [entry.name for entry in registered(EventRetention)] == ["seminars.seminar", "summits.summit"]
    assert [entry.name for entry in registered(RecordRetention)] == ["accounts.login_records"]


def test_register_appends_in_order_and_a_name_registered_again_keeps_its_place(register):
    first, second = EventEntry("tests.first", []), EventEntry("tests.second", [])
    replacement = EventEntry("tests.first", [])

    register(first.entry)
    register(second.entry)
    register(replacement.entry)

    assert [entry.name for entry in registered(EventRetention)][-2:] == ["tests.first", "tests.second"]
    assert registered(EventRetention)[-2] is replacement.entry


def test_unregister_removes_the_entry():
    entry = EventEntry("tests.gone", []).entry
    retention.register(entry)

    retention.unregister("tests.gone")

    assert [entry.name for entry in registered(EventRetention)] == ["seminars.seminar", "summits.summit"]


@pytest.mark.django_db
def test_purge_asks_each_entry_for_the_events_due_before_the_cutoff_and_anonymizes_them_in_order(register):
    cutoff = dt.date(2026, 7, 14)  # 180 days before NOW in Japan
    talks = EventEntry(
        "tests.talk",
        [
            Event("old talk", dt.date(2026, 7, 13), {"tests.listener": 2}),
            Event("recent talk", dt.date(2026, 7, 14), {"tests.listener": 5}),
        ],
    )
    fairs = EventEntry("tests.fair", [Event("old fair", dt.date(2026, 1, 5), {"tests.listener": 1, "tests.stall": 3})])
    register(talks.entry)
    register(fairs.entry)

    report = personal_data_purge(days=180, now=NOW)

    assert (talks.due_cutoffs, fairs.due_cutoffs) == ([cutoff], [cutoff])
    assert (talks.anonymized, fairs.anonymized) == ([("old talk", NOW)], [("old fair", NOW)])
    assert [(line.event, line.ended_on, line.label, line.count) for line in report.lines] == [
        ("old talk", dt.date(2026, 7, 13), "tests.listener 2", 2),
        ("old fair", dt.date(2026, 1, 5), "tests.listener 1 / tests.stall 3", 4),
    ]
    assert (report.cutoff, report.total) == (cutoff, 6)
    target = "保存期間 180日（2026-07-14 より前に終了したイベント）"
    assert list(PersonalDataAccessLog.objects.order_by("pk").values_list("action", "data", "row_count", "target")) == [
        ("retention", "tests.listener", 3, target),
        ("retention", "tests.stall", 3, target),
    ]


@pytest.mark.django_db
def test_purge_dry_run_reports_the_pending_counts_and_anonymizes_nothing(register):
    talks = EventEntry("tests.talk", [Event("old talk", dt.date(2026, 1, 5), {"tests.listener": 7, "tests.guest": 0})])
    register(talks.entry)

    report = personal_data_purge(days=180, now=NOW, dry_run=True)

    assert talks.anonymized == []
    assert [(line.event, line.count) for line in report.lines] == [("old talk", 7)]
    assert (report.dry_run, report.total) == (True, 7)
    assert PersonalDataAccessLog.objects.count() == 0


@pytest.mark.django_db
def test_purge_records_no_access_log_row_for_a_model_with_nothing_blanked(register):
    register(EventEntry("tests.talk", [Event("old talk", dt.date(2026, 1, 5), {"tests.listener": 0})]).entry)

    personal_data_purge(days=180, now=NOW)

    assert PersonalDataAccessLog.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "dry_run", "line"),
    [((), False, "deleted visits (30 days): 4"), (("--dry-run",), True, "visits due (30 days): 4")],
)
def test_command_purges_each_registered_record_kind_with_its_own_days(register, args, dry_run, line):
    calls = []

    def purge(*, days: int, dry_run: bool) -> int:
        calls.append((days, dry_run))
        return 4

    register(
        RecordRetention(
            name="tests.visits",
            days=lambda: 30,
            purge=purge,
            deleted_message="deleted visits (%(days)d days): %(count)d",
            dry_run_message="visits due (%(days)d days): %(count)d",
        )
    )
    out = io.StringIO()

    call_command("purge_personal_data", *args, stdout=out)

    assert calls == [(30, dry_run)]
    assert out.getvalue().splitlines()[-2] == line
