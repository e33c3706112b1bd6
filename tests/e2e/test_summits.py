"""全国市町村長サミット in a real browser: a delegation applies on a phone, a full track,
the accessibility and HTML checks of every public summit page, and the printed timetable.

The data is the seed document's summits plus the invented demo summit (demo-2027, deadline
令和9年10月1日), loaded with the municipality master, exactly as a newcomer's `setup_demo` does.
"""

import re
from urllib.parse import urlsplit

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command

from municipalities.models import Municipality
from summits.enums import DelegateRole
from summits.models import Application, BreakoutTrack, SiteVisitCourse, Summit
from summits.services import ContactInput, DelegateInput, application_create

from .checks import assert_accessible, format_html_errors, html_check_many

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SITE = "総務省 地域振興室"
DEMO = "demo-2027"
DEMO_TITLE = "全国市町村長サミット2027（デモ）"
AKITA_TITLE = "全国市町村長サミット2025in秋田"
TRACK_1 = "第1分科会「（デモ）地域交通」"
TRACK_2 = "第2分科会「（デモ）地域運営組織」"  # capacity 3
COURSE_A = "（デモ）Aコース 拠点施設の見学"  # capacity 20
COURSE_B = "（デモ）Bコース 農村地域の見学"  # capacity 2
A4_WIDTH_PX = 794  # 210 mm at 96 px per inch
A4_PRINTABLE_WIDTH_PX = 703  # 186 mm: A4 less the 12 mm side margins of summits.css's @page


@pytest.fixture
def summits_demo(municipality_master) -> None:
    call_command("load_demo_summits", verbosity=0)


def _run_queued_tasks() -> None:
    """Send the queued mail now, as the db_worker process would."""
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", "--no-reload", verbosity=0)


def _municipality(code: str) -> Municipality:
    return Municipality.objects.select_related("prefecture").get(code=code)


def _apply(*, code: str, delegates: list[DelegateInput]) -> Application:
    """Another delegation's application, through the same service the form uses."""
    return application_create(
        summit=Summit.objects.get(slug=DEMO),
        municipality=_municipality(code),
        contact=ContactInput(name="他団体 担当", department="企画課", email="tanto@example.jp", phone="000-000-0000"),
        delegates=delegates,
        consent=True,
    )


def _delegate(role: str, name: str, *, track: int | None = None, course: str | None = None) -> DelegateInput:
    return DelegateInput(
        role=role,
        name=name,
        name_kana="たにん",
        title="市長" if role == DelegateRole.MAYOR else "職員",
        track_id=BreakoutTrack.objects.get(summit__slug=DEMO, number=track).pk if track else None,
        site_visit_course_id=SiteVisitCourse.objects.get(summit__slug=DEMO, name=course).pk if course else None,
    )


def _texts(locator) -> list[str]:
    return [" ".join(text.split()) for text in locator.all_inner_texts()]


def _selected_label(page, selector: str) -> str:
    return page.locator(selector).evaluate("select => select.selectedOptions[0].textContent")


def _choose(page, selector: str, item: str) -> None:
    """Pick the option for a track or course whatever its seat count says (「…（残り3名）」)."""
    options = page.locator(f"{selector} option").evaluate_all("os => os.map(o => [o.value, o.textContent])")
    [value] = [value for value, text in options if text.startswith(item)]
    page.locator(selector).select_option(value)


def _fill_application(page, *, municipality: str, delegates: list[dict]) -> None:
    """The form as a municipality's staff fills it in: who applies, who to contact, who comes."""
    page.locator("#id_municipality").fill(municipality)
    page.locator("#id_contact_name").fill("担当 花子")
    page.locator("#id_contact_department").fill("企画課")
    page.locator("#id_contact_email").fill("tanto@city.akita.example.jp")
    page.locator("#id_contact_phone").fill("018-000-0000")
    for index, delegate in enumerate(delegates):
        row = f"#id_delegates-{index}"
        page.locator(f"{row}-role").select_option(delegate["role"])
        page.locator(f"{row}-name").fill(delegate["name"])
        page.locator(f"{row}-name_kana").fill(delegate["name_kana"])
        page.locator(f"{row}-title").fill(delegate["title"])
        if "email" in delegate:
            page.locator(f"{row}-email").fill(delegate["email"])
        if "track" in delegate:
            _choose(page, f"{row}-track", delegate["track"])
        if "course" in delegate:
            _choose(page, f"{row}-site_visit_course", delegate["course"])
    page.get_by_label("入力した個人情報を、本サミットの運営").check()


MAYOR = {
    "role": "mayor", "name": "秋田 太郎", "name_kana": "あきた たろう", "title": "市長", "email": "mayor@city.akita.example.jp",
}
STAFF = {"role": "staff", "name": "企画 次郎", "name_kana": "きかく じろう", "title": "企画課長"}


# ---------------------------------------------------------------- 1. a delegation applies on a phone
def test_delegation_applies_on_phone_gets_mail_and_changes_track(live_server, summits_demo, phone_page, screenshot):
    page = phone_page

    # The list: the demo summit is the upcoming one, the seed's summits are the archive.
    page.goto(live_server.url + "/summits/")
    assert page.title() == f"全国市町村長サミット | {SITE}"
    assert _texts(page.locator("#upcoming-heading + * .card-title")) == [f"デモ {DEMO_TITLE}"]
    assert _texts(page.locator("#past-heading + * .card-title a")) == [AKITA_TITLE, "全国市町村長サミット2024in千葉"]
    screenshot(page, "summit-list")

    # The demo summit, labelled デモ where the eye lands first.
    page.get_by_role("link", name=DEMO_TITLE).click()
    assert page.url == f"{live_server.url}/summits/{DEMO}/"
    assert page.title() == f"【デモ】{DEMO_TITLE} | {SITE}"
    assert page.locator("h1 .summit-demo-badge").is_visible()
    assert page.locator("h1").inner_text().split() == ["デモ", DEMO_TITLE]
    assert page.locator(".summit-demo-notice").is_visible()
    screenshot(page, "summit-detail", full_page=False)

    # The two-day timetable, each day with its date both ways.
    assert _texts(page.locator(".summit-day-heading")) == [
        "1日目 令和9年10月25日（月） (2027-10-25) 13:00～18:50",
        "2日目 令和9年10月26日（火） (2027-10-26)",
    ]
    day1, day2 = page.locator(".summit-day").all()
    assert _texts(day1.locator(".summit-session-time")) == [
        "13:00～13:20", "13:20～14:20", "14:40～15:50", "16:10～17:20", "17:40～18:50",
    ]
    assert _texts(day1.locator(".summit-session-body h4")) == [
        "開会", "基調講演（デモ）地域の担い手をどう育てるか", "分科会①", "分科会②", "交流会",
    ]
    assert _texts(day2.locator(".summit-session-time")) == ["09:00～15:00"]
    assert _texts(day2.locator(".summit-courses > li > strong")) == [COURSE_A, COURSE_B]
    # On a phone the timetable reads in one column, without sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    day1.scroll_into_view_if_needed()
    screenshot(page, "timetable")

    # The register form.
    page.get_by_role("link", name="参加を申し込む").click()
    assert page.url == f"{live_server.url}/summits/{DEMO}/register/"
    assert page.locator("h1").inner_text().split() == ["デモ", f"{DEMO_TITLE}", "参加申込"]
    assert _texts(page.locator(".summit-availability li")) == [
        f"{TRACK_1}: 残り40名", f"{TRACK_2}: 残り3名", f"{COURSE_A}: 残り20名", f"{COURSE_B}: 残り2名",
    ]
    screenshot(page, "register-empty")

    _fill_application(
        page,
        municipality="秋田市",
        delegates=[
            {**MAYOR, "track": TRACK_1, "course": COURSE_A},
            {**STAFF, "track": TRACK_2, "course": COURSE_B},
        ],
    )
    screenshot(page, "register-filled")
    page.get_by_role("button", name="申し込む").click()

    # The confirmation: the delegation's own page behind its token.
    application = Application.objects.get(summit__slug=DEMO)
    assert page.url == live_server.url + application.get_absolute_url()
    assert _texts(page.locator(".site-messages .alert")) == [
        "参加申込を受け付けました。確認メールを送りました。このページのURLから締切まで変更できます。"
    ]
    assert page.locator("dd").nth(1).inner_text() == "秋田県秋田市（052019）"
    delegates = application.delegates.order_by("pk")
    assert [(d.role, d.name, d.track.theme, d.site_visit_course.name) for d in delegates] == [
        ("mayor", "秋田 太郎", "（デモ）地域交通", COURSE_A),
        ("staff", "企画 次郎", "（デモ）地域運営組織", COURSE_B),
    ]
    screenshot(page, "confirmation")
    assert_accessible(page)

    # The mail, sent by the worker after the commit, with the program as an .ics file.
    mail.outbox.clear()
    _run_queued_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["tanto@city.akita.example.jp"]
    assert message.subject == f"【デモ】参加申込を受け付けました: {DEMO_TITLE}"
    assert "※これはデモのサミットです。実際には開催されません。" in message.body
    assert f"  分科会: {TRACK_2}\n" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{DEMO}.ics", "text/calendar; charset=utf-8")
    calendar = icalendar.Calendar.from_ical(content)
    assert len(calendar.walk("VEVENT")) == 6
    edit_url = re.search(r"^(https?://\S+/summits/a/\S+/)$", message.body, re.MULTILINE).group(1)
    assert urlsplit(edit_url).path == application.get_absolute_url()

    # The token link from the mail: move the staff member to the first track.
    page.goto(live_server.url + urlsplit(edit_url).path)
    assert page.locator("h1").inner_text().split() == ["デモ", "参加申込の確認・変更"]
    assert page.locator("#id_delegates-1-name").input_value() == "企画 次郎"
    assert _selected_label(page, "#id_delegates-1-track").startswith(TRACK_2)
    _choose(page, "#id_delegates-1-track", TRACK_1)
    page.locator("#id_delegates-1-track").scroll_into_view_if_needed()
    screenshot(page, "edit-track-changed", full_page=False)
    page.get_by_role("button", name="変更を保存する").click()

    assert page.url == live_server.url + application.get_absolute_url()
    assert _texts(page.locator(".site-messages .alert")) == ["申込内容を変更しました。確認メールを送りました。"]
    assert [d.track.theme for d in application.delegates.order_by("pk")] == ["（デモ）地域交通", "（デモ）地域交通"]
    assert _selected_label(page, "#id_delegates-1-track").startswith(TRACK_1)
    assert _texts(page.locator(".summit-availability li"))[:2] == [f"{TRACK_1}: 残り38名", f"{TRACK_2}: 残り3名"]
    screenshot(page, "edit-saved")

    mail.outbox.clear()
    _run_queued_tasks()
    assert [m.subject for m in mail.outbox] == [f"【デモ】参加申込の内容を変更しました: {DEMO_TITLE}"]


# ---------------------------------------------------------------- 2. a full track
def test_full_track_shows_room_left_and_keeps_typed_input(live_server, summits_demo, device_page, screenshot):
    page = device_page
    # Two of the small track's three seats are taken before the form is opened.
    _apply(code="052027", delegates=[
        _delegate(DelegateRole.MAYOR, "能代 一郎", track=2),
        _delegate(DelegateRole.STAFF, "能代 二郎", track=2),
    ])
    page.goto(f"{live_server.url}/summits/{DEMO}/register/")
    assert _texts(page.locator(".summit-availability li"))[:2] == [f"{TRACK_1}: 残り40名", f"{TRACK_2}: 残り1名"]
    _fill_application(page, municipality="052019", delegates=[{**MAYOR, "track": TRACK_2, "course": COURSE_B}])
    page.locator("#id_delegates-0-dietary_needs").fill("えびアレルギー")

    # While the form is being filled in, another delegation takes the last seat.
    _apply(code="052035", delegates=[_delegate(DelegateRole.MAYOR, "横手 三郎", track=2)])
    page.get_by_role("button", name="申し込む").click()

    # Refused: the page names the full track and the ones with room; nothing was saved.
    assert page.url == f"{live_server.url}/summits/{DEMO}/register/"
    full = f"{TRACK_2}は満員です（残り0名）。ほかの分科会を選ぶか、「参加しない」を選んでください。"
    assert _texts(page.locator("#id_delegates-0-track ~ .invalid-feedback")) == [full]
    assert _texts(page.locator(".error-summary-list li")) == [f"参加者 1: {full}"]
    assert _texts(page.locator(".summit-availability li"))[:2] == [f"{TRACK_1}: 残り40名", f"{TRACK_2}: 満員"]
    assert page.locator("#id_delegates-0-track option").all_inner_texts() == [
        "参加しない", f"{TRACK_1}（残り40名）", f"{TRACK_2}（満員）",
    ]
    assert not Application.objects.filter(municipality__code="052019").exists()
    # What was typed is still there, the choice of the full track included.
    assert page.locator("#id_municipality").input_value() == "052019"
    assert page.locator("#id_contact_email").input_value() == "tanto@city.akita.example.jp"
    assert page.locator("#id_delegates-0-name").input_value() == "秋田 太郎"
    assert page.locator("#id_delegates-0-dietary_needs").input_value() == "えびアレルギー"
    assert _selected_label(page, "#id_delegates-0-track") == f"{TRACK_2}（満員）"
    assert _selected_label(page, "#id_delegates-0-site_visit_course") == f"{COURSE_B}（残り2名）"

    assert page.locator("#id_consent").is_checked()
    screenshot(page, "track-full")
    assert_accessible(page)

    # Choosing a track with room is all it takes to apply.
    page.locator("#id_delegates-0-track").select_option(label=f"{TRACK_1}（残り40名）")
    page.get_by_role("button", name="申し込む").click()

    application = Application.objects.get(municipality__code="052019")
    assert page.url == live_server.url + application.get_absolute_url()
    assert [(d.track.number, d.dietary_needs) for d in application.delegates.all()] == [(1, "えびアレルギー")]
    screenshot(page, "applied-to-track-with-room")


def test_add_row_button_adds_a_fourth_delegate(live_server, summits_demo, desktop_page, screenshot):
    page = desktop_page
    page.goto(f"{live_server.url}/summits/{DEMO}/register/")
    assert page.locator(".summit-delegate").count() == 3  # one for the mayor, two blank

    page.get_by_role("button", name="参加者の行を追加").click()

    assert page.locator(".summit-delegate").count() == 4
    assert page.locator("#id_delegates-TOTAL_FORMS").input_value() == "4"
    assert page.evaluate("document.activeElement.id") == "id_delegates-3-role"  # focus moves to the new row
    screenshot(page, "row-added")
    assert_accessible(page)
    _fill_application(
        page,
        municipality="052019",
        delegates=[MAYOR, {**STAFF, "name": "随行 一郎"}, {**STAFF, "name": "随行 二郎"}, {**STAFF, "name": "随行 三郎"}],
    )
    page.get_by_role("button", name="申し込む").click()

    application = Application.objects.get(municipality__code="052019")
    assert page.url == live_server.url + application.get_absolute_url()
    assert [d.name for d in application.delegates.order_by("pk")] == ["秋田 太郎", "随行 一郎", "随行 二郎", "随行 三郎"]


# ---------------------------------------------------------------- 3. accessibility and HTML
def _open_register_with_errors(page, url):
    page.goto(f"{url}/summits/{DEMO}/register/")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="申し込む").click()
    return navigation.value


def _open_register_full(page, url):
    _apply(code="052027", delegates=[
        _delegate(DelegateRole.MAYOR, "能代 一郎", track=2),
        _delegate(DelegateRole.STAFF, "能代 二郎", track=2),
        _delegate(DelegateRole.STAFF, "能代 三郎", track=2),
    ])
    page.goto(f"{url}/summits/{DEMO}/register/")
    _fill_application(page, municipality="052019", delegates=[{**MAYOR, "track": TRACK_2}])
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="申し込む").click()
    return navigation.value


def _open_application(page, url):
    application = _apply(
        code="052019",
        delegates=[
            _delegate(DelegateRole.MAYOR, "秋田 太郎", track=1, course=COURSE_A),
            _delegate(DelegateRole.STAFF, "企画 次郎", track=1),
        ],
    )
    return page.goto(url + application.get_absolute_url())


# name: (how to open it, <title>, the <h1>'s words)
PAGES = {
    "summit_list": (lambda page, url: page.goto(url + "/summits/"), "全国市町村長サミット", ["全国市町村長サミット"]),
    "akita_timetable": (lambda page, url: page.goto(url + "/summits/2025-akita/"), AKITA_TITLE, [AKITA_TITLE]),
    "demo_timetable": (lambda page, url: page.goto(f"{url}/summits/{DEMO}/"), f"【デモ】{DEMO_TITLE}", ["デモ", DEMO_TITLE]),
    "akita_track": (
        lambda page, url: page.goto(url + "/summits/2025-akita/tracks/2/"),
        f"第2分科会「地域運営組織」 | {AKITA_TITLE}",
        ["第2分科会「地域運営組織」"],
    ),
    "demo_track": (
        lambda page, url: page.goto(f"{url}/summits/{DEMO}/tracks/1/"), f"【デモ】{TRACK_1} | {DEMO_TITLE}", [TRACK_1]
    ),
    "register": (
        lambda page, url: page.goto(f"{url}/summits/{DEMO}/register/"),
        f"【デモ】参加申込 | {DEMO_TITLE}",
        ["デモ", DEMO_TITLE, "参加申込"],
    ),
    "register_errors": (_open_register_with_errors, f"エラー: 【デモ】参加申込 | {DEMO_TITLE}", ["デモ", DEMO_TITLE, "参加申込"]),
    "register_full": (_open_register_full, f"エラー: 【デモ】参加申込 | {DEMO_TITLE}", ["デモ", DEMO_TITLE, "参加申込"]),
    "application": (_open_application, f"【デモ】参加申込の確認・変更 | {DEMO_TITLE}", ["デモ", "参加申込の確認・変更"]),
}


def _open(page, live_server, name: str):
    opener, title, heading = PAGES[name]
    response = opener(page, live_server.url)
    assert response.status == 200
    assert page.title() == f"{title} | {SITE}"
    assert page.locator("h1").inner_text().split() == heading
    return response


@pytest.mark.parametrize("name", PAGES)
def test_summit_page_has_no_wcag_violations(live_server, summits_demo, device_page, screenshot, name):
    _open(device_page, live_server, name)
    if name == "register_errors":
        # The five contact fields, the consent, and the first row's name, kana and title.
        assert device_page.locator(".invalid-feedback").count() == 9
    if name == "register_full":
        assert device_page.locator(".error-summary-list li").count() == 1
    screenshot(device_page, name)

    assert_accessible(device_page)
    # Reflow (WCAG 1.4.10): nothing makes the page wider than the screen.
    assert device_page.evaluate("document.documentElement.scrollWidth") <= device_page.viewport_size["width"]


def test_summit_page_sources_have_no_html_errors(live_server, summits_demo, desktop_page):
    sources = {name: _open(desktop_page, live_server, name).text() for name in PAGES}

    errors = html_check_many(sources)  # one checker run for all pages

    assert errors == {name: [] for name in PAGES}, "\n".join(
        f"Nu HTML Checker, {name}:\n{format_html_errors(page_errors)}"
        for name, page_errors in errors.items()
        if page_errors
    )


# ---------------------------------------------------------------- 4. the printed timetable
def _overflowing(page, width: int) -> list[str]:
    return page.locator("body *").evaluate_all(
        f"nodes => nodes.filter(n => n.getBoundingClientRect().right > {width}).map(n => n.outerHTML.slice(0, 80))"
    )


@pytest.mark.parametrize("slug", ["2025-akita", DEMO])
def test_timetable_prints_on_a4_without_navigation(live_server, summits_demo, desktop_page, screenshot, slug):
    page = desktop_page
    page.goto(f"{live_server.url}/summits/{slug}/")
    assert page.locator(".site-header .navbar-nav").is_visible()  # on a desktop screen the menu is open
    screenshot(page, "screen")

    page.emulate_media(media="print")

    # The sheet's width, and the width left inside summits.css's 12 mm side margins.
    for width in (A4_WIDTH_PX, A4_PRINTABLE_WIDTH_PX):
        page.set_viewport_size({"width": width, "height": 1123})
        for chrome in (".site-header", ".site-breadcrumbs", ".skip-link", ".site-footer", ".summit-no-print"):
            assert page.locator(chrome).first.is_hidden(), (width, chrome)
        assert page.locator(".summit-timetable").is_visible()
        assert _overflowing(page, width) == [], width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    screenshot(page, "print")
    # The printed result itself, for a person to look at (headless Chromium prints to PDF).
    pdf = page.pdf(path=str(screenshot.directory / "timetable-a4.pdf"), prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
