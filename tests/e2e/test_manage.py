"""The municipality self-service (/manage/) in a real browser: the 長野市 editor proposes a
change, a ministry reviewer (two-step login) approves it in another browser and the public
page shows it; a proposal returned with a comment; and the accessibility and HTML checks of
the login pages and every /manage/ page.

The data is the municipality master and the directory's demo organizations (古牧 and 鬼無里 of
長野市 among them). The people are made as tests/organizations/conftest.py makes them: the
editor with an EditorScope on 長野市 and no authenticator; the reviewer in 本省職員 with a
confirmed TOTP device, as production's REQUIRE_STAFF_2FA asks of staff.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import EditorScope
from municipalities.models import Municipality
from organizations import services
from organizations.enums import RevisionStatus
from organizations.models import ListingRevision, Organization
from portal.roles import MINISTRY_STAFF, MUNICIPALITY_EDITOR, role_groups_sync

from .checks import axe_audit, format_html_errors, format_violations, html_check_many
from .conftest import DESKTOP, OFF_MACHINE, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SITE = "総務省 地域振興室"
PASSWORD = "correct-horse-battery-staple"
KOMAKI = "古牧地区住民自治協議会"
KINASA = "鬼無里地区住民自治協議会"
NAGANO = "長野県長野市"
NEW_DESCRIPTION = "古牧地区の住民による自治協議会。令和7年度から、買い物支援と見守り活動を始めた。"
SUBMITTED_MESSAGE = "審査に提出しました。承認されると公開されます。"


# ---------------------------------------------------------------- people and data
@pytest.fixture
def manage_demo(municipality_master, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the live server's thread too
    role_groups_sync()  # a transactional test's flush removed the groups that migrate made
    call_command("load_demo_organizations", verbosity=0)


def _make_user(username: str, *, group: str, is_staff: bool = False):
    user = get_user_model().objects.create_user(
        username, email=f"{username}@example.jp", password=PASSWORD, is_staff=is_staff
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(manage_demo):
    """The 長野市 (202011) editor: password only."""
    user = _make_user("nagano-city", group=MUNICIPALITY_EDITOR)
    EditorScope.objects.create(user=user, municipality=Municipality.objects.get(code="202011"))
    return user


@pytest.fixture
def reviewer(manage_demo):
    """A ministry reviewer with an authenticator app."""
    user = _make_user("honsho", group=MINISTRY_STAFF, is_staff=True)
    TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=True)
    return user


def _current_code(user) -> str:
    """The code the reviewer's authenticator app shows now (django-otp's own TOTP)."""
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def _run_queued_tasks() -> None:
    """Send the queued mail now, as the db_worker process would."""
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", "--no-reload", verbosity=0)


def _new_desktop(browser):
    """Another person's browser: its own context (cookies), set up like the desktop_page fixture."""
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", **DESKTOP)
    context.set_default_timeout(15_000)
    context.route(OFF_MACHINE, lambda route: route.abort("blockedbyclient"))
    return context


def _texts(locator) -> list[str]:
    return [" ".join(text.split()) for text in locator.all_inner_texts()]


def _click(page, locator):
    with page.expect_navigation() as navigation:
        locator.click()
    return navigation.value


def _log_in(page, *, username: str, screenshot=None):
    """The password step of /accounts/login/ (reached by a ?next= redirect, or after a wrong
    password, when the title starts with エラー)."""
    assert page.title().removeprefix("エラー: ") == f"ログイン | {SITE}"
    page.get_by_label("ユーザー名（メールアドレス）").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    if screenshot is not None:
        screenshot(page, f"login-{username}")
    return _click(page, page.get_by_role("button", name="ログイン"))


def _enter_code(page, user, *, screenshot=None):
    """The second step: the code from the reviewer's authenticator app (maybe after a wrong one)."""
    assert page.title().removeprefix("エラー: ") == f"確認コードの入力 | {SITE}"
    page.get_by_label("確認コード（6桁）").fill(_current_code(user))
    if screenshot is not None:
        screenshot(page, "login-code")
    return _click(page, page.get_by_role("button", name="ログイン"))


def _status(page) -> str:
    return page.locator("dt:text-is('状態') + dd").inner_text()


def _changed_rows(page) -> list[list[str]]:
    """The diff table's highlighted rows: [項目, 公開中, 申請の内容]."""
    return [
        [" ".join(cell.split()) for cell in row.locator("th, td").all_inner_texts()]
        for row in page.locator("tr.table-warning").all()
    ]


def _messages(page) -> list[str]:
    return _texts(page.locator(".site-messages .alert"))


def _dashboard_row(page, name: str):
    return page.locator("tbody tr", has=page.get_by_role("cell", name=name, exact=True))


# ---------------------------------------------------------------- 2. edit, review, publish
def test_editor_update_is_approved_by_reviewer_and_published_with_history(
    live_server, editor, reviewer, browser, desktop_page, screenshot
):
    base = live_server.url
    komaki = Organization.objects.get(name=KOMAKI)
    old_description = komaki.description
    page = desktop_page

    # The editor opens /manage/ and is asked to log in first (password only).
    page.goto(base + "/manage/")
    assert page.url == f"{base}/accounts/login/?next=/manage/"
    _log_in(page, username="nagano-city", screenshot=screenshot)
    assert page.url == base + "/manage/"
    assert page.title() == f"掲載情報の管理 | {SITE}"
    assert _texts(page.locator("main h2")) == [NAGANO]
    assert _texts(_dashboard_row(page, KOMAKI).locator("td")) == [KOMAKI, "公開中", "—", "修正する ・変更履歴"]
    screenshot(page, "dashboard")

    # The edit form starts from the published listing.
    _click(page, _dashboard_row(page, KOMAKI).get_by_role("link", name="修正する"))
    assert page.url == f"{base}/manage/organizations/{komaki.pk}/edit/"
    assert page.title() == f"{KOMAKI}の修正 | {SITE}"
    description = page.get_by_label("概要")
    assert description.input_value() == old_description
    description.fill(NEW_DESCRIPTION)
    screenshot(page, "edit-description-changed")
    _click(page, page.get_by_role("button", name="提出する"))

    # Submitted: the proposal's own page says it waits for review; the public page is unchanged.
    revision = ListingRevision.objects.get(organization=komaki)
    assert page.url == f"{base}/manage/revisions/{revision.pk}/"
    assert _messages(page) == [SUBMITTED_MESSAGE]
    assert _status(page) == "審査待ち"
    assert _changed_rows(page) == [["概要 （変更あり）", old_description, NEW_DESCRIPTION]]
    assert revision.status == RevisionStatus.SUBMITTED
    screenshot(page, "submitted")
    page.goto(base + "/manage/")
    assert _texts(_dashboard_row(page, KOMAKI).locator("td"))[1:3] == ["公開中", "審査待ち"]
    komaki.refresh_from_db()
    assert komaki.description == old_description

    # The reviewer, in another browser: password, then the authenticator's code.
    context = _new_desktop(browser)
    try:
        review = context.new_page()
        review.goto(base + "/manage/review/")
        _log_in(review, username="honsho")
        _enter_code(review, reviewer, screenshot=screenshot)
        assert review.url == base + "/manage/review/"
        assert review.title() == f"審査待ちの申請 | {SITE}"
        [row] = review.locator("tbody tr").all()
        assert _texts(row.locator("td"))[:5] == [f"#{revision.pk}", NAGANO, KOMAKI, "修正", "nagano-city"]
        screenshot(review, "review-queue")

        # The review page: the same diff, then approve.
        _click(review, row.get_by_role("link", name=f"#{revision.pk}"))
        assert review.url == f"{base}/manage/revisions/{revision.pk}/"
        assert _changed_rows(review) == [["概要 （変更あり）", old_description, NEW_DESCRIPTION]]
        review.get_by_label("コメント").fill("確認しました。")
        screenshot(review, "review-page")
        _click(review, review.get_by_role("button", name="承認して公開する"))

        assert review.url == base + "/manage/review/"
        assert _messages(review) == ["承認し、公開しました。編集者にメールで知らせます。"]
        assert _texts(review.locator("main p")) == ["審査待ちの申請はありません。"]
        screenshot(review, "queue-empty-after-approval")
    finally:
        context.close()

    # The public page shows the new description, to anyone.
    revision.refresh_from_db()
    assert (revision.status, revision.reviewed_by) == (RevisionStatus.PUBLISHED, reviewer)
    public = _new_desktop(browser)
    try:
        citizen = public.new_page()
        citizen.goto(base + komaki.get_absolute_url())
        assert citizen.locator("main .col-lg-8 > p").first.inner_text() == NEW_DESCRIPTION
        screenshot(citizen, "public-detail-updated")
    finally:
        public.close()

    # The editor's proposal page now says 公開済み, and the history names the reviewer.
    page.goto(f"{base}/manage/revisions/{revision.pk}/")
    assert _status(page) == "公開済み"
    assert page.locator("dt:text-is('審査') + dd").inner_text().endswith("（honsho）")
    assert page.locator("dt:text-is('審査コメント') + dd").inner_text() == "確認しました。"
    screenshot(page, "editor-sees-published")
    _click(page, page.get_by_role("link", name="変更履歴"))
    assert page.url == f"{base}/manage/organizations/{komaki.pk}/history/"
    assert page.title() == f"{KOMAKI}の変更履歴 | {SITE}"
    latest = page.locator("main section.card").first
    assert "現在の内容" in latest.locator("h2").inner_text()
    assert re.fullmatch(
        rf"\d{{4}}-\d\d-\d\d \d\d:\d\d・honsho・承認: 申請#{revision.pk} by nagano-city",
        latest.locator("h2 + p").inner_text(),
    )
    assert _changed_rows(latest) == [["概要 （変更あり）", old_description, NEW_DESCRIPTION]]
    screenshot(page, "history")

    # The editor is told by mail.
    mail.outbox.clear()
    _run_queued_tasks()
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["nagano-city@example.jp"], f"【地域運営組織ポータル】掲載内容が承認されました：{KOMAKI}")
    ]


def test_reviewer_returns_proposal_with_comment_and_editor_revises(
    live_server, editor, reviewer, browser, desktop_page, screenshot
):
    base = live_server.url
    kinasa = Organization.objects.get(name=KINASA)
    old_description = kinasa.description
    page = desktop_page

    page.goto(base + f"/manage/organizations/{kinasa.pk}/edit/")
    _log_in(page, username="nagano-city")
    page.get_by_label("概要").fill("鬼無里の協議会（概要の案）")
    _click(page, page.get_by_role("button", name="提出する"))
    revision = ListingRevision.objects.get(organization=kinasa)
    assert _status(page) == "審査待ち"

    # The reviewer returns it, and must say why.
    context = _new_desktop(browser)
    try:
        review = context.new_page()
        review.goto(f"{base}/manage/revisions/{revision.pk}/")
        _log_in(review, username="honsho")
        _enter_code(review, reviewer)
        assert review.url == f"{base}/manage/revisions/{revision.pk}/"
        _click(review, review.get_by_role("button", name="差し戻す"))
        assert _messages(review) == ["差し戻す理由を入力してください。"]
        screenshot(review, "return-without-comment-refused")
        review.get_by_label("コメント").fill("概要には、活動の内容を具体的に書いてください。")
        _click(review, review.get_by_role("button", name="差し戻す"))
        assert review.url == base + "/manage/review/"
        assert _messages(review) == ["差し戻しました。編集者にメールで知らせます。"]
        screenshot(review, "returned")
    finally:
        context.close()

    # The editor sees the comment; the published listing is unchanged.
    page.goto(f"{base}/manage/revisions/{revision.pk}/")
    assert _status(page) == "差し戻し"
    assert page.locator(".review-comment").inner_text() == "概要には、活動の内容を具体的に書いてください。"
    kinasa.refresh_from_db()
    assert kinasa.description == old_description
    screenshot(page, "editor-sees-comment")

    # 修正して再提出する: a new draft with the returned values, to correct.
    _click(page, page.get_by_role("button", name="修正して再提出する"))
    draft = ListingRevision.objects.get(organization=kinasa, status=RevisionStatus.DRAFT)
    assert page.url == f"{base}/manage/revisions/{draft.pk}/edit/"
    assert page.get_by_label("概要").input_value() == "鬼無里の協議会（概要の案）"
    page.get_by_label("概要").fill("鬼無里地区の住民自治協議会。地区の行事と高齢者の見守りを担う。")
    _click(page, page.get_by_role("button", name="提出する"))
    assert _status(page) == "審査待ち"
    assert _changed_rows(page) == [
        ["概要 （変更あり）", old_description, "鬼無里地区の住民自治協議会。地区の行事と高齢者の見守りを担う。"]
    ]
    screenshot(page, "resubmitted")

    mail.outbox.clear()
    _run_queued_tasks()
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["nagano-city@example.jp"], f"【地域運営組織ポータル】掲載内容の申請が差し戻されました：{KINASA}")
    ]


# ---------------------------------------------------------------- 3. accessibility and HTML
@pytest.fixture
def proposals(editor, reviewer) -> dict[str, ListingRevision]:
    """One proposal in each state the pages show, through the services the pages call:
    鬼無里 approved once (a history with two versions) and then returned with a comment;
    古牧 submitted and waiting for review."""
    kinasa = Organization.objects.get(name=KINASA)
    komaki = Organization.objects.get(name=KOMAKI)

    def propose(organization, description):
        revision = services.listing_draft_save(
            user=editor,
            organization=organization,
            municipality=organization.municipality,
            name=organization.name,
            name_kana=organization.name_kana,
            description=description,
        )
        return services.listing_submit(user=editor, revision=revision) or revision

    approved = propose(kinasa, "鬼無里地区の住民自治協議会。地区の行事と高齢者の見守りを担う。")
    services.listing_approve(user=reviewer, revision=approved, comment="")
    returned = propose(kinasa, "案")
    services.listing_return(user=reviewer, revision=returned, comment="概要には、活動の内容を具体的に書いてください。")
    submitted = propose(komaki, NEW_DESCRIPTION)
    return {"approved": approved, "returned": returned, "submitted": submitted}


def _context(browser, device: str):
    return _new_desktop(browser) if device == "desktop" else _new_phone(browser)


def _new_phone(browser):
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", **PHONE)
    context.set_default_timeout(15_000)
    context.route(OFF_MACHINE, lambda route: route.abort("blockedbyclient"))
    return context


# name: (<title> without the site's name, the <h1>'s text); {komaki}, {kinasa}, {returned} and
# {submitted} are filled in from the data.
PAGES = {
    "login": ("ログイン", "ログイン"),
    "login_errors": ("エラー: ログイン", "ログイン"),
    "dashboard": ("掲載情報の管理", "掲載情報の管理"),
    "edit_new": ("地域運営組織の追加", "地域運営組織の追加"),
    "edit_new_errors": ("エラー: 地域運営組織の追加", "地域運営組織の追加"),
    "edit_existing": (f"{KINASA}の修正", f"{KINASA}の修正"),  # from the returned proposal
    "revision_submitted": ("申請#{submitted}", f"申請#{{submitted}}：{KOMAKI}"),
    "revision_returned": ("申請#{returned}", f"申請#{{returned}}：{KINASA}"),
    "history": (f"{KINASA}の変更履歴", f"{KINASA}の変更履歴"),
    "login_code": ("確認コードの入力", "確認コードの入力"),
    "login_code_errors": ("エラー: 確認コードの入力", "確認コードの入力"),
    "review_queue": ("審査待ちの申請", "審査待ちの申請"),
    "review": ("申請#{submitted}", f"申請#{{submitted}}：{KOMAKI}"),
    "reviewer_dashboard": ("掲載情報の管理", "掲載情報の管理"),
    "reviewer_history": (f"{KINASA}の変更履歴", f"{KINASA}の変更履歴"),
}


def _walk(base: str, browser, device: str, reviewer, proposals, visit) -> None:
    """Open every page as its user reaches it and call visit(name, page, response) on each:
    the editor's pages in one browser, the reviewer's in another."""
    kinasa = Organization.objects.get(name=KINASA)
    editor_context, reviewer_context = _context(browser, device), _context(browser, device)
    try:
        page = editor_context.new_page()
        visit("login", page, page.goto(base + "/manage/"))
        page.get_by_label("ユーザー名（メールアドレス）").fill("nagano-city")
        page.get_by_label("パスワード").fill("not-the-password")
        visit("login_errors", page, _click(page, page.get_by_role("button", name="ログイン")))
        visit("dashboard", page, _log_in(page, username="nagano-city"))
        visit("edit_new", page, page.goto(base + "/manage/organizations/new/?municipality=202011"))
        page.get_by_label("拠点は公共施設").select_option(label="はい")
        visit("edit_new_errors", page, _click(page, page.get_by_role("button", name="提出する")))
        visit("edit_existing", page, page.goto(f"{base}/manage/organizations/{kinasa.pk}/edit/"))
        visit("revision_submitted", page, page.goto(f"{base}/manage/revisions/{proposals['submitted'].pk}/"))
        visit("revision_returned", page, page.goto(f"{base}/manage/revisions/{proposals['returned'].pk}/"))
        visit("history", page, page.goto(f"{base}/manage/organizations/{kinasa.pk}/history/"))

        page = reviewer_context.new_page()
        page.goto(base + "/manage/review/")
        visit("login_code", page, _log_in(page, username="honsho"))
        page.get_by_label("確認コード（6桁）").fill("12345")
        visit("login_code_errors", page, _click(page, page.get_by_role("button", name="ログイン")))
        visit("review_queue", page, _enter_code(page, reviewer))
        visit("review", page, page.goto(f"{base}/manage/revisions/{proposals['submitted'].pk}/"))
        visit("reviewer_dashboard", page, page.goto(base + "/manage/?municipality=202011"))
        visit("reviewer_history", page, page.goto(f"{base}/manage/organizations/{kinasa.pk}/history/"))
    finally:
        editor_context.close()
        reviewer_context.close()


def _check_page(name: str, page, response, proposals) -> None:
    numbers = {key: revision.pk for key, revision in proposals.items()}
    title, heading = (text.format(**numbers) for text in PAGES[name])
    assert response.status == 200, (name, response.status)
    assert page.title() == f"{title} | {SITE}", name
    assert " ".join(page.locator("h1").inner_text().split()) == heading, name
    if name == "login_errors":
        assert page.get_by_role("alert").count() == 1
    if name == "edit_new_errors":
        assert _texts(page.locator(".invalid-feedback")) == ["名称を入力してください。", "活動拠点が「はい」のときだけ選べます。"]
    if name == "login_code_errors":
        assert _texts(page.locator(".invalid-feedback")) == ["6桁の数字を入力してください。"]
    if name == "review":
        assert page.get_by_role("button", name="承認して公開する").is_visible()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_manage_pages_have_no_wcag_violations(live_server, browser, reviewer, proposals, screenshot, device):
    violations = {}
    reflow = {}

    def visit(name, page, response):
        _check_page(name, page, response, proposals)
        screenshot(page, name)
        violations[name] = axe_audit(page)
        reflow[name] = page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

    _walk(live_server.url, browser, device, reviewer, proposals, visit)

    assert list(violations) == list(PAGES)
    assert violations == {name: [] for name in PAGES}, "\n".join(
        f"axe-core, {name}:\n{format_violations(found)}" for name, found in violations.items() if found
    )
    # Reflow (WCAG 1.4.10): nothing makes a page wider than the screen.
    assert reflow == {name: True for name in PAGES}


def test_manage_page_sources_have_no_html_errors(live_server, browser, reviewer, proposals):
    sources = {}

    def visit(name, page, response):
        _check_page(name, page, response, proposals)
        sources[name] = response.text()

    _walk(live_server.url, browser, "desktop", reviewer, proposals, visit)
    errors = html_check_many(sources)  # one checker run for all pages

    assert list(errors) == list(PAGES)
    assert errors == {name: [] for name in PAGES}, "\n".join(
        f"Nu HTML Checker, {name}:\n{format_html_errors(page_errors)}"
        for name, page_errors in errors.items()
        if page_errors
    )
