"""The printed seminar flyer: exactly two A4 sheets (表面・裏面), printed to PDF by Chromium, and
on a phone the sheet follows the screen instead of being cut off."""

import re

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FLYERS = ["2025-nagano", "demo-2027"]
PDF_PAGE = re.compile(rb"/Type\s*/Page(?!s)\b")


@pytest.fixture
def seminars(municipality_master) -> None:
    call_command("load_demo_organizations", verbosity=0)
    call_command("load_demo_seminars", verbosity=0)


@pytest.mark.parametrize("slug", FLYERS)
def test_flyer_prints_on_exactly_two_a4_sheets_with_nothing_cut(seminars, live_server, desktop_page, slug):
    desktop_page.goto(f"{live_server.url}/seminars/{slug}/flyer/")

    pdf = desktop_page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    desktop_page.emulate_media(media="print")
    overflow = desktop_page.evaluate(
        "[...document.querySelectorAll('.flyer-page')].map(sheet => sheet.scrollHeight - sheet.clientHeight)"
    )

    assert len(PDF_PAGE.findall(pdf)) == 2
    assert overflow == [0, 0]  # each sheet's content fits on its sheet


@pytest.mark.parametrize("slug", FLYERS)
def test_flyer_fits_the_width_of_a_phone(seminars, live_server, phone_page, screenshot, slug):
    phone_page.goto(f"{live_server.url}/seminars/{slug}/flyer/")
    screenshot(phone_page, f"flyer-{slug}")

    widths = phone_page.evaluate(
        "[document.documentElement.scrollWidth, ...[...document.querySelectorAll('.flyer-page')]"
        ".map(sheet => Math.ceil(sheet.getBoundingClientRect().right))]"
    )

    assert all(width <= 390 for width in widths), widths
