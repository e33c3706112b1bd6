#!/usr/bin/env python
"""Every benchmark of the portal, in one run (`make bench`; see benchmarks/README.md).

On PostgreSQL (the server of DATABASE_URL, else 127.0.0.1:5432 as user postgres) it creates a
throwaway database, fills it (municipality master, demo content, --organizations generated
organizations), collects the static files into a temporary STATIC_ROOT, starts gunicorn with
the project's gunicorn.conf.py (DEBUG off, production settings, its own Redis on a free port)
and measures with locust (load.py), each scenario right after a bare Django view on the same
server: pages and searches with --users concurrent clients, the CSV export of every row, and
the seminar registration burst (on one app server and split across two). Then the same burst
on the embedded SQLite default. Worker memory is sampled from /proc (psutil) all along.

The database, the Redis server, the SQLite file and the temporary directory are removed at
the end (--keep-db keeps the PostgreSQL database). Results: benchmarks/results/last_run.json
and last_run.md. Exit status 0 when every correctness check held (exact seat counts, no 5xx,
no failed connection); the speed targets are reported, not enforced.
"""

import argparse
import json
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psutil
import psycopg

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "benchmarks"
PYTHON = sys.executable
RESULTS = HERE / "results"
VENUE_SEATS, ONLINE_SEATS = 80, 400

LONG_QUERIES = ["振興会", "まちづくり", "しんこうかい", "ｷｮｳｷﾞｶｲ", "地域自治協議会", "ひがしやま", "長野市", "生桑振興会"]
SHORT_QUERIES = ["東", "山", "生桑", "いく", "川", "ｲｸ"]
SLUGS = {"full": "bench-full", "bare": "bench-bare", "full2": "bench-full-two", "bare2": "bench-bare-two"}


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------- PostgreSQL
def postgres_urls(name: str) -> tuple[str, str]:
    """(admin URL on the maintenance database, URL of the bench database) on the chosen server."""
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    parsed = urllib.parse.urlparse(base)
    if parsed.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server (postgres://USER@HOST:PORT/NAME).")
    return parsed._replace(path="/postgres").geturl(), parsed._replace(path=f"/{name}").geturl()


def postgres_create(admin_url: str, name: str) -> str:
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            version = connection.execute("SHOW server_version").fetchone()[0]
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            # UTF-8 with a UTF-8 LC_CTYPE, as docs/deploy.md asks (pg_trgm indexes Japanese text).
            connection.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
    except psycopg.OperationalError as error:
        raise SystemExit(
            f"No PostgreSQL to benchmark on ({error.__class__.__name__}). Set DATABASE_URL to a server "
            "where the user may create databases, or run one on 127.0.0.1:5432 accepting user postgres."
        ) from error
    return version


def postgres_drop(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------- processes
@contextmanager
def redis_server(workdir: Path):
    """A private Redis (shared cache and rate-limit store, as in production), or none."""
    binary = shutil.which("redis-server")
    if not binary:
        log("redis-server not found: running without REDIS_URL (per-process caches)")
        yield ""
        return
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def server_environment(args, *, port: int, database_url: str, sqlite_path: Path | None, redis_url: str, workdir: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "SQLITE_PATH", "REDIS_URL", "STATICFILES_BACKEND", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
            "PYTHONPATH": str(ROOT),
            "READ_DOTENV": "false",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{port}",
            # Plain HTTP on the loopback: no TLS proxy in front, so no HTTPS redirect or secure cookies.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": str(workdir / "static"),
            "LOG_LEVEL": "WARNING",
            # The burst's 500 people all come from 127.0.0.1; the limit is per client address.
            "RATELIMIT_REGISTRATION": "",
            # Mail is queued in the database in the registration's transaction (as in production);
            # no task worker runs here, so nothing is sent.
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_ACCESSLOG": str(workdir / f"access-{port}.log"),
            # No worker replacement in the middle of a measurement: the memory figure is then the
            # one of a long-lived worker, and no re-import of Django lands inside a scenario.
            "GUNICORN_MAX_REQUESTS": "0",
        }
    )
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)
    # docs/deploy.md: one pooled connection per thread.
    env["DATABASE_POOL_MAX"] = env.get("GUNICORN_THREADS", "4")
    if redis_url:
        env["REDIS_URL"] = redis_url
    if sqlite_path:
        env["SQLITE_PATH"] = str(sqlite_path)
    else:
        env["DATABASE_URL"] = database_url
    return env


def manage(env: dict, *arguments: str) -> None:
    subprocess.run([PYTHON, "manage.py", *arguments], cwd=ROOT, env=env, check=True)


def prepare(env: dict, *, organizations: int, out: Path) -> dict:
    command = [PYTHON, str(HERE / "prepare.py"), "data", "--organizations", str(organizations), "--out", str(out)]
    for slug in SLUGS.values():
        command += ["--seminar", slug]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def registration_counts(env: dict, slugs: list[str]) -> dict:
    command = [PYTHON, str(HERE / "prepare.py"), "counts", *[f"--seminar={slug}" for slug in slugs]]
    for attempt in range(5):  # a shared PostgreSQL may be out of connections for a moment
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode == 0:
            return json.loads(done.stdout)
        log(f"counting the seats failed (attempt {attempt + 1}): {done.stderr.strip().splitlines()[-1:]}")
        time.sleep(3)
    raise SystemExit(done.stderr)


class Server:
    """gunicorn with the project's gunicorn.conf.py, serving benchmarks.bench_wsgi."""

    def __init__(self, env: dict, port: int, log_path: Path):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log_path.open("ab")
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "benchmarks.bench_wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}; see {log_path}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=3) as response:
                    if response.status == 200 and len(self.workers()) >= 1:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not answer /healthz; see {log_path}")

    def workers(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Meter:
    """Peak resident memory of any one worker (sampled every 50 ms from /proc), the workers'
    CPU time, and the load generator's CPU time, over one measurement."""

    def __init__(self, servers: list[Server]):
        self.servers = servers
        self.peak = 0
        self.stop = threading.Event()

    def _worker_cpu(self) -> float:
        total = 0.0
        for server in self.servers:
            for worker in server.workers():
                try:
                    times = worker.cpu_times()
                    total += times.user + times.system
                except psutil.NoSuchProcess:
                    pass
        return total

    def _sample(self) -> None:
        while not self.stop.wait(0.05):
            for server in self.servers:
                for worker in server.workers():
                    try:
                        self.peak = max(self.peak, worker.memory_info().rss)
                    except psutil.NoSuchProcess:
                        pass

    def __enter__(self):
        self.rss_before = max(
            (worker.memory_info().rss for server in self.servers for worker in server.workers()), default=0
        )
        self.cpu_before = self._worker_cpu()
        self.children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.figures = {
            "worker_rss_before_mib": round(self.rss_before / 2**20, 1),
            "worker_rss_peak_mib": round(max(self.peak, self.rss_before) / 2**20, 1),
            "server_cpu_seconds": round(self._worker_cpu() - self.cpu_before, 2),
            "loadgen_cpu_seconds": round(
                (children.ru_utime + children.ru_stime) - (self.children_before.ru_utime + self.children_before.ru_stime), 2
            ),
            "load_average_1m": round(os.getloadavg()[0], 2),
        }


def load(mode: str, servers: list[Server], workdir: Path, **options) -> dict:
    """One locust run (load.py) against the servers, with the meter around it."""
    out = workdir / f"load-{time.monotonic_ns()}.json"
    command = [PYTHON, str(HERE / "load.py"), mode, "--out", str(out)]
    for server in servers:
        command += ["--host", server.url]
    for key, value in options.items():
        if value is True:
            command.append(f"--{key}")
        elif value is not None and value is not False:
            command += [f"--{key}", str(value)]
    with Meter(servers) as meter:
        subprocess.run(command, cwd=ROOT, check=True, timeout=900)
    result = json.loads(out.read_text(encoding="utf-8"))
    result.update(meter.figures)
    if result.get("requests"):
        result["server_cpu_ms_per_request"] = round(1000 * result["server_cpu_seconds"] / result["requests"], 2)
    return result


def paths_file(workdir: Path, name: str, paths: list[str]) -> Path:
    path = workdir / f"paths-{len(list(workdir.glob('paths-*')))}.json"
    path.write_text(json.dumps(paths, ensure_ascii=False), encoding="utf-8")
    return path


# ---------------------------------------------------------------- scenarios
def page_scenarios(data: dict) -> dict[str, list[str]]:
    quote = urllib.parse.quote
    return {
        # Not a page: the full middleware stack around one SELECT 1 (the floor of any page).
        "middleware floor (/healthz)": ["/healthz"],
        "home": ["/"],
        "directory list": [f"/organizations/?page={page}" if page > 1 else "/organizations/" for page in range(1, 21)],
        "search 3+ characters (popular queries)": [f"/organizations/?q={quote(q)}" for q in LONG_QUERIES],
        "search 3+ characters (every query new)": [f"/organizations/?q={quote(q)}" for q in data["distinct_queries"]],
        "search 1-2 characters": [f"/organizations/?q={quote(q)}" for q in SHORT_QUERIES],
        "organization detail": [f"/organizations/{pk}/" for pk in data["detail_ids"]],
    }


def run_pages(args, server: Server, data: dict, workdir: Path) -> dict:
    scenarios = page_scenarios(data)
    bare_paths = paths_file(workdir, "bare", ["/bench/bare/hello/"])
    # Warm up every worker: templates compiled, pools open, PostgreSQL's buffers and the caches.
    warm = [path for paths in scenarios.values() for path in paths[:8]]
    load("pages", [server], workdir, paths=paths_file(workdir, "warm", warm), users=8, seconds=60, requests=max(200, 3 * len(warm)))
    load("pages", [server], workdir, paths=bare_paths, users=8, seconds=3)
    results = {}
    for name, paths in scenarios.items():
        log(f"pages: {name} ({args.users} clients, {args.seconds} s, bare view first)")
        bare = load("pages", [server], workdir, paths=bare_paths, users=args.users, seconds=args.seconds)
        page = load("pages", [server], workdir, paths=paths_file(workdir, name, paths), users=args.users, seconds=args.seconds)
        results[name] = {"page": page, "bare": bare, "throughput_ratio": round(page["throughput_rps"] / bare["throughput_rps"], 3)}
        log(f"  page {page['throughput_rps']} req/s p50 {page.get('p50_ms')} p99 {page.get('p99_ms')} ms; "
            f"bare {bare['throughput_rps']} req/s; ratio {results[name]['throughput_ratio']}; "
            f"RSS peak {page['worker_rss_peak_mib']} MiB; statuses {page['statuses']}")
    return results


def run_export(args, server: Server, workdir: Path) -> dict:
    results = {}
    for side, path in (("bare", "/bench/bare/export.csv"), ("page", "/organizations/export.csv")):
        log(f"CSV export ({side}): {args.exports} downloads one after the other")
        results[side] = load(
            "pages", [server], workdir, paths=paths_file(workdir, f"export-{side}", [path]), users=1,
            requests=args.exports, seconds=600,
        )
        log(f"  {results[side].get('p50_ms')} ms to the last byte (max {results[side].get('max_ms')}), "
            f"{results[side].get('mean_bytes', 0) / 2**20:.1f} MiB, worker RSS {results[side]['worker_rss_before_mib']} -> "
            f"{results[side]['worker_rss_peak_mib']} MiB")
    return results


def run_burst(args, servers: list[Server], workdir: Path, env: dict, *, full_slug: str, bare_slug: str) -> dict:
    sides = {}
    for side, path, csrf in (
        ("page", f"/seminars/{full_slug}/register/", True),
        ("bare", f"/bench/bare/register/{bare_slug}/", False),
    ):
        log(f"burst ({side}, {len(servers)} server(s)): {args.people} people POST at once")
        sides[side] = load("burst", servers, workdir, path=path, csrf=csrf, people=args.people, seconds=600)
    counts = registration_counts(env, [full_slug, bare_slug])
    sides["page"]["database"], sides["bare"]["database"] = counts[full_slug], counts[bare_slug]
    result = {**sides, "throughput_ratio": round(sides["page"]["throughput_rps"] / sides["bare"]["throughput_rps"], 3)}
    for side in ("page", "bare"):
        figures = sides[side]
        figures["exact_seats"] = (
            figures["database"].get("venue/confirmed") == VENUE_SEATS and figures["database"].get("online/confirmed") == ONLINE_SEATS
        )
        figures["no_overbooking"] = (
            figures["database"].get("venue/confirmed", 0) <= VENUE_SEATS and figures["database"].get("online/confirmed", 0) <= ONLINE_SEATS
        )
        # Nobody lost: every person is a registration row or got the form back with a refusal.
        refused = sum(n for message, n in figures["refused_with_message"].items() if message != "other 200")
        figures["every_person_accounted"] = sum(figures["database"].values()) + refused == args.people
        log(f"  {side}: {figures['database']}, statuses {figures['statuses']}, {figures['throughput_rps']} req/s, "
            f"p50 {figures.get('p50_ms')} p99 {figures.get('p99_ms')} ms, RSS peak {figures['worker_rss_peak_mib']} MiB")
    return result


# ---------------------------------------------------------------- report
def machine() -> dict:
    memory = psutil.virtual_memory()
    return {
        "nproc": os.cpu_count(),
        "cpu": next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor()),
        "memory_gib": round(memory.total / 2**30, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def versions() -> dict:
    from importlib.metadata import version

    return {name: version(name) for name in ("Django", "gunicorn", "psycopg", "locust")}


def targets(report: dict) -> list[dict]:
    """The issues' targets (7: pages and memory; 3: search and export; 4: the burst), met or not."""
    rows = []

    def add(target: str, measured: str, met: bool | None) -> None:
        rows.append({"target": target, "measured": measured, "met": met})

    pages = report.get("pages", {})
    for name in ("home", "directory list", "organization detail"):
        if name in pages:
            figures = pages[name]
            add(f"{name}: throughput ≥ 0.5 × bare view", f"{figures['throughput_ratio']:.3f}", figures["throughput_ratio"] >= 0.5)
            add(f"{name}: p99 < 100 ms at {report['settings']['users']} clients", f"{figures['page']['p99_ms']} ms", figures["page"]["p99_ms"] < 100)
    for name, limit in (
        ("search 3+ characters (popular queries)", 50),
        ("search 3+ characters (every query new)", 50),
        ("search 1-2 characters", 150),
    ):
        if name in pages:
            p95 = pages[name]["page"]["p95_ms"]
            add(f"{name}: p95 < {limit} ms at {report['settings']['users']} clients", f"{p95} ms", p95 < limit)
    if "export" in report:
        page = report["export"]["page"]
        add("CSV export of all rows: last byte < 5 s", f"{page['p50_ms'] / 1000:.2f} s (median of {page['requests']})", page["max_ms"] < 5000)
        # From before the first download (the bare one) to the peak of the portal's: a worker may serve both.
        before = report["export"]["bare"]["worker_rss_before_mib"]
        add(f"CSV export: flat memory (worker RSS grows < 50 MiB over {2 * page['requests']} downloads)", f"{before} → {page['worker_rss_peak_mib']} MiB",
            page["worker_rss_peak_mib"] - before < 50)
    for key, label in (("burst_postgres", "one app server"), ("burst_postgres_two_servers", "two app servers")):
        if key in report:
            burst = report[key]
            page = burst["page"]
            add(f"burst on PostgreSQL, {label}: exactly 80 venue + 400 online confirmed", json.dumps(page["database"], ensure_ascii=False), page["exact_seats"])
            add(f"burst on PostgreSQL, {label}: zero 5xx, no failed connection", f"{page['server_errors']} × 5xx, {page['failed_connections']} failed", page["server_errors"] == 0 and page["failed_connections"] == 0)
            add(f"burst on PostgreSQL, {label}: throughput ≥ 0.5 × bare view", f"{burst['throughput_ratio']:.3f}", burst["throughput_ratio"] >= 0.5)
            add(f"burst, {label}: worker RSS < 150 MB", f"{page['worker_rss_peak_mib']} MiB", page["worker_rss_peak_mib"] * 2**20 < 150e6)
    if "burst_sqlite" in report:
        page = report["burst_sqlite"]["page"]
        add("burst on SQLite: no overbooking", json.dumps(page["database"], ensure_ascii=False), page["no_overbooking"])
        add("burst on SQLite: zero 5xx", f"{page['server_errors']} × 5xx, {page['failed_connections']} failed", page["server_errors"] == 0 and page["failed_connections"] == 0)
    return rows


def markdown(report: dict) -> str:
    m, s = report["machine"], report["settings"]
    lines = [
        f"# Benchmark run of {report['started']}",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB memory, PostgreSQL {report['postgresql']}, "
        f"Python {m['python']}, " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()) + ".",
        f"Load average (1 min) at the start {report['load_average_start']}, at the end {report['load_average_end']}.",
        f"gunicorn: gunicorn.conf.py, {s['workers']} workers × {s['threads']} threads (gthread); "
        f"{s['organizations']:,} organizations; {s['users']} clients × {s['seconds']} s per page scenario; "
        f"Redis: {'yes' if s['redis'] else 'no'}.",
        "",
        "| scenario | side | req/s | p50 ms | p95 ms | p99 ms | server CPU ms/req | worker RSS peak MiB | statuses | page cache hits | ratio | load 1m |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]

    def hits(f: dict) -> str:
        counted = f.get("page_cache") or {}
        answers = sum(counted.values())
        if not answers or set(counted) == {"none"}:
            return ""
        return f"{100 * counted.get('hit', 0) / answers:.0f} %"

    def row(name: str, side: str, f: dict, ratio: str = "") -> None:
        lines.append(
            f"| {name} | {side} | {f.get('throughput_rps', '')} | {f.get('p50_ms', '')} | {f.get('p95_ms', '')} | "
            f"{f.get('p99_ms', '')} | {f.get('server_cpu_ms_per_request', '')} | {f.get('worker_rss_peak_mib', '')} | "
            f"{' '.join(f'{k}×{v}' for k, v in f.get('statuses', {}).items())} | {hits(f)} | {ratio} | {f.get('load_average_1m', '')} |"
        )

    for name, figures in report.get("pages", {}).items():
        row(name, "portal", figures["page"], f"{figures['throughput_ratio']:.2f}")
        row(name, "bare view", figures["bare"])
    if "export" in report:
        row("CSV export (time to last byte)", "portal", report["export"]["page"])
        row("CSV export (time to last byte)", "bare view", report["export"]["bare"])
    for key, label in (("burst_postgres", "burst, PostgreSQL"), ("burst_postgres_two_servers", "burst, PostgreSQL, 2 servers"), ("burst_sqlite", "burst, SQLite")):
        if key in report:
            row(label, "portal", report[key]["page"], f"{report[key]['throughput_ratio']:.2f}")
            row(label, "bare view", report[key]["bare"])
    bursts = [key for key in ("burst_postgres", "burst_postgres_two_servers", "burst_sqlite") if key in report]
    if bursts:
        lines += ["", "Seats after each burst (database):", ""]
    for key in bursts:
        if key in report:
            for side in ("page", "bare"):
                f = report[key][side]
                lines.append(f"- {key} {side}: {json.dumps(f['database'], ensure_ascii=False)}; refused with a message: "
                             f"{json.dumps(f['refused_with_message'], ensure_ascii=False)}")
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for t in report["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else 'NO'} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organizations", type=int, default=100_000, help="generated organizations (default 100,000)")
    parser.add_argument("--users", type=int, default=32, help="concurrent clients for the page scenarios (default 32)")
    parser.add_argument("--seconds", type=float, default=15, help="seconds per page measurement (default 15)")
    parser.add_argument("--people", type=int, default=500, help="registrations in the burst (default 500)")
    parser.add_argument("--exports", type=int, default=3, help="CSV downloads per side (default 3)")
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY (default: gunicorn.conf.py's, 2 × cores + 1)")
    parser.add_argument("--threads", type=int, help="GUNICORN_THREADS (default: gunicorn.conf.py's, 4)")
    parser.add_argument("--only", action="append", choices=["pages", "export", "burst", "two-servers", "sqlite"],
                        help="run only these parts (repeatable; default: all)")
    parser.add_argument("--keep-db", action="store_true", help="keep the PostgreSQL database afterwards")
    parser.add_argument("--out", type=Path, default=RESULTS / "last_run.json")
    args = parser.parse_args()
    parts = set(args.only or ["pages", "export", "burst", "two-servers", "sqlite"])

    db_name = f"rmo_bench_{os.getpid()}"
    admin_url, database_url = postgres_urls(db_name)
    workdir = Path(tempfile.mkdtemp(prefix="rmo-bench-"))
    report: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }
    ok = True
    try:
        report["postgresql"] = postgres_create(admin_url, db_name)
        log(f"database {db_name} on PostgreSQL {report['postgresql']}; work directory {workdir}")
        with redis_server(workdir) as redis_url:
            port = free_port()
            env = server_environment(args, port=port, database_url=database_url, sqlite_path=None, redis_url=redis_url, workdir=workdir)
            report["settings"] = {
                "organizations": args.organizations, "users": args.users, "seconds": args.seconds, "people": args.people,
                "workers": int(env.get("WEB_CONCURRENCY") or min(2 * (os.cpu_count() or 1) + 1, 8)),
                "threads": int(env.get("GUNICORN_THREADS") or 4), "redis": bool(redis_url),
            }
            log("collectstatic (hashed, compressed: the production storage)")
            manage(env, "collectstatic", "--noinput", "-v0")
            log(f"preparing PostgreSQL: master, demo content, {args.organizations:,} organizations")
            data = prepare(env, organizations=args.organizations if parts & {"pages", "export"} else 0, out=workdir / "data.json")
            report["data"] = {key: value for key, value in data.items() if key not in ("detail_ids", "distinct_queries")}
            log(f"prepared: {report['data']}")
            server = Server(env, port, workdir / "gunicorn.log")
            try:
                if "pages" in parts:
                    report["pages"] = run_pages(args, server, data, workdir)
                if "export" in parts:
                    report["export"] = run_export(args, server, workdir)
                if "burst" in parts:
                    report["burst_postgres"] = run_burst(args, [server], workdir, env, full_slug=SLUGS["full"], bare_slug=SLUGS["bare"])
                if "two-servers" in parts:
                    port2 = free_port()
                    env2 = {**env, "GUNICORN_BIND": f"127.0.0.1:{port2}", "GUNICORN_ACCESSLOG": str(workdir / f"access-{port2}.log")}
                    second = Server(env2, port2, workdir / "gunicorn-2.log")
                    try:
                        report["burst_postgres_two_servers"] = run_burst(
                            args, [server, second], workdir, env, full_slug=SLUGS["full2"], bare_slug=SLUGS["bare2"]
                        )
                    finally:
                        second.stop()
            finally:
                server.stop()
            if "sqlite" in parts:
                sqlite_path = workdir / "bench.sqlite3"
                port = free_port()
                env = server_environment(args, port=port, database_url="", sqlite_path=sqlite_path, redis_url=redis_url, workdir=workdir)
                log("preparing SQLite (the embedded default)")
                prepare(env, organizations=0, out=workdir / "data-sqlite.json")
                server = Server(env, port, workdir / "gunicorn-sqlite.log")
                try:
                    report["burst_sqlite"] = run_burst(args, [server], workdir, env, full_slug=SLUGS["full"], bare_slug=SLUGS["bare"])
                finally:
                    server.stop()
        for log_name in ("gunicorn.log", "gunicorn-2.log", "gunicorn-sqlite.log"):
            path = workdir / log_name
            if path.exists() and path.stat().st_size:
                report.setdefault("server_log_tail", {})[log_name] = path.read_text(errors="replace")[-3000:]
    finally:
        report["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        if not args.keep_db:
            try:
                postgres_drop(admin_url, db_name)
            except psycopg.Error as error:
                log(f"could not drop {db_name}: {error}")
        shutil.rmtree(workdir, ignore_errors=True)

    report["targets"] = targets(report)
    for key in ("burst_postgres", "burst_postgres_two_servers"):
        if key in report:
            ok &= all(report[key][side]["exact_seats"] for side in ("page", "bare"))
    for key in ("burst_postgres", "burst_postgres_two_servers", "burst_sqlite"):
        if key in report:
            ok &= all(report[key][side]["no_overbooking"] and report[key][side]["every_person_accounted"]
                      and report[key][side]["server_errors"] == 0
                      and report[key][side]["failed_connections"] == 0 for side in ("page", "bare"))
    for figures in report.get("pages", {}).values():
        ok &= figures["page"]["server_errors"] == 0 and figures["page"]["failed_connections"] == 0
    report["ok"] = ok
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    summary = markdown(report)
    args.out.with_suffix(".md").write_text(summary, encoding="utf-8")
    print(summary)
    log(f"results: {args.out} and {args.out.with_suffix('.md')}; correctness {'OK' if ok else 'FAILED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
