"""Page checks for the real-browser tests: axe-core (WCAG 2.1 A/AA) and the Nu HTML Checker.

Each skips the calling test with the reason when its tool is not installed
(scripts/install_browser.sh installs both: npm ci in tests/e2e; Java comes with the machine).
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
AXE_JS = E2E_DIR / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = E2E_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# JIS X 8341-3:2016 level AA corresponds to WCAG 2.0 AA; the ministry's target is WCAG 2.1 AA.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


# ---------------------------------------------------------------- accessibility (axe-core)
def axe_audit(page, *, tags: tuple[str, ...] = AXE_TAGS) -> list[dict]:
    """Run axe-core on the page as it is now and return its WCAG violations (an empty list is a pass)."""
    if not AXE_JS.exists():
        pytest.skip(f"axe-core is not installed ({AXE_JS.relative_to(ROOT)}): run npm ci in tests/e2e")
    # Evaluated through the DevTools protocol rather than added as a <script>, so a page's
    # Content-Security-Policy stays in force for everything the page itself does.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    results = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})""",
        list(tags),
    )
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


def assert_accessible(page) -> None:
    violations = axe_audit(page)
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
