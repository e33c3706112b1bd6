"""The RMO directory in a real browser: a kana search typed on a phone from the home page,
down through the detail, municipality and prefecture pages; a facet's shareable URL; the
statistics chart and its table; and the accessibility and HTML checks of every directory page.

The data is what a newcomer's demo loads: the municipality master and the directory's demo
organizations (生桑振興会 of 安芸高田市 with its case study, and three more), and for the
pages that page through results, 60 generated organizations.
"""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from organizations import opendata
from organizations.models import Organization

from .checks import axe_audit, format_html_errors, format_violations, html_check_many

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SITE = "総務省 地域振興室"
IKUWA = "生桑振興会"
AKITAKATA = "広島県安芸高田市"
CASE_STUDY_TITLE = "ガソリンスタンドと食料品店舗の複合施設を地域で守る"
NO_RESULTS = "条件に合う地域運営組織はありません。"


# ---------------------------------------------------------------- data
@pytest.fixture
def directory_demo(municipality_master) -> None:
    call_command("load_demo_organizations", verbosity=0)


@pytest.fixture
def directory_volume(directory_demo) -> None:
    """Enough organizations for the list to page (20 a page)."""
    call_command("generate_organizations", "--count", "60", "--municipalities", "12", "--seed", "15", verbosity=0)


def _texts(locator) -> list[str]:
    return [" ".join(text.split()) for text in locator.all_inner_texts()]


def _result_names(page) -> list[str]:
    return _texts(page.locator(".rmo-result h3 a"))


def _tap(page, locator) -> None:
    """Tap a link or button as a finger does, and wait for the page it opens."""
    with page.expect_navigation():
        locator.tap()


# ---------------------------------------------------------------- 1. kana search on a phone
@pytest.mark.parametrize("query", ["いくわ", "ｲｸﾜ"], ids=["hiragana", "halfwidth-katakana"])
def test_kana_search_on_phone_finds_ikuwa_and_leads_to_municipality_and_prefecture(
    live_server, directory_demo, phone_page, screenshot, query
):
    page = phone_page
    base = live_server.url

    # The home page's search box, typed into with the phone's kana.
    page.goto(base + "/")
    assert page.title() == f"地域運営組織ポータル | {SITE}"
    box = page.get_by_role("searchbox", name="地域運営組織を検索")
    box.tap()
    box.fill(query)
    screenshot(page, "home-query-typed", full_page=False)
    _tap(page, page.get_by_role("search").get_by_role("button", name="検索"))

    # The results: the reading matches whichever kana was typed.
    assert urlsplit(page.url).path == "/organizations/"
    assert parse_qs(urlsplit(page.url).query) == {"q": [query]}
    assert page.title() == f"地域運営組織を探す | {SITE}"
    assert _texts(page.locator("#rmo-results-heading")) == ["1件の地域運営組織"]
    assert _result_names(page) == [IKUWA]
    assert page.locator("#rmo-q").input_value() == query
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "results")

    # The detail: the case study, the municipality link and the デモ badge.
    _tap(page, page.get_by_role("link", name=IKUWA))
    organization = Organization.objects.get(name=IKUWA)
    assert page.url == base + organization.get_absolute_url()
    assert page.title() == f"{IKUWA} | {SITE}"
    assert page.locator("h1").inner_text().split() == [IKUWA, "デモ"]
    assert page.locator("h1 .badge").get_attribute("title") == "デモデータです（実際の登録情報ではありません）"
    case_study = page.get_by_role("region", name=CASE_STUDY_TITLE)
    assert case_study.locator("p").all_inner_texts() == [
        "活動事例",
        "地域にあったガソリンスタンドと日用品店舗が閉鎖されることとなったが、生桑振興会が中心となり"
        "ガソリンスタンドと食料品店舗の複合施設の更新等を実施。",
        "食料品店舗内には交流や談話できるサロンスペースがあり、地域住民が気軽に立ち寄れる拠点にもなっている。",
        "出典：総務省 地域振興室「総務省地域振興室の事業について」地域運営組織の活動事例",
    ]
    assert page.locator("dt:text-is('活動内容') + dd").inner_text() != "—"
    screenshot(page, "detail")

    # The municipality page lists the organization.
    _tap(page, page.locator("dt:text-is('市区町村') + dd").get_by_role("link", name=AKITAKATA))
    assert page.url == base + "/municipalities/342149/"
    assert page.title() == f"{AKITAKATA} | {SITE}"
    assert _texts(page.locator("#municipality-organizations-heading")) == ["地域運営組織（1組織）"]
    assert _result_names(page) == [IKUWA]
    screenshot(page, "municipality")

    # The breadcrumb up to the prefecture: 安芸高田市 is among its municipalities with an RMO.
    _tap(page, page.locator(".site-breadcrumbs").get_by_role("link", name="広島県"))
    assert page.url == base + "/prefectures/34/"
    assert page.title() == f"広島県 | {SITE}"
    assert _texts(page.locator("#with-heading + ul > li")) == ["安芸高田市（1組織）"]
    screenshot(page, "prefecture")


def test_prefecture_facet_gives_a_shareable_url(live_server, directory_volume, browser, device_page, screenshot):
    page = device_page
    page.goto(live_server.url + "/organizations/")
    total = Organization.objects.filter(is_published=True).count()
    assert _texts(page.locator("#rmo-results-heading")) == [f"{total}件の地域運営組織"]
    assert page.locator(".pagination").is_visible()
    screenshot(page, "list-unfiltered")

    hiroshima = page.locator(".rmo-facets section", has=page.get_by_role("heading", name="都道府県")).get_by_role(
        "link", name="広島県"
    )
    count = int(re.fullmatch(r"\((\d+)\)", hiroshima.locator("xpath=following-sibling::span[1]").inner_text()).group(1))
    with page.expect_navigation():
        hiroshima.click()

    assert parse_qs(urlsplit(page.url).query)["pref"] == ["34"]
    assert _texts(page.locator("#rmo-results-heading")) == [f"{count}件の地域運営組織"]
    assert IKUWA in _result_names(page)
    assert page.locator("#rmo-pref").input_value() == "34"
    # The chosen facet is marked for the eye (✓, bold) and for a screen reader (aria-current);
    # pressing it again clears the filter.
    assert _texts(page.locator(".rmo-facets a[aria-current=true]")) == ["✓ 広島県"]
    assert page.locator(".rmo-facets a[aria-current=true]").get_attribute("href") == "?"
    screenshot(page, "list-pref-34")

    # The URL is the whole state: opened elsewhere (a colleague's browser), it shows the same list.
    shared_url = page.url
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    try:
        other = context.new_page()
        other.goto(shared_url)
        assert _texts(other.locator("#rmo-results-heading")) == [f"{count}件の地域運営組織"]
        assert _result_names(other) == _result_names(page)
    finally:
        context.close()


def test_stats_page_draws_chart_and_table(live_server, directory_demo, device_page, screenshot):
    page = device_page
    page.goto(live_server.url + "/stats/")

    assert page.title() == f"地域運営組織の統計 | {SITE}"
    chart = page.get_by_role("img", name="地域運営組織の形成数の推移（単位：団体）")
    assert chart.evaluate("el => el.tagName") == "svg"
    assert chart.is_visible()
    assert chart.locator("rect").count() >= 1
    rows = page.locator("table.rmo-totals tbody tr")
    assert rows.count() >= 1
    assert _texts(page.locator("table.rmo-totals thead th")) == ["年度", "組織数", "形成市区町村数", "出典"]
    # Every bar drawn has its year in the table, so the chart's numbers are there as text too.
    bars = chart.locator("rect > title").all_text_contents()
    assert len(bars) >= 1
    table_text = page.locator("table.rmo-totals").inner_text()
    for bar in bars:
        assert bar.rsplit("：", 1)[1] in table_text, bar
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(page, "stats")


# ---------------------------------------------------------------- 3. accessibility and HTML
@pytest.fixture
def directory_pages(live_server, directory_volume, settings, tmp_path) -> dict[str, str]:
    """Every public directory page, by name → URL."""
    base = live_server.url
    ikuwa = Organization.objects.get(name=IKUWA)
    settings.OPEN_DATA_SNAPSHOT_ROOT = tmp_path / "snapshots"
    opendata.snapshot_write(dt.date(2026, 12, 1))
    return {
        "list_empty_query": f"{base}/organizations/",
        "list_results": f"{base}/organizations/?q=%E3%81%84%E3%81%8F%E3%82%8F&pref=34",
        "list_page_2": f"{base}/organizations/?page=2",
        "list_no_results": f"{base}/organizations/?q=%E5%AD%98%E5%9C%A8%E3%81%97%E3%81%AA%E3%81%84",
        "list_ignored_filters": f"{base}/organizations/?pref=99&municipality=999999&activity=nope",
        "detail": f"{base}{ikuwa.get_absolute_url()}",
        "municipality": f"{base}/municipalities/342149/",
        "prefecture": f"{base}/prefectures/34/",
        "stats": f"{base}/stats/",
        "open_data": f"{base}/organizations/open-data/",
        "export_refused": f"{base}/organizations/export.csv?pref=99&prefecture=34",
    }


def _open(page, name: str, url: str):
    response = page.goto(url)
    assert response.status == (400 if name == "export_refused" else 200), (name, response.status)
    if name == "list_no_results":
        assert page.locator("main").get_by_text(NO_RESULTS).is_visible()
    if name == "list_ignored_filters":
        assert page.get_by_role("status").locator("li").count() == 3
    if name == "list_results":
        assert _result_names(page) == [IKUWA]
    return response


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_directory_pages_have_no_wcag_violations(request, directory_pages, screenshot, device):
    page = request.getfixturevalue(f"{device}_page")
    violations = {}
    reflow = {}
    for name, url in directory_pages.items():
        _open(page, name, url)
        screenshot(page, name)
        violations[name] = axe_audit(page)
        reflow[name] = page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

    assert violations == {name: [] for name in directory_pages}, "\n".join(
        f"axe-core, {name} ({directory_pages[name]}):\n{format_violations(found)}"
        for name, found in violations.items()
        if found
    )
    # Reflow (WCAG 1.4.10): nothing makes a page wider than the screen.
    assert reflow == {name: True for name in directory_pages}


def test_directory_page_sources_have_no_html_errors(directory_pages, desktop_page):
    sources = {name: _open(desktop_page, name, url).text() for name, url in directory_pages.items()}

    errors = html_check_many(sources)  # one checker run for all pages

    assert errors == {name: [] for name in directory_pages}, "\n".join(
        f"Nu HTML Checker, {directory_pages[name]}:\n{format_html_errors(page_errors)}"
        for name, page_errors in errors.items()
        if page_errors
    )
