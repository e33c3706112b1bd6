#!/usr/bin/env bash
# Install the portal and its pinned dependencies into ./.venv (idempotent; fast when up to date).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Python 3.11 or newer is required (found: $("$PYTHON" --version 2>&1))." >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
STAMP=.venv/.installed
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ] || [ requirements.lock -nt "$STAMP" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    # requirements.lock pins every transitive package so installs repeat exactly.
    .venv/bin/python -m pip install --quiet -c requirements.lock -e ".[dev]"
    touch "$STAMP"
fi
