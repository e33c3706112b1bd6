#!/usr/bin/env bash
# One command for a newcomer: install, set up the embedded SQLite database with the
# municipality master and the demo data, then serve the portal and its mail worker.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh

export DEBUG="${DEBUG:-true}"
# Mail goes to this terminal unless SMTP is configured.
export EMAIL_BACKEND="${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}"
PY=.venv/bin/python

$PY manage.py migrate --noinput
$PY manage.py setup_demo

# The mail worker runs beside the web server; both stop together.
$PY manage.py db_worker --queue-name '*' --no-reload &
WORKER_PID=$!
trap 'kill "$WORKER_PID" 2>/dev/null || true' EXIT INT TERM

echo "ポータル: http://127.0.0.1:8000/   管理画面: http://127.0.0.1:8000/admin/"
$PY manage.py runserver 127.0.0.1:8000
