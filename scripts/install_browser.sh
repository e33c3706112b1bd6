#!/usr/bin/env bash
# Install the tools of the real-browser tests (tests/e2e), where this machine allows it.
# Idempotent and quiet when everything is present; never fails the caller: a tool that
# cannot be installed makes the tests that need it skip with the reason.
#
#   chromium          Debian's package, driven by Playwright for Python (the dev extra)
#   fonts-noto-cjk    so that screenshots show Japanese text, not empty boxes
#   Java 17+          for the Nu HTML Checker (default-jre-headless)
#   axe-core, vnu-jar npm ci in tests/e2e (tests/e2e/package-lock.json)
#
# Playwright's own browser download (`playwright install`) is never used.
set -uo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed" || missing+=(fonts-noto-cjk)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing ${missing[*]} (Debian packages) for the browser tests." >&2
        export DEBIAN_FRONTEND=noninteractive
        if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
            echo "Could not install ${missing[*]}; the browser tests that need them will skip." >&2
        fi
    fi
fi

E2E=tests/e2e
if command -v npm >/dev/null 2>&1; then
    # npm ci replaces node_modules; skip it while the installed tree matches the lock file.
    if [ ! -f "$E2E/node_modules/.package-lock.json" ] || [ "$E2E/package-lock.json" -nt "$E2E/node_modules/.package-lock.json" ]; then
        # --ignore-scripts: vnu-jar's install script would download a Java runtime; the system's Java is used.
        if ! (cd "$E2E" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null); then
            echo "npm ci in $E2E failed; the accessibility and HTML checks will skip." >&2
        fi
    fi
fi
exit 0
