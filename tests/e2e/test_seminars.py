"""全国セミナー in a real browser, on a phone (390x844): the flyer QR to a confirmed seat and
its mail, a full venue, cancellation through the mail's link promoting the waiting person,
the form's errors, and the accessibility and HTML checks of every public seminar page.

The data is what a newcomer's demo loads: the municipality master, the directory's demo
organizations, and the demo seminars (the 長野 seminar of the seed document, now past, and the
invented demo seminar demo-2027, open until 令和9年1月29日). The flows shrink the demo
seminar's venue to one seat so that the second citizen finds it full.
"""

import io
import re
from urllib.parse import urlsplit
from urllib.request import urlopen

import icalendar
import pytest
import zxingcpp
from django.core import mail
from django.core.management import call_command
from PIL import Image

from seminars import services
from seminars.enums import AttendanceMode, AttendeeCategory, RegistrationSource, RegistrationStatus, WhenFull
from seminars.models import Registration, Seminar

from .checks import assert_accessible, axe_audit, format_html_errors, format_violations, html_check_many
from .conftest import OFF_MACHINE, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SITE = "総務省 地域振興室"
DEMO = "demo-2027"
DEMO_TITLE = "地域運営組織 全国セミナー（デモ会場）"
NAGANO = "2025-nagano"
NAGANO_TITLE = "地域運営組織 全国セミナーin長野"


# ---------------------------------------------------------------- data
@pytest.fixture
def seminars_demo(municipality_master) -> None:
    """The demo data in the order the commands document: directory first, so that the 長野
    program links its presenters; the seminars load without it too."""
    try:
        call_command("load_demo_organizations", verbosity=0)
    except Exception:  # noqa: BLE001 - the directory is optional for these pages (links only)
        pass
    call_command("load_demo_seminars", verbosity=0)


@pytest.fixture
def one_seat(seminars_demo) -> Seminar:
    """The demo seminar with a single venue seat (online stays at 400)."""
    Seminar.objects.filter(slug=DEMO).update(venue_capacity=1)
    return Seminar.objects.get(slug=DEMO)


@pytest.fixture
def site_url(settings, live_server) -> str:
    """QR codes and mails carry SITE_URL: point it at the live server, as production points
    it at the public address."""
    settings.SITE_URL = live_server.url
    return live_server.url


def _run_queued_tasks() -> None:
    """Send the queued mail now, as the db_worker process would."""
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", "--no-reload", verbosity=0)


def _register(seminar: Seminar, *, email: str, mode: str = AttendanceMode.VENUE, when_full: str = WhenFull.NOTHING):
    """Another person's registration, through the same service the form uses."""
    return services.registration_create(
        seminar=seminar,
        mode=mode,
        name="先着 太郎",
        kana="せんちゃく たろう",
        email=email,
        category=AttendeeCategory.MUNICIPAL_STAFF,
        consent=True,
        when_full=when_full,
    ).registration


def _attachments(message) -> dict[str, bytes]:
    files = {}
    for item in message.attachments:
        if isinstance(item, tuple) or hasattr(item, "filename"):
            files[item[0]] = item[1]
        else:  # a MIME part (the 受付票 image)
            files[item.get_filename()] = item.get_payload(decode=True)
    return files


def _decode_qr(png: bytes) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def _link_in(body: str, base_url: str, path_prefix: str) -> str:
    links = re.findall(re.escape(base_url + path_prefix) + r"[A-Za-z0-9_-]+/", body)
    assert len(set(links)) == 1, body
    return links[0]


def _new_phone(browser):
    """A second phone: its own browser context (cookies), set up like the phone_page fixture."""
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", **PHONE)
    context.set_default_timeout(15_000)
    context.route(OFF_MACHINE, lambda route: route.abort("blockedbyclient"))
    return context


def _field(page, label: str):
    """A text field by its label as read aloud: 「氏名」, or 「氏名*」 where it is required."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def _fill_form(page, *, name: str, kana: str, email: str, mode: str, when_full: str | None = None, exchange=False):
    _field(page, "氏名").fill(name)
    _field(page, "ふりがな").fill(kana)
    _field(page, "メールアドレス").fill(email)
    _field(page, "メールアドレス（確認用）").fill(email)
    page.get_by_role("radio", name="自治体職員", exact=True).check()
    page.get_by_role("radio", name=mode, exact=True).check()
    if exchange:
        page.get_by_label("登壇者との意見交換会に参加する（会場参加者のみ）").check()
    if when_full:
        page.get_by_role("radio", name=when_full, exact=True).check()
    page.get_by_role("checkbox", name=re.compile("^個人情報の取扱いに同意する")).check()


def _submit(page):
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="申し込む").click()
    return navigation.value


def _seats(page) -> list[str]:
    """Seats left per mode as read aloud (runs of white space from the template as one space)."""
    return [" ".join(text.split()) for text in page.locator(".seminars-seats > li").all_inner_texts()]


# ---------------------------------------------------------------- flows
def test_flyer_qr_opens_form_on_phone_and_venue_registration_is_confirmed_and_mailed(
    live_server, site_url, one_seat, phone_page, screenshot
):
    page = phone_page
    # Arrange: the citizen's phone camera reads the printed flyer's QR code.
    with urlopen(f"{live_server.url}/seminars/{DEMO}/qr.png") as response:  # noqa: S310 - the live server
        assert response.headers["Content-Type"] == "image/png"
        decoded = _decode_qr(response.read())
    assert decoded == [f"{live_server.url}/seminars/{DEMO}/register/?src=flyer"]

    # Act: open the decoded link and register for the venue.
    page.goto(decoded[0])
    assert page.title() == f"【デモ】参加申込｜{DEMO_TITLE} | {SITE}"
    assert _seats(page) == ["会場： 定員1名（残り1席）", "オンライン： 定員400名（残り400席）"]
    screenshot(page, "flyer-link-opened")
    _fill_form(page, name="地域 花子", kana="ちいき はなこ", email="hanako@example.jp", mode="会場", exchange=True)
    screenshot(page, "form-filled")
    response = _submit(page)

    # Assert: the confirmation page, the database row, and the mail.
    registration = Registration.objects.get(seminar=one_seat, email="hanako@example.jp")
    assert response.status == 200
    assert page.url == f"{live_server.url}/seminars/r/{registration.token}/"
    assert page.locator("h1").all_inner_texts() == ["お申し込み内容"]
    assert page.get_by_role("status").all_inner_texts() == ["参加が確定しています。"]
    assert (registration.status, registration.mode, registration.joins_exchange, registration.source) == (
        RegistrationStatus.CONFIRMED, AttendanceMode.VENUE, True, RegistrationSource.FLYER,
    )
    screenshot(page, "confirmation-page")

    _run_queued_tasks()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hanako@example.jp"]
    assert message.subject == f"【デモ】お申し込みを受け付けました｜{DEMO_TITLE}"
    assert _link_in(message.body, live_server.url, "/seminars/r/") == f"{live_server.url}/seminars/r/{registration.token}/"
    assert "■ 意見交換会: 参加する" in message.body
    files = _attachments(message)
    assert sorted(files) == ["seminar.ics", "uketsukehyo-qr.png"]
    event = icalendar.Calendar.from_ical(files["seminar.ics"]).walk("VEVENT")[0]
    assert event.decoded("dtstart").isoformat() == "2027-02-05T13:30:00+09:00"
    assert event.decoded("dtend").isoformat() == "2027-02-05T17:00:00+09:00"
    assert _decode_qr(files["uketsukehyo-qr.png"]) == [f"{live_server.url}/seminars/checkin/{registration.checkin_token}/"]


def test_second_citizen_finds_venue_full_and_joins_online_third_joins_waiting_list(
    live_server, site_url, one_seat, browser, phone_page, screenshot
):
    _register(one_seat, email="first@example.jp")
    page = phone_page

    # The detail page says 満席 in words, then the form offers online or the waiting list.
    page.goto(f"{live_server.url}/seminars/{DEMO}/")
    assert _seats(page) == [
        "会場： 満席 オンライン参加またはキャンセル待ちで申し込めます",
        "オンライン： 定員400名（残り400席）",
    ]
    screenshot(page, "detail-venue-full")
    page.get_by_role("link", name="申し込む").click()
    assert page.url == f"{live_server.url}/seminars/{DEMO}/register/"
    _fill_form(page, name="山田 次郎", kana="やまだ じろう", email="jiro@example.jp", mode="会場",
               when_full="オンライン参加に切り替える")
    screenshot(page, "second-form-online-when-full")
    _submit(page)

    second = Registration.objects.get(email="jiro@example.jp")
    assert (second.mode, second.status) == (AttendanceMode.ONLINE, RegistrationStatus.CONFIRMED)
    assert page.url == f"{live_server.url}{second.get_absolute_url()}"
    assert page.get_by_role("status").all_inner_texts() == ["参加が確定しています。"]
    assert page.locator("dt:text-is('参加方法') + dd").last.inner_text() == "オンライン"
    screenshot(page, "second-confirmed-online")

    # A third citizen, on another phone, keeps the venue and waits for a seat.
    context = _new_phone(browser)
    try:
        third_page = context.new_page()
        third_page.goto(f"{live_server.url}/seminars/{DEMO}/register/")
        _fill_form(third_page, name="川口 三恵", kana="かわぐち みえ", email="mie@example.jp", mode="会場",
                   when_full="キャンセル待ちに登録する")
        _submit(third_page)
        third = Registration.objects.get(email="mie@example.jp")
        assert (third.mode, third.status) == (AttendanceMode.VENUE, RegistrationStatus.WAITLISTED)
        assert third_page.get_by_role("status").all_inner_texts() == [
            "キャンセル待ちです。キャンセルが出た場合、お申し込み順に参加確定とし、メールでお知らせします。"
        ]
        screenshot(third_page, "third-waitlisted")
    finally:
        context.close()

    _run_queued_tasks()
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("first@example.jp", f"【デモ】お申し込みを受け付けました｜{DEMO_TITLE}"),
        ("jiro@example.jp", f"【デモ】お申し込みを受け付けました｜{DEMO_TITLE}"),
        ("mie@example.jp", f"【デモ】キャンセル待ちとして受け付けました｜{DEMO_TITLE}"),
    ]


def test_cancel_through_mail_link_promotes_waiting_person(live_server, site_url, one_seat, browser, phone_page, screenshot):
    first = _register(one_seat, email="first@example.jp")
    waiting = _register(one_seat, email="waiting@example.jp", when_full=WhenFull.WAITLIST)
    assert waiting.status == RegistrationStatus.WAITLISTED
    _run_queued_tasks()
    link = _link_in(next(m for m in mail.outbox if m.to == ["first@example.jp"]).body, live_server.url, "/seminars/r/")
    mail.outbox.clear()
    page = phone_page

    # The first citizen opens the link in the mail and cancels (the page asks to confirm).
    page.goto(link)
    assert page.get_by_role("status").all_inner_texts() == ["参加が確定しています。"]
    screenshot(page, "first-token-page")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="このお申し込みをキャンセルする").click()

    assert urlsplit(page.url).path == f"/seminars/{DEMO}/"
    assert "キャンセルを受け付けました。確認のメールをお送りします。" in page.locator("main").inner_text()
    screenshot(page, "cancelled")
    assert_accessible(page)  # with the success message shown
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.status, waiting.status) == (RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED)

    # The used link now says so; the waiting person's own page shows the seat.
    response = page.goto(link)
    assert response.status == 404
    assert page.locator("h1").all_inner_texts() == ["このお申し込みはキャンセル済みです"]
    screenshot(page, "first-link-after-cancel")
    context = _new_phone(browser)
    try:
        waiting_page = context.new_page()
        waiting_page.goto(f"{live_server.url}{waiting.get_absolute_url()}")
        assert waiting_page.get_by_role("status").all_inner_texts() == ["参加が確定しています。"]
        assert waiting_page.locator("dt:text-is('状態') + dd").inner_text() == "参加確定"
        screenshot(waiting_page, "waiting-person-promoted")
    finally:
        context.close()

    _run_queued_tasks()
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {
        "first@example.jp": f"【デモ】キャンセルを受け付けました｜{DEMO_TITLE}",
        "waiting@example.jp": f"【デモ】キャンセル待ちから参加が確定しました｜{DEMO_TITLE}",
    }
    promoted = next(m for m in mail.outbox if m.to == ["waiting@example.jp"])
    assert _decode_qr(_attachments(promoted)["uketsukehyo-qr.png"]) == [
        f"{live_server.url}/seminars/checkin/{waiting.checkin_token}/"
    ]


def test_form_errors_are_japanese_next_to_fields_and_typed_values_stay(live_server, seminars_demo, phone_page, screenshot):
    page = phone_page
    page.goto(f"{live_server.url}/seminars/{DEMO}/register/")

    response = _submit(page)  # nothing filled in

    assert response.status == 200
    assert Registration.objects.count() == 0
    errors = _field_errors(page)
    assert errors == {
        "name": ["氏名を入力してください。"],
        "kana": ["ふりがなを入力してください。"],
        "email": ["メールアドレスを入力してください。"],
        "email_confirm": ["メールアドレス（確認用）を入力してください。"],
        "category": ["区分を選択してください。"],
        "mode": ["参加方法を選択してください。"],
        "consent": ["お申し込みには個人情報の取扱いへの同意が必要です。"],
    }
    screenshot(page, "empty-form-errors")

    # Some typed, some wrong: the errors change, what was typed stays.
    _field(page, "氏名").fill("地域 花子")
    _field(page, "ふりがな").fill("chiiki hanako")
    _field(page, "メールアドレス").fill("hanako@example.jp")
    _field(page, "メールアドレス（確認用）").fill("hanako@example.com")
    _field(page, "所属").fill("長野市 地域活動支援課")
    _field(page, "配慮が必要な事項").fill("車いすで参加します")
    _submit(page)

    assert _field_errors(page) == {
        "kana": ["ふりがなは、ひらがなまたはカタカナで入力してください。"],
        "email_confirm": ["確認用のメールアドレスが一致しません。"],
        "category": ["区分を選択してください。"],
        "mode": ["参加方法を選択してください。"],
        "consent": ["お申し込みには個人情報の取扱いへの同意が必要です。"],
    }
    assert {
        name: page.locator(f"[name={name}]").input_value()
        for name in ("name", "kana", "email", "email_confirm", "affiliation", "accessibility_needs")
    } == {
        "name": "地域 花子",
        "kana": "chiiki hanako",
        "email": "hanako@example.jp",
        "email_confirm": "hanako@example.com",
        "affiliation": "長野市 地域活動支援課",
        "accessibility_needs": "車いすで参加します",
    }
    screenshot(page, "typed-values-kept")
    assert Registration.objects.count() == 0


def _field_errors(page) -> dict[str, list[str]]:
    """Each field's error messages, read as a screen reader finds them (the error text that the
    field's, or its radio group's, aria-describedby points to), and only where they are shown
    next to the field: inside the field's own wrapper."""
    return page.evaluate(
        """() => {
          const errors = {};
          for (const feedback of document.querySelectorAll("form .invalid-feedback")) {
            const owner = document.querySelector(`[aria-describedby~="${feedback.id}"]`);
            if (!owner) { continue; }
            const name = owner.name || owner.querySelector("[name]").name;
            if (!document.getElementById(`div_id_${name}`).contains(feedback)) { continue; }
            errors[name] = Array.from(feedback.querySelectorAll("[id^=error_]"), el => el.textContent.trim());
          }
          return errors;
        }"""
    )


# ---------------------------------------------------------------- accessibility and HTML
@pytest.fixture
def seminar_pages(live_server, site_url, one_seat) -> dict[str, str]:
    """Every public seminar page, by name → URL; "register_errors" is reached by submitting
    the empty form. The venue is full, so the pages show 満席 and the waiting list."""
    confirmed = _register(one_seat, email="confirmed@example.jp")
    waiting = _register(one_seat, email="waiting@example.jp", when_full=WhenFull.WAITLIST)
    cancelled = _register(one_seat, email="cancelled@example.jp", mode=AttendanceMode.ONLINE)
    services.registration_cancel(registration=cancelled)
    base = live_server.url
    return {
        "seminar_list": f"{base}/seminars/",
        "nagano_detail": f"{base}/seminars/{NAGANO}/",
        "demo_detail": f"{base}/seminars/{DEMO}/",
        "register": f"{base}/seminars/{DEMO}/register/?src=flyer",
        "register_errors": f"{base}/seminars/{DEMO}/register/",
        "confirmation": f"{base}{confirmed.get_absolute_url()}",
        "token_waitlisted": f"{base}{waiting.get_absolute_url()}",
        "token_cancelled": f"{base}{cancelled.get_absolute_url()}",  # a used link: the helpful 404
        "nagano_flyer": f"{base}/seminars/{NAGANO}/flyer/",
        "demo_flyer": f"{base}/seminars/{DEMO}/flyer/",
    }


def _open(page, name: str, url: str):
    response = page.goto(url)
    if name == "register_errors":
        response = _submit(page)
    assert response.status == (404 if name == "token_cancelled" else 200), (name, response.status)
    return response


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_seminar_pages_have_no_wcag_violations(request, seminar_pages, screenshot, device):
    page = request.getfixturevalue(f"{device}_page")
    violations = {}
    for name, url in seminar_pages.items():
        _open(page, name, url)
        screenshot(page, name)
        violations[name] = axe_audit(page)

    assert violations == {name: [] for name in seminar_pages}, "\n".join(
        f"axe-core, {name} ({seminar_pages[name]}):\n{format_violations(found)}"
        for name, found in violations.items()
        if found
    )


def test_seminar_page_sources_have_no_html_errors(seminar_pages, desktop_page):
    sources = {name: _open(desktop_page, name, url).text() for name, url in seminar_pages.items()}

    errors = html_check_many(sources)  # one checker run for all pages

    assert errors == {name: [] for name in seminar_pages}, "\n".join(
        f"Nu HTML Checker, {seminar_pages[name]}:\n{format_html_errors(page_errors)}"
        for name, page_errors in errors.items()
        if page_errors
    )


def test_nagano_detail_is_an_archive_without_registration(live_server, seminars_demo, phone_page, screenshot):
    page = phone_page
    page.goto(f"{live_server.url}/seminars/{NAGANO}/")

    assert page.title() == f"{NAGANO_TITLE} | {SITE}"
    assert page.locator("main .alert").first.inner_text() == "このセミナーは終了しました。"
    assert page.get_by_role("link", name="申し込む").count() == 0
    assert page.locator("dt:text-is('日時') + dd").first.inner_text() == "令和7年9月30日（火） 13:30～17:00"
    screenshot(page, "nagano-archive")
    assert_accessible(page)
