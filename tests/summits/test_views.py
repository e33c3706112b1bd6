import csv
import datetime as dt
import io

import icalendar
import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from portal.deadlines import today_jst
from portal.models import PersonalDataAccessLog
from summits.enums import ApplicationStatus
from summits.models import Application, Delegate, Summit
from summits.services import application_create, delegate_erase

from .factories import contact, make_course, make_municipality, make_prefecture, make_summit, make_track, mayor, staff

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def _post_data(*, municipality="秋田市", delegates=None, consent=True, prefix="delegates", **overrides) -> dict:
    delegates = delegates if delegates is not None else [{"role": "mayor", "name": "秋田 太郎", "name_kana": "あきた たろう", "title": "市長"}]
    data = {
        "prefecture": "",
        "municipality": municipality,
        "contact_name": "担当 花子",
        "contact_department": "企画課",
        "contact_email": "tanto@city.example.jp",
        "contact_phone": "018-000-0000",
        f"{prefix}-TOTAL_FORMS": str(len(delegates)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "10",
    }
    if consent:
        data["consent"] = "on"
    for index, delegate in enumerate(delegates):
        for key, value in delegate.items():
            data[f"{prefix}-{index}-{key}"] = value
    data.update(overrides)
    return data


def make_summit_from_slug(slug):
    return Summit.objects.get(slug=slug)


@pytest.fixture
def akita_city():
    return make_municipality(name="秋田市", code="052019")


# ---------------------------------------------------------------- list and detail


@pytest.mark.parametrize("rows", [1, 3])
def test_summit_list_query_count_is_constant(client, django_assert_num_queries, rows):
    for _ in range(rows):
        make_summit()

    with django_assert_num_queries(1):
        response = client.get(reverse("summits:summit_list"))

    assert response.status_code == 200
    assert len(response.context["upcoming"]) == rows


def test_summit_list_shows_seed_summits_as_past_and_demo_as_upcoming(client):
    call_command("load_demo_summits", verbosity=0)

    response = client.get(reverse("summits:summit_list"))

    assert [s.slug for s in response.context["past"]] == ["2025-akita", "2024-chiba"]
    assert [s.slug for s in response.context["upcoming"]] == ["demo-2027"]
    assert "令和7年10月27日（月）、28日（火）" in _text(response)
    assert "令和6年11月5日（火）、6日（水）" in _text(response)
    assert "2024-11-05～2024-11-06" in _text(response)
    assert _text(response).count("参加申込締切日") == 1  # the demo's, not the archive's
    assert "令和9年10月1日（金）" in _text(response)


def test_summit_detail_shows_seed_timetable_with_both_date_forms(client):
    call_command("load_demo_summits", verbosity=0)

    response = client.get(reverse("summits:summit_detail", kwargs={"slug": "2025-akita"}))

    html = _text(response)
    assert response.status_code == 200
    assert "令和7年10月27日（月）、28日（火）" in html
    assert "2025-10-27～2025-10-28" in html
    assert "令和7年10月3日（金）" in html and "(2025-10-03)" in html
    assert "13:00～18:50" in html
    assert "坂本 貴志</strong>（リクルートワークス研究所 研究員・アナリスト）" in html
    assert "14:40</time>～<time>15:50" in html and "16:10</time>～<time>17:20" in html
    assert "第2分科会「地域運営組織」" in html
    assert "若菜 千穂（特定非営利活動法人いわて地域づくり支援センター 常務理事）" in html
    facts = html.split("summit-facts")[1].split("</dl>")[0]
    assert "会場" not in facts  # the seed names no venue
    assert "参加を申し込む" not in html
    assert [len(day.sessions) for day in response.context["timetable"]] == [3, 1]


def test_summit_detail_query_count(client, django_assert_num_queries):
    call_command("load_demo_summits", verbosity=0)

    with django_assert_num_queries(5):
        client.get(reverse("summits:summit_detail", kwargs={"slug": "demo-2027"}))


def test_summit_detail_unpublished_is_404(client):
    summit = make_summit(is_published=False)

    response = client.get(summit.get_absolute_url())

    assert response.status_code == 404


def test_demo_summit_is_labelled_on_every_page(client, akita_city):
    call_command("load_demo_summits", verbosity=0)
    demo_url = reverse("summits:summit_detail", kwargs={"slug": "demo-2027"})
    application = application_create(
        summit=make_summit_from_slug("demo-2027"), municipality=akita_city, contact=contact(), delegates=[mayor()], consent=True
    )

    pages = [
        reverse("summits:summit_list"),
        demo_url,
        reverse("summits:track_detail", kwargs={"slug": "demo-2027", "number": 1}),
        reverse("summits:register", kwargs={"slug": "demo-2027"}),
        application.get_absolute_url(),
    ]
    for url in pages:
        assert 'summit-demo-badge">デモ</span>' in _text(client.get(url)), url


def test_track_detail_shows_coordinator_and_no_invented_presenters(client):
    call_command("load_demo_summits", verbosity=0)

    response = client.get(reverse("summits:track_detail", kwargs={"slug": "2024-chiba", "number": 2}))

    html = _text(response)
    assert response.status_code == 200
    assert "<h1>第2分科会「少子化対策」</h1>" in html
    assert "秋田 喜代美（学習院大学文学部教授・東京大学名誉教授）" in html
    assert "発表する市町村長" not in html


def test_track_detail_unknown_number_is_404(client):
    call_command("load_demo_summits", verbosity=0)

    assert client.get(reverse("summits:track_detail", kwargs={"slug": "2024-chiba", "number": 9})).status_code == 404


# ---------------------------------------------------------------- calendar


def test_summit_calendar_parses_back_with_tokyo_times(client):
    call_command("load_demo_summits", verbosity=0)

    response = client.get(reverse("summits:summit_calendar", kwargs={"slug": "2025-akita"}))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [
        "全国市町村長サミット2025in秋田 基調講演",
        "全国市町村長サミット2025in秋田 分科会①",
        "全国市町村長サミット2025in秋田 分科会②",
        "全国市町村長サミット2025in秋田 現地視察",
    ]
    keynote = events[0]
    assert keynote.decoded("DTSTART").isoformat() == "2025-10-27T13:20:00+09:00"
    assert keynote["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert keynote.decoded("DTEND").isoformat() == "2025-10-27T14:20:00+09:00"
    assert events[3].decoded("DTSTART") == dt.date(2025, 10, 28)
    assert events[3].decoded("DTEND") == dt.date(2025, 10, 29)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    assert len({str(e["UID"]) for e in events}) == 4


def test_session_calendar_has_one_event(client):
    call_command("load_demo_summits", verbosity=0)
    summit = make_summit_from_slug("2024-chiba")
    session = summit.sessions.get(kind="breakout", slot_label="②")

    response = client.get(reverse("summits:session_calendar", kwargs={"slug": "2024-chiba", "pk": session.pk}))

    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1
    assert events[0].decoded("DTSTART").isoformat() == "2024-11-05T16:10:00+09:00"
    assert "第1分科会「移住定住多様な人材の活用」" in str(events[0]["DESCRIPTION"])


def test_session_calendar_of_other_summit_is_404(client):
    call_command("load_demo_summits", verbosity=0)
    other = make_summit_from_slug("2024-chiba").sessions.first()

    response = client.get(reverse("summits:session_calendar", kwargs={"slug": "2025-akita", "pk": other.pk}))

    assert response.status_code == 404


# ---------------------------------------------------------------- registration


@pytest.mark.django_db(transaction=True)
def test_register_creates_application_and_redirects_to_token_page(client, run_queued_tasks):
    make_municipality(name="秋田市", code="052019")
    summit = make_summit()
    track = make_track(summit, capacity=5)
    delegates = [
        {"role": "mayor", "name": "秋田 太郎", "name_kana": "あきた たろう", "title": "市長", "track": str(track.pk)},
        {"role": "staff", "name": "随行 次郎", "name_kana": "ずいこう じろう", "title": "企画課長", "dietary_needs": "えび"},
    ]

    response = client.post(reverse("summits:register", kwargs={"slug": summit.slug}), _post_data(delegates=delegates))

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/summits/a/{application.token}/"
    assert application.municipality_id == "052019"
    assert [(d.name, d.track_id, d.dietary_needs) for d in application.delegates.all()] == [
        ("秋田 太郎", track.pk, ""),
        ("随行 次郎", None, "えび"),
    ]
    run_queued_tasks()
    assert [m.to for m in mail.outbox] == [["tanto@city.example.jp"]]


def test_register_by_code_and_by_prefecture_and_name(client, akita_city):
    summit = make_summit()
    other = make_summit()

    by_code = client.post(reverse("summits:register", kwargs={"slug": summit.slug}), _post_data(municipality="052019"))
    by_full_name = client.post(reverse("summits:register", kwargs={"slug": other.slug}), _post_data(municipality="秋田県秋田市"))

    assert (by_code.status_code, by_full_name.status_code) == (302, 302)
    assert Application.objects.filter(municipality=akita_city).count() == 2


def test_register_unknown_municipality_shows_message(client, akita_city):
    summit = make_summit()

    response = client.post(reverse("summits:register", kwargs={"slug": summit.slug}), _post_data(municipality="存在しない町"))

    assert response.status_code == 200
    assert response.context["form"].errors["municipality"] == [
        "該当する市区町村が見つかりません。団体名または6桁の団体コードを確認してください。"
    ]
    assert Application.objects.count() == 0


def test_register_ambiguous_name_asks_for_prefecture(client):
    make_municipality(name="府中市", code="132063", prefecture=make_prefecture("13", "東京都"))
    make_municipality(name="府中市", code="342084", prefecture=make_prefecture("34", "広島県"))
    summit = make_summit()

    ambiguous = client.post(reverse("summits:register", kwargs={"slug": summit.slug}), _post_data(municipality="府中市"))
    narrowed = client.post(
        reverse("summits:register", kwargs={"slug": summit.slug}), _post_data(municipality="府中市", prefecture="34")
    )

    assert ambiguous.context["form"].errors["municipality"] == [
        "同じ名前の市区町村が複数あります。都道府県を選ぶか、団体コードを入力してください: 東京都府中市（132063）、広島県府中市（342084）"
    ]
    assert narrowed.status_code == 302
    assert Application.objects.get().municipality_id == "342084"


def test_register_second_application_for_municipality_shows_message(client, akita_city):
    summit = make_summit()
    application_create(summit=summit, municipality=akita_city, contact=contact(), delegates=[mayor()], consent=True)

    response = client.post(reverse("summits:register", kwargs={"slug": summit.slug}), _post_data())

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "秋田県秋田市はすでにこのサミットに申し込んでいます。申込完了メールのリンクから内容を変更してください。"
    ]
    assert Application.objects.count() == 1


def test_register_full_track_keeps_input_and_lists_room(client, akita_city):
    summit = make_summit()
    full = make_track(summit, number=1, capacity=1, theme="地域交通")
    make_track(summit, number=2, capacity=4, theme="地域運営組織")
    application_create(
        summit=summit, municipality=make_municipality(), contact=contact(), delegates=[mayor(track=full)], consent=True
    )
    delegates = [{"role": "mayor", "name": "秋田 太郎", "name_kana": "あきた たろう", "title": "市長", "track": str(full.pk)}]

    response = client.post(reverse("summits:register", kwargs={"slug": summit.slug}), _post_data(delegates=delegates))

    html = _text(response)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["track"] == [
        "第1分科会「地域交通」は満員です（残り0名）。ほかの分科会を選ぶか、「参加しない」を選んでください。"
    ]
    assert "第2分科会「地域運営組織」（残り4名）" in html
    assert 'value="秋田 太郎"' in html
    assert 'value="担当 花子"' in html
    assert "第1分科会「地域交通」（満員）" in html
    assert Application.objects.filter(municipality=akita_city).count() == 0


def test_register_without_consent_is_a_form_error(client, akita_city):
    summit = make_summit()

    response = client.post(reverse("summits:register", kwargs={"slug": summit.slug}), _post_data(consent=False))

    assert response.status_code == 200
    assert response.context["form"].errors["consent"] == ["個人情報の利用目的に同意してください。"]


def test_register_after_deadline_shows_closed_notice(client):
    summit = make_summit(
        first_day=dt.date(2025, 10, 27), last_day=dt.date(2025, 10, 28), application_deadline=dt.date(2025, 10, 3)
    )

    response = client.get(reverse("summits:register", kwargs={"slug": summit.slug}))

    assert "参加申込の受付は令和7年10月3日（金）で締め切りました。" in _text(response)
    assert "<form method=\"post\"" not in _text(response)


def test_register_post_after_deadline_is_refused(client, akita_city):
    summit = make_summit(
        first_day=dt.date(2025, 10, 27), last_day=dt.date(2025, 10, 28), application_deadline=dt.date(2025, 10, 3)
    )

    response = client.post(reverse("summits:register", kwargs={"slug": summit.slug}), _post_data())

    assert [str(m) for m in response.context["messages"]] == ["参加申込の受付は締め切りました。"]
    assert Application.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [
        {"municipality": "秋田市"},  # no management form at all
        {"delegates-TOTAL_FORMS": "abc", "delegates-INITIAL_FORMS": "0"},
        {"delegates-TOTAL_FORMS": "1", "delegates-INITIAL_FORMS": "zero"},
    ],
)
def test_register_malformed_post_is_400(client, akita_city, data):
    summit = make_summit()

    response = client.post(reverse("summits:register", kwargs={"slug": summit.slug}), data)

    assert response.status_code == 400
    assert Application.objects.count() == 0


def test_register_too_many_delegates_is_a_form_error_not_500(client, akita_city):
    summit = make_summit()
    delegates = [{"role": "staff", "name": f"職員{i}", "name_kana": "しょくいん", "title": "主事"} for i in range(11)]

    response = client.post(reverse("summits:register", kwargs={"slug": summit.slug}), _post_data(delegates=delegates))

    assert response.status_code == 200
    assert Application.objects.count() == 0


def test_register_tampered_track_id_is_a_form_error(client, akita_city):
    summit = make_summit()
    make_track(summit)
    other_track = make_track(make_summit())
    delegates = [{"role": "mayor", "name": "秋田 太郎", "name_kana": "あきた", "title": "市長", "track": str(other_track.pk)}]

    response = client.post(reverse("summits:register", kwargs={"slug": summit.slug}), _post_data(delegates=delegates))

    assert response.status_code == 200
    assert Application.objects.count() == 0


# ---------------------------------------------------------------- token page


def test_application_detail_prefills_and_updates(client, akita_city):
    summit = make_summit()
    track = make_track(summit, capacity=5)
    application = application_create(
        summit=summit, municipality=akita_city, contact=contact(), delegates=[mayor(track=track)], consent=True
    )
    url = application.get_absolute_url()

    page = client.get(url)
    delegates = [
        {"role": "deputy_mayor", "name": "副 市長", "name_kana": "ふく しちょう", "title": "副市長", "track": str(track.pk)},
        {"role": "staff", "name": "随行 次郎", "name_kana": "ずいこう じろう", "title": "企画課長"},
    ]
    response = client.post(url, _post_data(delegates=delegates, municipality="無視される"))

    assert 'value="秋田 太郎"' in _text(page)
    assert response.status_code == 302
    assert [(d.role, d.name) for d in application.delegates.all()] == [("deputy_mayor", "副 市長"), ("staff", "随行 次郎")]
    assert application.municipality_id == "052019"


def test_application_detail_unknown_token_is_404(client):
    assert client.get(reverse("summits:application_detail", kwargs={"token": "x" * 43})).status_code == 404


def test_application_detail_after_deadline_is_read_only(client, akita_city):
    summit = make_summit()
    application = application_create(summit=summit, municipality=akita_city, contact=contact(), delegates=[mayor()], consent=True)
    summit.application_deadline = dt.date(2025, 10, 3)
    summit.first_day, summit.last_day = dt.date(2025, 10, 27), dt.date(2025, 10, 28)
    summit.save()

    response = client.get(application.get_absolute_url())

    assert response.context["can_change"] is False
    assert "締切後の変更は事務局へご連絡ください。" in _text(response)
    assert "<form method=\"post\" novalidate>" not in _text(response)


def test_application_withdraw_cancels(client, akita_city):
    summit = make_summit()
    application = application_create(summit=summit, municipality=akita_city, contact=contact(), delegates=[mayor()], consent=True)

    response = client.post(reverse("summits:application_withdraw", kwargs={"token": application.token}))

    application.refresh_from_db()
    assert response.status_code == 302
    assert application.status == ApplicationStatus.CANCELLED


# ---------------------------------------------------------------- staff


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_user(username="staff", password="x" * 12, is_staff=True)
    # The export carries each application's contact person too: both view permissions.
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_delegate", "view_application"], content_type__app_label="summits")
    )
    client.force_login(user)
    return client


@pytest.fixture
def summit_with_delegation(akita_city):
    summit = make_summit(slug="staff-test")
    track = make_track(summit, number=1, capacity=10, theme="地域運営組織")
    course = make_course(summit, name="Aコース", capacity=5)
    application_create(
        summit=summit,
        municipality=akita_city,
        contact=contact(),
        delegates=[mayor(track=track, course=course), staff(track=track)],
        consent=True,
    )
    return summit


STAFF_URLS = [
    ("summits:staff_overview", {}),
    ("summits:staff_name_cards", {}),
    ("summits:staff_export", {"fmt": "csv"}),
    ("summits:staff_export", {"fmt": "xlsx"}),
]


@pytest.mark.parametrize(("name", "kwargs"), STAFF_URLS)
def test_staff_pages_redirect_anonymous_to_login(client, summit_with_delegation, name, kwargs):
    response = client.get(reverse(name, kwargs={"slug": "staff-test", **kwargs}))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(("name", "kwargs"), STAFF_URLS)
def test_staff_pages_refuse_non_staff_users(client, summit_with_delegation, name, kwargs):
    client.force_login(get_user_model().objects.create_user(username="citizen", password="x" * 12))

    response = client.get(reverse(name, kwargs={"slug": "staff-test", **kwargs}))

    assert response.status_code == 302


@pytest.mark.parametrize(("name", "kwargs"), STAFF_URLS)
def test_staff_pages_refuse_staff_without_delegate_permission(client, summit_with_delegation, name, kwargs):
    client.force_login(get_user_model().objects.create_user(username="editor", password="x" * 12, is_staff=True))

    response = client.get(reverse(name, kwargs={"slug": "staff-test", **kwargs}))

    assert response.status_code == 403


def test_staff_overview_lists_participants_per_track_course_and_prefecture(staff_client, summit_with_delegation):
    response = staff_client.get(reverse("summits:staff_overview", kwargs={"slug": "staff-test"}))

    tracks = [(entry.item.theme, entry.taken, [d.name for d in people]) for entry, people in response.context["tracks"]]
    courses = [(entry.item.name, entry.taken, [d.name for d in people]) for entry, people in response.context["courses"]]
    prefectures = [(p.name, [a.municipality.name for a in apps]) for p, apps in response.context["prefectures"]]
    assert tracks == [("地域運営組織", 2, ["秋田 太郎", "随行 次郎"])]
    assert courses == [("Aコース", 1, ["秋田 太郎"])]
    assert prefectures == [("秋田県", ["秋田市"])]


def test_staff_export_csv(staff_client, summit_with_delegation):
    response = staff_client.get(reverse("summits:staff_export", kwargs={"slug": "staff-test", "fmt": "csv"}))

    lines = response.content.decode("utf-8-sig").splitlines()
    # The same file as the admin's export writes: a BOM for Excel, named after the summit and the day.
    assert response.content.startswith("\ufeffサミット,".encode())
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="summit-staff-test-delegates-{today_jst():%Y%m%d}.csv"'
    assert lines[0].split(",")[:8] == ["サミット", "都道府県", "団体コード", "市区町村", "区分", "氏名", "ふりがな", "役職"]
    assert lines[1].split(",")[1:11] == [
        "秋田県", "052019", "秋田県秋田市", "首長", "秋田 太郎", "あきた たろう", "市長", "", "第1分科会「地域運営組織」", "Aコース",
    ]
    assert len(lines) == 3


def test_staff_export_xlsx(staff_client, summit_with_delegation):
    response = staff_client.get(reverse("summits:staff_export", kwargs={"slug": "staff-test", "fmt": "xlsx"}))

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert workbook.sheetnames == ["参加者"]
    assert response["Content-Disposition"] == f'attachment; filename="summit-staff-test-delegates-{today_jst():%Y%m%d}.xlsx"'
    assert rows[0][5] == "氏名"
    assert [row[5] for row in rows[1:]] == ["秋田 太郎", "随行 次郎"]


def test_staff_export_unknown_format_is_404(staff_client, summit_with_delegation):
    response = staff_client.get(reverse("summits:staff_export", kwargs={"slug": "staff-test", "fmt": "pdf"}))

    assert response.status_code == 404


def test_staff_name_cards_lists_live_delegates(staff_client, summit_with_delegation):
    response = staff_client.get(reverse("summits:staff_name_cards", kwargs={"slug": "staff-test"}))

    html = _text(response)
    assert html.count('class="summit-namecard"') == 2
    assert '<p class="summit-namecard-org">秋田県秋田市</p>' in html
    assert "css/summits_namecards.css" in html


def test_cancelled_delegations_are_not_in_staff_lists(staff_client, summit_with_delegation):
    Application.objects.update(status=ApplicationStatus.CANCELLED)

    response = staff_client.get(reverse("summits:staff_name_cards", kwargs={"slug": "staff-test"}))

    assert _text(response).count('class="summit-namecard"') == 0
    assert Delegate.objects.count() == 2


def test_application_detail_blanking_a_row_removes_that_person(client, akita_city):
    summit = make_summit()
    application = application_create(
        summit=summit, municipality=akita_city, contact=contact(), delegates=[mayor(), staff()], consent=True
    )
    delegates = [
        {"role": "mayor", "name": "秋田 太郎", "name_kana": "あきた たろう", "title": "市長"},
        {"role": "staff", "name": "", "name_kana": "", "title": ""},
    ]
    data = _post_data(delegates=delegates)
    data["delegates-INITIAL_FORMS"] = "2"

    response = client.post(application.get_absolute_url(), data)

    assert response.status_code == 302
    assert [d.name for d in application.delegates.all()] == ["秋田 太郎"]


def test_register_first_row_is_required(client, akita_city):
    summit = make_summit()
    delegates = [{"role": "mayor", "name": "", "name_kana": "", "title": ""}]

    response = client.post(reverse("summits:register", kwargs={"slug": summit.slug}), _post_data(delegates=delegates))

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["name"] == ["氏名を入力してください。"]
    assert Application.objects.count() == 0


def test_application_detail_malformed_post_is_400(client, akita_city):
    application = application_create(
        summit=make_summit(), municipality=akita_city, contact=contact(), delegates=[mayor()], consent=True
    )

    response = client.post(application.get_absolute_url(), {"contact_name": "x"})

    assert response.status_code == 400
    assert [d.name for d in application.delegates.all()] == ["秋田 太郎"]


def test_summit_detail_links_the_print_stylesheet(client):
    summit = make_summit()

    html = _text(client.get(summit.get_absolute_url()))

    assert '<link rel="stylesheet" href="/static/css/summits.css">' in html


# ---------------------------------------------------------------- personal data: access log


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_staff_export_writes_one_access_log_row(staff_client, summit_with_delegation, fmt):
    staff_client.get(reverse("summits:staff_export", kwargs={"slug": "staff-test", "fmt": fmt}))

    log = PersonalDataAccessLog.objects.get()
    assert (log.username, log.action, log.data, log.file_format, log.row_count, log.target, log.client_address) == (
        "staff",
        "export",
        "summits.delegate",
        fmt,
        2,
        summit_with_delegation.title,
        "127.0.0.1",
    )
    assert log.user == get_user_model().objects.get(username="staff")


def test_staff_name_cards_writes_an_access_log_row_and_leaves_out_deleted_people(staff_client, summit_with_delegation):
    delegate_erase(delegate=Delegate.objects.get(role="staff"))

    response = staff_client.get(reverse("summits:staff_name_cards", kwargs={"slug": "staff-test"}))

    assert _text(response).count('class="summit-namecard"') == 1
    log = PersonalDataAccessLog.objects.get()
    assert (log.username, log.action, log.data, log.file_format, log.row_count) == ("staff", "print", "summits.delegate", "", 1)


def test_staff_export_needs_the_application_view_permission_too(client, summit_with_delegation):
    user = get_user_model().objects.create_user(username="delegates-only", password="x" * 12, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_delegate", content_type__app_label="summits"))
    client.force_login(user)

    export = client.get(reverse("summits:staff_export", kwargs={"slug": "staff-test", "fmt": "csv"}))
    overview = client.get(reverse("summits:staff_overview", kwargs={"slug": "staff-test"}))

    assert (export.status_code, overview.status_code) == (403, 200)
    assert PersonalDataAccessLog.objects.count() == 0


@pytest.mark.parametrize(("name", "kwargs"), STAFF_URLS)
def test_refused_staff_pages_write_no_access_log(client, summit_with_delegation, name, kwargs):
    client.force_login(get_user_model().objects.create_user(username="editor", password="x" * 12, is_staff=True))

    client.get(reverse(name, kwargs={"slug": "staff-test", **kwargs}))

    assert PersonalDataAccessLog.objects.count() == 0


def test_staff_exports_neutralise_formulas_in_csv_and_excel(staff_client, akita_city):
    summit = make_summit(slug="formula")
    application_create(
        summit=summit, municipality=akita_city, contact=contact(), delegates=[mayor(name="+cmd|' /C calc'!A0")], consent=True
    )

    csv_response = staff_client.get(reverse("summits:staff_export", kwargs={"slug": "formula", "fmt": "csv"}))
    xlsx_response = staff_client.get(reverse("summits:staff_export", kwargs={"slug": "formula", "fmt": "xlsx"}))

    csv_rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert csv_rows[1][5] == "'+cmd|' /C calc'!A0"
    cell = openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).active.cell(row=2, column=6)
    assert (cell.data_type, cell.value) == ("s", "'+cmd|' /C calc'!A0")
