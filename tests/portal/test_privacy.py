"""Retention (manage.py purge_personal_data), the access log's admin and the privacy page."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone

from portal.deadlines import JAPAN, today_jst
from portal.models import PersonalDataAccessLog
from portal.retention import personal_data_purge, retention_cutoff
from portal.roles import EVENT_STAFF, MINISTRY_STAFF, role_groups_sync
from seminars.enums import AttendanceMode, AttendeeCategory, RegistrationSource, RegistrationStatus
from seminars.models import Registration
from seminars.selectors import seminar_dashboard
from summits.models import Application, Delegate, Summit
from summits.services import application_create
from tests.clients import PortalClient
from tests.seminars.factories import make_municipality, make_registration, make_seminar
from tests.summits import factories as summit_factories

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return today_jst()


def _seminar_ended(days_ago: int, **overrides):
    day = _today() - dt.timedelta(days=days_ago)
    return make_seminar(date=day, deadline=day, **overrides)


def _fill(seminar) -> None:
    """One registration of each kind the statistics tell apart."""
    nagano = make_municipality()
    make_registration(seminar, municipality=nagano, checked_in_at=timezone.now(), joins_exchange=True)
    make_registration(seminar, municipality=nagano, category=AttendeeCategory.RMO, source=RegistrationSource.FLYER)
    make_registration(seminar, mode=AttendanceMode.ONLINE, category=AttendeeCategory.UNIVERSITY)
    make_registration(seminar, status=RegistrationStatus.WAITLISTED)
    make_registration(
        seminar, status=RegistrationStatus.CANCELLED, cancelled_at=timezone.now(), email="again@example.jp"
    )


def _summit_ended(days_ago: int) -> Summit:
    """A summit applied to while open, then moved so its last day is ``days_ago`` days back."""
    summit = summit_factories.make_summit()
    track = summit_factories.make_track(summit, capacity=10)
    application_create(
        summit=summit,
        municipality=summit_factories.make_municipality(),
        contact=summit_factories.contact(),
        delegates=[summit_factories.mayor(track=track), summit_factories.staff()],
        consent=True,
    )
    last_day = _today() - dt.timedelta(days=days_ago)
    Summit.objects.filter(pk=summit.pk).update(
        first_day=last_day - dt.timedelta(days=1), last_day=last_day, application_deadline=last_day - dt.timedelta(days=30)
    )
    return Summit.objects.get(pk=summit.pk)


def _purge(*args: str) -> str:
    out = io.StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def _statistics() -> dict:
    """What the statistics read: counts per seminar, mode, status, category, municipality and marks."""
    keys = ("seminar_id", "mode", "status", "category", "municipality_id", "joins_exchange", "source", "checked_in_at")
    seminars = {
        tuple(row[key] for key in keys): row["n"]
        for row in Registration.objects.values(*keys).annotate(n=Count("id")).order_by()
    }
    delegates = {
        tuple(row.values())
        for row in Delegate.objects.values(
            "application__summit_id", "application__municipality_id", "application__status", "role", "track_id"
        )
        .annotate(n=Count("id"))
        .order_by()
    }
    return {"seminars": seminars, "delegates": delegates}


def test_purge_anonymizes_an_event_that_ended_181_days_ago_and_keeps_one_that_ended_180_days_ago():
    due, kept = _seminar_ended(181), _seminar_ended(180)
    make_registration(due, name="期限切れ 太郎")
    make_registration(kept, name="保存中 花子")
    due_summit, kept_summit = _summit_ended(181), _summit_ended(180)

    output = _purge()

    assert Registration.objects.get(seminar=due).name == ""
    assert Registration.objects.get(seminar=kept).name == "保存中 花子"
    assert set(Delegate.objects.filter(application__summit=due_summit).values_list("name", flat=True)) == {""}
    assert set(Delegate.objects.filter(application__summit=kept_summit).values_list("name", flat=True)) == {
        "秋田 太郎",
        "随行 次郎",
    }
    assert Application.objects.get(summit=due_summit).contact_email == ""
    assert output.splitlines()[-1] == "匿名化した件数: 4件"  # 1 registration + 1 application + 2 delegates


def test_purge_days_option_overrides_the_setting(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 400
    seminar = _seminar_ended(181)
    make_registration(seminar)

    _purge()
    assert Registration.objects.get().anonymized_at is None

    _purge("--days", "180")
    assert Registration.objects.get().anonymized_at is not None


def test_purge_reads_the_retention_setting(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    seminar = _seminar_ended(31)
    make_registration(seminar)

    output = _purge()

    assert Registration.objects.get().anonymized_at is not None
    assert output.splitlines()[0] == f"保存期間 30日: {(_today() - dt.timedelta(days=30)).isoformat()} より前に終了したイベントが対象です。"


def test_purge_keeps_every_statistic_exactly():
    seminar = _seminar_ended(200)
    _fill(seminar)
    _summit_ended(200)
    statistics, dashboard = _statistics(), seminar_dashboard(seminar=seminar)

    _purge()

    assert Registration.objects.filter(anonymized_at__isnull=True).count() == 0
    assert _statistics() == statistics
    assert seminar_dashboard(seminar=seminar) == dashboard


def test_purge_second_run_changes_nothing_and_reports_zero():
    seminar = _seminar_ended(200)
    _fill(seminar)
    _summit_ended(200)
    _purge()
    rows = list(Registration.objects.order_by("pk").values())
    applications = list(Application.objects.order_by("pk").values())
    log_rows = PersonalDataAccessLog.objects.count()

    output = _purge()

    assert output.splitlines()[-1] == "匿名化した件数: 0件"
    assert list(Registration.objects.order_by("pk").values()) == rows
    assert list(Application.objects.order_by("pk").values()) == applications
    assert PersonalDataAccessLog.objects.count() == log_rows


def test_purge_dry_run_reports_the_counts_and_changes_nothing():
    seminar = _seminar_ended(200, title="乾燥の回")
    _fill(seminar)
    _summit_ended(200)
    rows = list(Registration.objects.order_by("pk").values())

    output = _purge("--dry-run")

    assert list(Registration.objects.order_by("pk").values()) == rows
    assert Application.objects.filter(anonymized_at__isnull=False).count() == 0
    assert PersonalDataAccessLog.objects.count() == 0
    lines = output.splitlines()
    assert f"  乾燥の回（{seminar.date.isoformat()}）: 参加申込 5件" in lines
    assert lines[-1] == "匿名化の対象: 8件（--dry-run のため変更していません）"  # 5 + 1 application + 2 delegates


def test_purge_records_the_run_without_a_user():
    _fill(_seminar_ended(200))

    _purge()

    log = PersonalDataAccessLog.objects.get()
    assert (log.user, log.action, log.data, log.row_count, log.client_address) == (
        None,
        "retention",
        "seminars.registration",
        5,
        None,
    )


def test_purge_refuses_negative_days():
    with pytest.raises(CommandError):
        _purge("--days", "-1")


def test_retention_cutoff_counts_days_in_japan():
    # 2027-01-10 00:30 JST is still 2027-01-09 in UTC.
    now = dt.datetime(2027, 1, 10, 0, 30, tzinfo=JAPAN)

    assert retention_cutoff(days=180, now=now) == dt.date(2026, 7, 14)


def test_purge_with_fixed_now_uses_the_day_boundary():
    now = dt.datetime(2027, 1, 10, 12, 0, tzinfo=JAPAN)
    day_181 = make_seminar(date=dt.date(2026, 7, 13), deadline=dt.date(2026, 7, 13))
    day_180 = make_seminar(date=dt.date(2026, 7, 14), deadline=dt.date(2026, 7, 14))
    make_registration(day_181)
    make_registration(day_180)

    report = personal_data_purge(days=180, now=now)

    assert [line.event for line in report.lines] == [day_181.title]
    assert report.total == 1


# ---------------------------------------------------------------- the access log's admin


def _member_of(group_name: str) -> PortalClient:
    groups = role_groups_sync()
    user = get_user_model().objects.create_user(username=f"user-{group_name}", password="x" * 12, is_staff=True)
    user.groups.add(groups[group_name])
    client = PortalClient()
    client.force_login(user)
    return client


def _a_log_row() -> PersonalDataAccessLog:
    return PersonalDataAccessLog.objects.create(
        username="someone", action="export", data="seminars.registration", file_format="csv", row_count=3
    )


def test_access_log_admin_is_read_only_for_ministry_staff():
    row = _a_log_row()
    client = _member_of(MINISTRY_STAFF)

    changelist = client.get("/admin/portal/personaldataaccesslog/")
    detail = client.get(f"/admin/portal/personaldataaccesslog/{row.pk}/change/")
    add = client.get("/admin/portal/personaldataaccesslog/add/")
    delete = client.post(f"/admin/portal/personaldataaccesslog/{row.pk}/delete/", {"post": "yes"})
    change = client.post(f"/admin/portal/personaldataaccesslog/{row.pk}/change/", {"username": "rewritten"})

    assert (changelist.status_code, detail.status_code) == (200, 200)
    assert changelist.context["cl"].result_count == 1
    assert (add.status_code, delete.status_code, change.status_code) == (403, 403, 403)
    assert PersonalDataAccessLog.objects.get().username == "someone"


def test_access_log_admin_is_closed_to_event_staff():
    _a_log_row()

    response = _member_of(EVENT_STAFF).get("/admin/portal/personaldataaccesslog/")

    assert response.status_code == 403


# ---------------------------------------------------------------- privacy page


def test_privacy_page_states_the_retention_period_when_given():
    html = render_to_string("portal/privacy.html", {"retention_days": 180})

    assert "セミナー又はサミットの終了日から180日を経過した後に削除します。" in html


def test_purge_help_renders():
    from portal.management.commands.purge_personal_data import Command

    text = Command().create_parser("manage.py", "purge_personal_data").format_help()

    assert "--dry-run" in text
    assert "PERSONAL_DATA_RETENTION_DAYS（現在 180日）" in text.replace("\n", "")


def test_purge_deletes_login_records_older_than_their_retention(settings):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    settings.LOGIN_RECORD_RETENTION_DAYS = 180
    now = timezone.now()
    extra_fields = {
        AccessLog: {},
        AccessFailureLog: {"locked_out": False},
        AccessAttempt: {"get_data": "", "post_data": "", "failures_since_start": 1},
    }
    for model, extra in extra_fields.items():
        for age in (181, 179):
            row = model.objects.create(
                username="nagano-city", ip_address="192.0.2.1", user_agent=f"UA {age}", path_info="/", **extra
            )
            model.objects.filter(pk=row.pk).update(attempt_time=now - dt.timedelta(days=age))

    dry = _purge("--dry-run")
    kept_by_dry_run = sum(model.objects.count() for model in (AccessLog, AccessFailureLog, AccessAttempt))
    output = _purge()

    assert "削除の対象のログイン記録（180日より前）: 3件" in dry.splitlines() and kept_by_dry_run == 6
    assert "削除したログイン記録（180日より前）: 3件" in output.splitlines()
    remaining = [model.objects.get().attempt_time for model in (AccessLog, AccessFailureLog, AccessAttempt)]
    assert all(now - at < dt.timedelta(days=180) for at in remaining)
