"""Page checks for the real-browser tests: axe-core (WCAG 2.1 A/AA) and the Nu HTML Checker.

Each skips the calling test with the reason when its tool is not installed
(scripts/install_browser.sh installs both: npm ci in tests/e2e; Java comes with the machine).
Every run on a page the portal served is recorded for the published accessibility results
(RECORDER; conftest writes the file with --accessibility-results).
"""

import datetime as dt
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from portal.accessibility import RESULTS_FORMAT
from portal.deadlines import JAPAN

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
AXE_JS = E2E_DIR / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = E2E_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# JIS X 8341-3:2016 level AA corresponds to WCAG 2.0 AA; the ministry's target is WCAG 2.1 AA.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
# What the results page calls a page whose form shows its errors (portal.accessibility.STATE_LABELS).
ERROR_STATE = "errors"
SHOWS_ERRORS_JS = """() => document.querySelector('[aria-invalid="true"], .invalid-feedback, .errorlist') !== null"""


# ---------------------------------------------------------------- the session's record
class AccessibilityRecorder:
    """Every axe-core and Nu HTML Checker run of the session on a page the portal served, for the
    results file that /accessibility/results/ publishes (written by conftest at session end).

    conftest sets ``test`` to the running test's id when that test uses the live server, and
    to None otherwise: the controls in test_checks.py feed pages broken on purpose, which are
    not the portal's.
    """

    def __init__(self) -> None:
        self.test: str | None = None
        self.pages: dict[tuple[str, str, str], dict] = {}
        self.rule_tags: dict[str, list[str]] = {}
        self.html_documents: list[dict] = []
        self.html_errors: list[dict] = []
        self.tools: dict[str, str] = {}
        self.outcomes = {"passed": 0, "failed": 0, "skipped": 0}

    def axe_run(self, *, url: str, title: str, viewport: dict, state: str, results: dict) -> None:
        if self.test is None:
            return
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        key = (path, f"{viewport['width']}x{viewport['height']}", state)
        page = self.pages.setdefault(
            key,
            {"path": key[0], "viewport": key[1], "state": state, "title": title, "tests": [],
             "passes": set(), "violations": {}, "incomplete": {}},
        )
        if self.test not in page["tests"]:
            page["tests"].append(self.test)
        for kind in ("passes", "violations", "incomplete", "inapplicable"):
            for rule in results[kind]:
                self.rule_tags[rule["id"]] = sorted(rule["tags"])
                if kind == "passes":
                    page["passes"].add(rule["id"])
                elif kind != "inapplicable":
                    page[kind][rule["id"]] = max(page[kind].get(rule["id"], 0), len(rule["nodes"]))
        self.tools.setdefault("axe_core", results.get("testEngine", {}).get("version", ""))

    def html_run(self, *, documents: dict[str, str], errors: dict[str, list[dict]]) -> None:
        if self.test is None:
            return
        for name in documents:
            self.html_documents.append({"test": self.test, "document": name})
            self.html_errors.extend(
                {"test": self.test, "document": name, "message": error.get("message", "")} for error in errors[name]
            )

    def as_data(self) -> dict:
        """The results file's content (its layout: portal.accessibility.results_from_data)."""
        pages = [
            {**page, "passes": sorted(page["passes"]), "tests": sorted(page["tests"])}
            for _key, page in sorted(self.pages.items())
        ]
        return {
            "format": RESULTS_FORMAT,
            "tested_at": dt.datetime.now(JAPAN).replace(microsecond=0).isoformat(),
            "tools": {**self.tools, "vnu_jar": _package_version("vnu-jar"), "axe_tags": list(AXE_TAGS)},
            "session": dict(self.outcomes),
            "rules": dict(sorted(self.rule_tags.items())),
            "pages": pages,
            "html": {"documents": len(self.html_documents), "errors": self.html_errors},
        }


RECORDER = AccessibilityRecorder()


def _package_version(name: str) -> str:
    try:
        return json.loads((E2E_DIR / "node_modules" / name / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return ""


# ---------------------------------------------------------------- accessibility (axe-core)
def axe_audit(page, *, tags: tuple[str, ...] = AXE_TAGS, state: str | None = None) -> list[dict]:
    """Run axe-core on the page as it is now and return its WCAG violations (an empty list is a pass).

    Every run is also recorded (RECORDER) with the rules that passed and those axe-core could
    not decide, under the page's ``state``: by default ERROR_STATE when a form shows errors.
    """
    if not AXE_JS.exists():
        pytest.skip(f"axe-core is not installed ({AXE_JS.relative_to(ROOT)}): run npm ci in tests/e2e")
    # Evaluated through the DevTools protocol rather than added as a <script>, so a page's
    # Content-Security-Policy stays in force for everything the page itself does.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    # Passes come back too (one element each, which is enough to say a rule applied); the
    # results page needs them to call a criterion 適合 rather than untested.
    results = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations", "incomplete"]})""",
        list(tags),
    )
    if state is None:
        state = ERROR_STATE if page.evaluate(SHOWS_ERRORS_JS) else ""
    RECORDER.axe_run(url=page.url, title=page.title(), viewport=page.viewport_size, state=state, results=results)
    return results["violations"]


def format_violations(violations: list[dict]) -> str:
    """One block per violation: id, impact, help, and the CSS target of every failing node."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation['help']}  <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}")
            lines.append(f"        {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("        " + node["failureSummary"].replace("\n", "\n        "))
    return "\n".join(lines)


def assert_accessible(page, *, state: str | None = None) -> None:
    violations = axe_audit(page, state=state)
    assert violations == [], f"axe-core: {len(violations)} WCAG 2.1 A/AA violation(s) on {page.url}\n" + (
        format_violations(violations)
    )


# ---------------------------------------------------------------- HTML (Nu HTML Checker)
def html_check(html: str) -> list[dict]:
    """Check a page's source with the Nu HTML Checker and return its errors (an empty list is a pass).

    Warnings and info messages are left out; a "non-document-error" (the checker itself failed)
    counts as an error so that a broken run cannot pass.
    """
    return html_check_many({"page": html})["page"]


def html_check_many(documents: dict[str, str]) -> dict[str, list[dict]]:
    """`html_check` for several pages in one checker run (one Java start-up instead of one each)."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("java is not installed: the Nu HTML Checker needs Java 17+")
    if not VNU_JAR.exists():
        pytest.skip(f"vnu-jar is not installed ({VNU_JAR.relative_to(ROOT)}): run npm ci in tests/e2e")
    with tempfile.TemporaryDirectory(prefix="vnu-") as directory:
        paths = {}
        for number, (name, html) in enumerate(documents.items()):
            paths[name] = Path(directory) / f"{number:03d}.html"
            paths[name].write_text(html, encoding="utf-8")
        result = subprocess.run(
            [java, "-Xss8m", "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always",
             *map(str, paths.values())],
            capture_output=True,
            timeout=300,
        )
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError) as exc:
        raise AssertionError(f"the Nu HTML Checker gave no report: {result.stderr.decode(errors='replace')}") from exc
    by_file = {path.name: name for name, path in paths.items()}
    errors: dict[str, list[dict]] = {name: [] for name in documents}
    for message in messages:
        if message["type"] not in {"error", "non-document-error"}:
            continue
        name = by_file.get(message.get("url", "").rsplit("/", 1)[-1])
        if name is None:  # not tied to one file: the run itself failed, so every page fails
            for page_errors in errors.values():
                page_errors.append(message)
        else:
            errors[name].append(message)
    RECORDER.html_run(documents=documents, errors=errors)
    return errors


def format_html_errors(errors: list[dict]) -> str:
    return "\n".join(
        f"line {error.get('lastLine', '?')}:{error.get('firstColumn', error.get('lastColumn', '?'))}: "
        f"{error['message']}\n    {error.get('extract', '').strip()}"
        for error in errors
    )


def assert_valid_html(html: str, *, url: str = "") -> None:
    errors = html_check(html)
    assert errors == [], f"Nu HTML Checker: {len(errors)} error(s) in {url}\n" + format_html_errors(errors)
