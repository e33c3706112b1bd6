import datetime as dt

import pytest
from django.core.management import call_command

from organizations.models import Organization
from portal.deadlines import JAPAN, today_jst
from seminars.enums import AttendanceMode, ProgramItemKind
from seminars.models import Registration, Seminar
from tests.seminars.factories import make_municipality, make_registration, make_seminar

pytestmark = pytest.mark.django_db


def test_load_demo_seminars_nagano_exactly_as_the_flyer(client):
    nagano_city = make_municipality()
    for name in ("古牧地区住民自治協議会", "鬼無里地区住民自治協議会"):
        Organization.objects.create(name=name, municipality=nagano_city, is_published=True)

    call_command("load_demo_seminars", verbosity=0)

    seminar = Seminar.objects.get(slug="2025-nagano")
    assert seminar.title == "地域運営組織 全国セミナーin長野"
    assert (seminar.date, seminar.start_time, seminar.end_time) == (dt.date(2025, 9, 30), dt.time(13, 30), dt.time(17, 0))
    assert seminar.venue_name == "長野市生涯学習センター 第1・第2学習室"
    assert seminar.access_notes == "会場の駐車場には限りがあります。公共交通機関でお越しください。"
    assert seminar.deadline == dt.date(2025, 9, 23)
    assert (seminar.venue_capacity, seminar.online_capacity, seminar.venue_address) == (None, None, "")
    assert seminar.is_published is True and seminar.is_demo is False
    items = list(seminar.program_items.order_by("order"))
    assert [(i.kind, i.title) for i in items] == [
        (ProgramItemKind.POLICY, "総務省施策説明"),
        (ProgramItemKind.KEYNOTE, "コーディネーターの基調講演"),
        (ProgramItemKind.CASE_STUDY, "事例発表"),
        (ProgramItemKind.PANEL, "パネルディスカッション"),
        (ProgramItemKind.EXCHANGE, "登壇者との意見交換会"),
    ]
    assert (items[1].speaker_name, items[1].speaker_reading, items[1].speaker_affiliation) == (
        "高橋 由和",
        "たかはし よしかず",
        "特定非営利活動法人きらりよしじまネットワーク 常勤理事",
    )
    assert items[0].presenter_lines == ["総務省関連部署"]
    presenters = [(name, organization is not None) for name, organization in items[2].presenters()]
    assert presenters == [
        ("長野市 地域・市民生活部 地域活動支援課", False),
        ("古牧地区住民自治協議会", True),
        ("鬼無里地区住民自治協議会", True),
    ]
    assert items[4].venue_only is True

    html = client.get("/seminars/2025-nagano/").content.decode()
    assert "令和7年9月30日（火） 13:30～17:00" in html
    kominato = Organization.objects.get(name="古牧地区住民自治協議会")
    assert f'<a href="{kominato.get_absolute_url()}">古牧地区住民自治協議会</a>' in html
    assert "定員は主催者にお問い合わせください" not in html  # past: no registration section
    assert "このセミナーは終了しました。" in html


def test_load_demo_seminars_without_directory_keeps_presenters_as_text():
    call_command("load_demo_seminars", verbosity=0)

    case_study = Seminar.objects.get(slug="2025-nagano").program_items.get(kind=ProgramItemKind.CASE_STUDY)
    assert [organization for _, organization in case_study.presenters()] == [None, None, None]
    assert case_study.presenter_lines == [
        "長野市 地域・市民生活部 地域活動支援課",
        "古牧地区住民自治協議会",
        "鬼無里地区住民自治協議会",
    ]


def test_load_demo_seminars_drafts_have_no_invented_dates_and_are_hidden(client):
    call_command("load_demo_seminars", verbosity=0)

    drafts = Seminar.objects.filter(slug__in=["2025-aomori", "2025-fukushima", "2025-kagoshima"])
    assert [(s.is_published, s.date, s.deadline, s.venue_name) for s in drafts] == [(False, None, None, "")] * 3
    assert client.get("/seminars/2025-aomori/").status_code == 404


def test_load_demo_seminars_demo_is_labelled_and_open():
    call_command("load_demo_seminars", verbosity=0)

    demo = Seminar.objects.get(slug="demo-2027")
    assert demo.is_demo is True
    assert (demo.venue_capacity, demo.online_capacity) == (80, 400)
    assert demo.is_registration_open(dt.datetime(2026, 11, 26, 12, 0, tzinfo=JAPAN)) is True


def test_load_demo_seminars_is_idempotent():
    call_command("load_demo_seminars", verbosity=0)
    call_command("load_demo_seminars", verbosity=0)

    assert Seminar.objects.count() == 5
    assert Seminar.objects.get(slug="2025-nagano").program_items.count() == 5


def test_send_seminar_reminders_queues_once(queued_mails):
    today = today_jst()
    soon = make_seminar(date=today + dt.timedelta(days=2), deadline=today + dt.timedelta(days=1))
    later = make_seminar(date=today + dt.timedelta(days=20), deadline=today + dt.timedelta(days=10))
    registration = make_registration(soon, mode=AttendanceMode.ONLINE)
    make_registration(later)

    call_command("send_seminar_reminders", "--days", "3", verbosity=0)
    call_command("send_seminar_reminders", "--days", "3", verbosity=0)

    assert queued_mails() == [("seminars.reminder", registration.pk)]
    assert Registration.objects.get(pk=registration.pk).reminder_sent_at is not None


def test_load_demo_seminars_keynote_affiliation_links_to_directory(client):
    kirari = Organization.objects.create(
        name="特定非営利活動法人きらりよしじまネットワーク", municipality=make_municipality("063827", "川西町"), is_published=True
    )
    call_command("load_demo_seminars", verbosity=0)

    html = client.get("/seminars/2025-nagano/").content.decode()

    assert f'<a href="{kirari.get_absolute_url()}">特定非営利活動法人きらりよしじまネットワーク</a> 常勤理事 <strong>高橋 由和</strong>（たかはし よしかず）' in html
