"""The statistics page in a real browser, on a phone (390x844) and a desktop (1280x900): the
legend swatches stay small, the page is not stretched, and the charts' text is readable."""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Rendered size of SVG text in CSS px: its font size times the drawing's scale on screen.
RENDERED_FONT_SIZES = """selector => [...document.querySelectorAll(selector)].map(text => ({
    text: text.textContent.trim(),
    size: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a,
    height: text.getBoundingClientRect().height,
}))"""
WIDTHS = "selector => [...document.querySelectorAll(selector)].map(el => el.getBoundingClientRect().width)"


@pytest.fixture
def survey_demo(municipality_master) -> None:
    call_command("load_demo_organizations", verbosity=0)


@pytest.fixture
def desktop_900(browser):
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def _assert_readable(page) -> None:
    for selector in (".rmo-chart > svg text", ".rmo-tile-map > svg text"):
        texts = page.evaluate(RENDERED_FONT_SIZES, selector)
        assert len(texts) >= 9, selector
        too_small = [text for text in texts if text["size"] < 12 or text["height"] < 11]
        assert too_small == [], selector


def _assert_small_swatches(page) -> None:
    # Seven: five coverage steps on the map, two series on the chart.
    assert page.evaluate(WIDTHS, ".rmo-legend svg") == [14] * 7


def test_stats_page_on_a_phone_keeps_swatches_small_and_text_readable(live_server, survey_demo, phone_page, screenshot):
    page = phone_page
    page.goto(live_server.url + "/stats/")

    _assert_small_swatches(page)
    _assert_readable(page)
    # No sideways page: the map scrolls inside its own box, which a keyboard can reach.
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    map_box = page.get_by_role("region", name="都道府県別の地図")
    assert map_box.evaluate("el => el.scrollWidth > el.clientWidth && el.tabIndex === 0") is True
    # The chart fills the column instead of shrinking into its corner.
    chart_width = page.evaluate(WIDTHS, ".rmo-chart > svg")[0]
    assert 340 <= chart_width <= 370
    # Stretched to the column, the five swatches once added some 2,000 px of blank page to the map's caption.
    caption = page.locator(".rmo-tile-map figcaption").bounding_box()
    assert caption["height"] < 120, caption
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 6000, height
    assert page.get_by_text("None").count() == 0
    screenshot(page, "stats-phone")


def test_stats_page_on_a_desktop_places_chart_beside_table(live_server, survey_demo, desktop_900, screenshot):
    page = desktop_900
    page.goto(live_server.url + "/stats/")

    _assert_small_swatches(page)
    _assert_readable(page)
    chart = page.locator(".rmo-chart > svg").bounding_box()
    table = page.locator("table.rmo-totals").bounding_box()
    assert chart["x"] + chart["width"] <= table["x"]
    assert abs(chart["y"] - table["y"]) < 60
    # Capped so that its text stays near 15 px on a wide screen.
    sizes = {round(text["size"]) for text in page.evaluate(RENDERED_FONT_SIZES, ".rmo-chart > svg text")}
    assert sizes == {15}
    map_box = page.get_by_role("region", name="都道府県別の地図")
    assert map_box.evaluate("el => el.scrollWidth <= el.clientWidth") is True
    screenshot(page, "stats-desktop")
