"""Controls for the page checks: each one must fail a page that is broken on purpose.

Without these, a checker that silently ran nothing (a wrong tag list, an unread report)
would let every page test pass.
"""

import pytest

from .checks import axe_audit, html_check, html_check_many

pytestmark = pytest.mark.e2e

BROKEN_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>broken on purpose</title></head>
<body><main><img src="/logo.png"><p><div>a block inside a paragraph</div></p></main></body></html>"""


def test_axe_audit_reports_missing_lang_and_alt(desktop_page):
    desktop_page.set_content(BROKEN_PAGE)

    violations = axe_audit(desktop_page)

    assert sorted(violation["id"] for violation in violations) == ["html-has-lang", "image-alt"]
    image_alt = next(violation for violation in violations if violation["id"] == "image-alt")
    assert [node["target"] for node in image_alt["nodes"]] == [["img"]]


def test_html_check_reports_errors_and_passes_a_valid_page():
    errors = html_check(BROKEN_PAGE)
    valid = html_check('<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>t</title></head><body></body></html>')

    assert [error["message"] for error in errors] == [
        "An “img” element must have an “alt” attribute, except under certain conditions. For details, consult guidance on providing text alternatives for images.",
        "No “p” element in scope but a “p” end tag seen.",
    ]
    assert valid == []


def test_html_check_many_reports_each_page_on_its_own():
    valid = '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>t</title></head><body></body></html>'

    errors = html_check_many({"broken": BROKEN_PAGE, "valid": valid})

    assert [len(errors["broken"]), errors["valid"]] == [2, []]
