"""The portal's own pages in a real browser: home, 施策について and the 404 page.

Each page on a phone and on a desktop: zero WCAG 2.1 A/AA violations (axe-core), zero Nu HTML
Checker errors in its source, a skip link that is the first tab stop and moves focus to the
main content, and a language switch that re-renders the same page in English.
"""

import pytest
from django.core.management import call_command

from .checks import assert_accessible, format_html_errors, html_check_many

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SITE = "総務省 地域振興室"
# name: (path, status, <title>, <h1>)
PAGES = {
    "home": ("/", 200, f"地域運営組織ポータル | {SITE}", "地域の暮らしを守る、地域運営組織の取組を全国へ"),
    "about": ("/about/", 200, f"施策について | {SITE}", "施策について"),
    "not_found": ("/no-such-page/", 404, f"ページが見つかりません | {SITE}", "ページが見つかりません"),
}


@pytest.fixture
def programs(transactional_db) -> None:
    """The office's programs from the seed document, so 施策について shows its real content."""
    call_command("load_demo_programs", verbosity=0)


def _open(page, live_server, name: str):
    path, status, title, heading = PAGES[name]
    response = page.goto(live_server.url + path)
    assert response.status == status
    assert page.title() == title
    assert page.locator("h1").all_inner_texts() == [heading]
    return response


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_wcag_violations(live_server, programs, device_page, screenshot, name):
    _open(device_page, live_server, name)
    screenshot(device_page, name)

    assert_accessible(device_page)


def test_page_sources_have_no_html_errors(live_server, programs, desktop_page):
    sources = {name: _open(desktop_page, live_server, name).text() for name in PAGES}

    errors = html_check_many(sources)  # one checker run for all pages

    assert errors == {name: [] for name in PAGES}, "\n".join(
        f"Nu HTML Checker, {PAGES[name][0]}:\n{format_html_errors(page_errors)}"
        for name, page_errors in errors.items()
        if page_errors
    )


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(live_server, device_page, screenshot):
    page = device_page
    _open(page, live_server, "home")
    skip_link = page.locator("a.skip-link")
    assert skip_link.bounding_box()["width"] <= 1  # hidden until focused

    page.keyboard.press("Tab")

    assert page.evaluate("document.activeElement.textContent") == "本文へ移動"
    box = skip_link.bounding_box()
    assert box["width"] > 1 and box["y"] >= 0  # shown on screen while focused
    screenshot(page, "skip-link-focused", full_page=False)

    page.keyboard.press("Enter")

    assert page.url == live_server.url + "/#main"
    assert page.evaluate("document.activeElement.id") == "main"
    screenshot(page, "main-focused", full_page=False)


def test_language_switch_to_english_renders_same_page_in_english(live_server, programs, device_page, screenshot):
    page = device_page
    _open(page, live_server, "about")
    english = page.get_by_role("link", name="English", exact=True)
    assert page.locator("html").get_attribute("lang") == "ja"
    if page.device == "phone":
        # On a phone the switch sits in the collapsed menu.
        assert english.is_hidden()
        page.get_by_role("button", name="メニュー").click()
    screenshot(page, "menu-open-ja")

    english.click()
    page.wait_for_load_state()

    assert page.url == live_server.url + "/en/about/"
    assert page.locator("html").get_attribute("lang") == "en"
    # Read even where the menu is collapsed again after the reload (phone).
    current = page.locator(".language-switcher a").evaluate_all(
        "links => links.map(a => [a.hreflang, a.getAttribute('aria-current')])"
    )
    assert current == [["ja", None], ["en", "true"]]
    screenshot(page, "about-en")
    assert_accessible(page)
