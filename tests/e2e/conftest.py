"""Real-browser tests: Playwright for Python driving the system's Chromium.

Tools, and what happens without them (each skips with the reason, never fails):
- /usr/bin/chromium (Debian's package) and the playwright module (dev extra),
- tests/e2e/node_modules/axe-core (npm ci in tests/e2e) for `checks.axe_audit`,
- tests/e2e/node_modules/vnu-jar and java for `checks.html_check`.
scripts/install_browser.sh installs all of them where it can.

Every page runs against pytest-django's `live_server`, so the tests that use it need
`@pytest.mark.django_db(transaction=True)`: the server thread sees only committed rows.
Screenshots go to test-artifacts/<test name>/NN-step.png (git-ignored).
`pytest -m e2e tests/e2e --accessibility-results` also writes the published accessibility
results (settings.ACCESSIBILITY_RESULTS_PATH) from every axe-core and Nu HTML Checker run.
"""

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from .checks import RECORDER

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = ROOT / "test-artifacts"
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
# Any request that would leave this machine is refused: pages must work with local assets only.
OFF_MACHINE = re.compile(r"^(https?|wss?)://(?!(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(/|$))")


# ---------------------------------------------------------------- browser
@pytest.fixture(scope="package")
def browser() -> Iterator:
    """One headless Chromium for the whole e2e package, closed when the package is done."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: run scripts/install_browser.sh (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright module is not installed: .venv/bin/pip install -e '.[dev]'")

    # Playwright's sync API keeps an asyncio loop running on this thread while it is started,
    # which Django's async-safety guard mistakes for async code calling the ORM. The tests'
    # ORM calls are plain synchronous ones, so the guard is lifted for exactly that span.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        RECORDER.tools["chromium"] = chromium.version
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _new_page(browser, request, **device):
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", **device)
    context.set_default_timeout(15_000)
    context.route(OFF_MACHINE, lambda route: route.abort("blockedbyclient"))
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        try:
            page.screenshot(path=str(_artifact_dir(request.node.name) / "failure.png"), full_page=True)
        except Exception:  # noqa: BLE001 - a failure screenshot must never hide the real failure
            pass
    context.close()


@pytest.fixture
def phone_page(browser, request):
    """A phone-sized page (390x844, touch, Japanese locale, Asia/Tokyo)."""
    yield from _new_page(browser, request, **PHONE)


@pytest.fixture
def desktop_page(browser, request):
    """A desktop page (1280x800, Japanese locale, Asia/Tokyo)."""
    yield from _new_page(browser, request, **DESKTOP)


@pytest.fixture(params=["phone", "desktop"])
def device_page(request):
    """The same test on a phone and on a desktop; `page.device` tells which."""
    page = request.getfixturevalue(f"{request.param}_page")
    page.device = request.param
    return page


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    if report.failed:
        RECORDER.outcomes["failed"] += 1
    elif report.skipped:
        RECORDER.outcomes["skipped"] += 1
    elif report.when == "call":
        RECORDER.outcomes["passed"] += 1
    return report


# ---------------------------------------------------------------- published accessibility results
def pytest_addoption(parser):
    # Registered when tests/e2e is named on the command line (an initial conftest), as the
    # README's command does.
    parser.addoption(
        "--accessibility-results",
        action="store_true",
        help="write the axe-core and Nu HTML Checker results to settings.ACCESSIBILITY_RESULTS_PATH",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    # Only pages the portal served count: tests without the live server check pages made up.
    RECORDER.test = item.nodeid if "live_server" in item.fixturenames else None
    try:
        return (yield)
    finally:
        RECORDER.test = None


def pytest_sessionfinish(session):
    """Write the results file when asked. Only then: a run of a few tests must not replace the
    published results of the whole suite with its handful of pages."""
    if not session.config.getoption("--accessibility-results", default=False):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not RECORDER.pages:
        if reporter is not None:
            reporter.write_line("accessibility results: no page was checked, nothing written")
        return
    path = Path(settings.ACCESSIBILITY_RESULTS_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(RECORDER.as_data(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if reporter is not None:
        reporter.write_line(f"accessibility results: {len(RECORDER.pages)} pages written to {path}")


# ---------------------------------------------------------------- screenshots
def _artifact_dir(test_name: str) -> Path:
    directory = ARTIFACTS_DIR / re.sub(r"[^\w.-]+", "_", test_name).strip("_")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@dataclass
class Screenshots:
    """Numbered screenshots of one test's steps: test-artifacts/<test>/01-home.png, 02-..."""

    directory: Path
    taken: list[Path] = field(default_factory=list)

    def __call__(self, page, step: str, *, full_page: bool = True) -> Path:
        name = re.sub(r"[^\w.-]+", "-", step).strip("-")
        path = self.directory / f"{len(self.taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.taken.append(path)
        return path


@pytest.fixture
def screenshot(request) -> Screenshots:
    """`screenshot(page, "step")` saves the next numbered step of this test."""
    directory = ARTIFACTS_DIR / re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    shutil.rmtree(directory, ignore_errors=True)
    return Screenshots(_artifact_dir(request.node.name))


# ---------------------------------------------------------------- data
@pytest.fixture
def municipality_master(transactional_db) -> None:
    """The 47 prefectures and their municipalities, for pages that list or link them."""
    call_command("load_municipalities", verbosity=0)
