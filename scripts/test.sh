#!/usr/bin/env bash
# Install everything and run the whole test suite against PostgreSQL.
#
# Which PostgreSQL: DATABASE_URL if set; else the server on 127.0.0.1:5432 (user postgres);
# else, if the PostgreSQL server binaries are installed, a throwaway cluster started for
# this run and removed after it; otherwise a clear message and exit status 2.
# Extra arguments go to pytest (e.g. ./scripts/test.sh tests/seminars -k deadline).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
# Chromium, Java and the npm test tools (axe-core, vnu-jar) for tests/e2e, where this
# machine allows it; the browser tests skip with their reason where it does not.
./scripts/install_browser.sh
PY=.venv/bin/python

database_answers() {
    "$PY" - "$1" <<'PYEOF' >/dev/null 2>&1
import sys, psycopg
psycopg.connect(sys.argv[1], dbname="postgres", connect_timeout=3).close()
PYEOF
}

THROWAWAY_DIR=""
cleanup() {
    if [ -n "$THROWAWAY_DIR" ]; then
        as_postgres_owner "$PG_BIN/pg_ctl" -D "$THROWAWAY_DIR/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$THROWAWAY_DIR"
    fi
}
trap cleanup EXIT

as_postgres_owner() {
    # initdb and postgres refuse to run as root; run them as the postgres user there.
    if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -z "${DATABASE_URL:-}" ]; then
    LOCAL_URL="${LOCAL_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/rmo_portal}"
    if database_answers "$LOCAL_URL"; then
        export DATABASE_URL="$LOCAL_URL"
    else
        PG_BIN="$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1 || true)")"
        if [ ! -x "$PG_BIN/initdb" ]; then
            cat >&2 <<'MSG'
No PostgreSQL found. The tests run on PostgreSQL; provide one of:
  - DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/NAME ./scripts/test.sh
  - a server on 127.0.0.1:5432 accepting user "postgres" (e.g. apt-get install postgresql)
  - the PostgreSQL server binaries (initdb, pg_ctl), for a throwaway cluster per run
MSG
            exit 2
        fi
        THROWAWAY_DIR="$(mktemp -d /tmp/rmo-pg.XXXXXX)"
        [ "$(id -u)" = "0" ] && chown postgres "$THROWAWAY_DIR"
        PORT=55432
        echo "No server on 127.0.0.1:5432: starting a throwaway PostgreSQL cluster on port $PORT." >&2
        # C.UTF-8 so that pg_trgm indexes Japanese text (it needs a UTF-8 LC_CTYPE).
        as_postgres_owner "$PG_BIN/initdb" -D "$THROWAWAY_DIR/data" -U postgres --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >/dev/null
        as_postgres_owner "$PG_BIN/pg_ctl" -D "$THROWAWAY_DIR/data" -l "$THROWAWAY_DIR/log" -w \
            -o "-p $PORT -k $THROWAWAY_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
        export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/rmo_portal"
    fi
fi
echo "Tests run on ${DATABASE_URL%%@*}@${DATABASE_URL#*@}" | sed -E 's#//([^:@/]+):[^@]*@#//\1:***@#' >&2

# The tree stays lint-clean (pyproject.toml [tool.ruff]); a finding fails the run before the tests.
"$PY" -m ruff check --quiet .

set +e
"$PY" -m pytest "$@"
status=$?
set -e
exit $status
