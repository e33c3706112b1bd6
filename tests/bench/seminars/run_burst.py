#!/usr/bin/env python
"""Burst benchmark: 500 concurrent registrations for 80 venue / 400 online seats.

Starts gunicorn on this project (bench_wsgi.py), then fires the same burst twice in the
same run against the same server:

1. full stack: GET the form (untimed, for the CSRF cookie and token), then all POSTs to
   /seminars/<slug>/register/ at once, through every middleware, the form, the service
   and its queued mail;
2. bare: all POSTs at once to /bench/bare/<slug>/, a view with no middleware doing only
   the lock, the count and the insert.

It then checks the database: exactly 80 venue and 400 online confirmed per seminar, no
5xx. Usage (from the repository root):

    .venv/bin/python tests/bench/seminars/run_burst.py --db postgres
    .venv/bin/python tests/bench/seminars/run_burst.py --db sqlite
"""

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
VENUE_SEATS, ONLINE_SEATS = 80, 400
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def environment(args) -> dict:
    env = {
        **os.environ,
        "SECRET_KEY": "bench-only-secret",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "SITE_URL": f"http://127.0.0.1:{args.port}",
        "LOG_LEVEL": "WARNING",
        "READ_DOTENV": "false",
        "RATELIMIT_REGISTRATION": "",  # 500 clients share one address here; the limit is per address
        "GUNICORN_ACCESSLOG": "",  # gunicorn.conf.py (the deploy config) is used; no access log here
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONPATH": f"{ROOT}:{HERE}",
        "DJANGO_SETTINGS_MODULE": "bench_settings",
    }
    if args.db == "postgres":
        env["DATABASE_URL"] = args.database_url
        env["DATABASE_POOL_MAX"] = str(args.threads + 2)
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(ROOT / "var" / "bench" / "seminars.sqlite3")
    return env


def prepare_database(args, env: dict) -> None:
    if args.db == "postgres":
        import psycopg

        parsed = urllib.parse.urlparse(args.database_url)
        name = parsed.path.lstrip("/")
        admin = parsed._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    else:
        path = Path(env["SQLITE_PATH"])
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    if args.municipalities:
        subprocess.run([sys.executable, "manage.py", "load_municipalities", "-v0"], cwd=ROOT, env=env, check=True)


def django_setup(env: dict) -> None:
    os.environ.update(env)
    sys.path[:0] = [str(ROOT), str(HERE)]
    import django

    django.setup()


def make_seminar(slug: str):
    import datetime as dt

    from seminars.models import Seminar

    return Seminar.objects.create(
        title=f"ベンチマーク {slug}",
        fiscal_year=2026,
        slug=slug,
        date=dt.date(2027, 2, 5),
        start_time=dt.time(13, 30),
        end_time=dt.time(17, 0),
        venue_name="ベンチマーク会場",
        venue_capacity=VENUE_SEATS,
        online_capacity=ONLINE_SEATS,
        deadline=dt.date(2027, 1, 29),
        is_published=True,
        is_demo=True,
    )


def requests_mix(count: int) -> list[dict]:
    """150 want the venue (and accept online when full); the rest want online (waitlist when full)."""
    people = []
    for index in range(count):
        venue = index < 150
        people.append(
            {
                "name": f"負荷 試験{index}",
                "kana": "ふか しけん",
                "email": f"bench{index}@example.jp",
                "email_confirm": f"bench{index}@example.jp",
                "affiliation": "",
                "category": "other",
                "municipality": "",
                "mode": "venue" if venue else "online",
                "when_full": "online" if venue else "waitlist",
                "accessibility_needs": "",
                "consent": "on",
            }
        )
    random.Random(0).shuffle(people)
    return people


def wait_for_server(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz")


def burst(port: int, jobs: list) -> list[dict]:
    """Run every job's POST at the same moment. A job is (prepare, post) callables."""
    start = threading.Barrier(len(jobs))
    results: list[dict] = [{} for _ in jobs]

    def run(index: int) -> None:
        prepare, post = jobs[index]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            state = prepare(connection)
        except Exception as error:  # noqa: BLE001
            state = {"error": repr(error)}
        # The server drops idle keep-alive connections after 2 s: POST on a fresh one,
        # as a phone that filled in the form for a minute would.
        connection.close()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        start.wait()
        began = time.perf_counter()
        try:
            status, body = post(connection, state)
        except Exception as error:  # noqa: BLE001
            status, body = 0, repr(error)
        results[index] = {"status": status, "body": body, "began": began, "ended": time.perf_counter()}
        connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def full_stack_jobs(slug: str, people: list[dict]) -> list:
    path = f"/seminars/{slug}/register/"

    def job(person: dict):
        def prepare(connection) -> dict:
            connection.request("GET", path)
            response = connection.getresponse()
            html = response.read().decode()
            cookie = response.getheader("Set-Cookie", "")
            csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie).group(1)
            return {"cookie": f"csrftoken={csrf_cookie}", "token": CSRF_INPUT.search(html).group(1)}

        def post(connection, state: dict):
            body = urllib.parse.urlencode({**person, "csrfmiddlewaretoken": state["token"]})
            connection.request(
                "POST",
                path,
                body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": state["cookie"]},
            )
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            return response.status, ("redirect" if response.status == 302 else text)

        return prepare, post

    return [job(person) for person in people]


def bare_jobs(slug: str, people: list[dict]) -> list:
    path = f"/bench/bare/{slug}/"

    def job(person: dict):
        def post(connection, state: dict):
            connection.request(
                "POST", path, body=urllib.parse.urlencode(person),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            response = connection.getresponse()
            return response.status, response.read().decode()

        return (lambda connection: {}), post

    return [job(person) for person in people]


def summarize(label: str, results: list[dict]) -> dict:
    latencies = sorted((r["ended"] - r["began"]) * 1000 for r in results)
    wall = max(r["ended"] for r in results) - min(r["began"] for r in results)
    statuses = Counter(r["status"] for r in results)
    refused_messages = Counter()
    for r in results:
        if r["status"] == 200 and isinstance(r["body"], str):
            match = re.search(r"(会場・オンラインとも満席です。|オンライン参加は満席です。|会場参加は満席です。)", r["body"])
            refused_messages[match.group(1) if match else "other 200"] += 1
    p99 = latencies[min(len(latencies) - 1, int(round(0.99 * len(latencies))) - 1)]
    return {
        "label": label,
        "requests": len(results),
        "wall_seconds": round(wall, 3),
        "throughput_rps": round(len(results) / wall, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(p99, 1),
        "max_ms": round(latencies[-1], 1),
        "statuses": dict(sorted(statuses.items())),
        "refused_with_message": dict(refused_messages),
        "server_errors": sum(count for status, count in statuses.items() if status >= 500),
        "client_errors": sorted({r["body"][:120] for r in results if r["status"] == 0})[:5],
    }


def database_counts(slug: str) -> dict:
    from django.db.models import Count

    from seminars.models import Registration

    rows = Registration.objects.filter(seminar__slug=slug).values("mode", "status").annotate(n=Count("id"))
    return {f"{row['mode']}/{row['status']}": row["n"] for row in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/rmo_h4_bench")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--municipalities", action="store_true", help="load the municipality master first (heavier form)")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()

    env = environment(args)
    prepare_database(args, env)
    django_setup(env)
    stamp = str(int(time.time()))
    full_slug, bare_slug = f"bench-full-{stamp}", f"bench-bare-{stamp}"
    make_seminar(full_slug)
    make_seminar(bare_slug)
    from django.db import connections

    connections.close_all()

    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "bench_wsgi:application",
            "--chdir", str(HERE),
            "--workers", str(args.workers),
            "--worker-class", "gthread",
            "--threads", str(args.threads),
            "--bind", f"127.0.0.1:{args.port}",
            "--backlog", "2048",
            "--timeout", "120",
            "--log-level", "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_server(args.port)
        people = requests_mix(args.requests)
        full = summarize("full stack (gunicorn + middleware + CSRF + form + service + mail queue)",
                         burst(args.port, full_stack_jobs(full_slug, people)))
        bare = summarize("bare view (no middleware: lock + count + insert)", burst(args.port, bare_jobs(bare_slug, people)))
    finally:
        server.terminate()
        server.wait(timeout=30)

    full["database"] = database_counts(full_slug)
    bare["database"] = database_counts(bare_slug)
    report = {
        "db": args.db,
        "workers": args.workers,
        "threads": args.threads,
        "cpus": os.cpu_count(),
        "full": full,
        "bare": bare,
        "full_vs_bare_throughput": round(full["throughput_rps"] / bare["throughput_rps"], 2),
    }
    ok = all(
        side["database"].get("venue/confirmed") == VENUE_SEATS
        and side["database"].get("online/confirmed") == ONLINE_SEATS
        and side["server_errors"] == 0
        and 0 not in side["statuses"]
        for side in (full, bare)
    )
    report["ok"] = ok
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
