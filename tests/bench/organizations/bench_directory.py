#!/usr/bin/env python
"""Benchmark of the RMO directory at 100,000 organizations (not a test; see README.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rmo_bench \\
        .venv/bin/python tests/bench/organizations/bench_directory.py --prepare --count 100000

--prepare migrates the database named by DATABASE_URL and fills it (municipality master,
reference data, generated organizations); never point it at a database you care about.
Then it measures, against a real gunicorn server started here:
  * queries per page (list, search, municipality) at two page sizes: fixed or not;
  * search latency with --clients concurrent HTTP clients (keep-alive), p50/p95,
    for 3+ character and 1–2 character queries;
  * the CSV export of every row: time to stream it over HTTP, and the peak Python memory
    of producing it in-process (tracemalloc), at 10 % and 100 % of the rows (flat = same).
"""

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.organizations.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")

LONG_QUERIES = ["振興会", "まちづくり", "しんこうかい", "ｷｮｳｷﾞｶｲ", "地域自治協議会", "ひがしやま", "長野市", "生桑振興会"]
SHORT_QUERIES = ["東", "山", "生桑", "いく", "川", "ｲｸ"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def prepare(count: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_municipalities", verbosity=0)
    call_command("load_demo_organizations", verbosity=0)
    call_command("generate_organizations", count=count, replace=True, verbosity=1)


def query_counts() -> dict[str, tuple[int, int]]:
    """Queries per page with 1 and 20 rows on the page (a fixed cost gives equal numbers),
    with the facet cache empty; a cached page costs two queries fewer."""
    import django
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    django.setup()
    import municipalities.views as municipality_views
    from django.core.cache import cache
    from organizations import views

    client = Client()
    counts = {}
    pages = {
        "list": "/organizations/",
        "search 3+": "/organizations/?q=" + quote("振興会"),
        "search 1-2": "/organizations/?q=" + quote("東"),
        "filtered": "/organizations/?pref=20&activity=events&legal_form=voluntary",
        "municipality": "/municipalities/202011/",
    }
    for name, url in pages.items():
        measured = []
        for page_size in (1, 20):
            views.PAGE_SIZE = municipality_views.PAGE_SIZE = page_size
            cache.clear()  # cold: the facet counts are computed, not read from the cache
            with CaptureQueriesContext(connection) as context:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
            measured.append(len(context.captured_queries))
        counts[name] = tuple(measured)
    return counts


def export_memory(fraction_rows: list[int]) -> list[tuple[int, float, float]]:
    """(rows, seconds, peak MiB) producing the CSV in-process for the first N rows."""
    import django

    django.setup()
    from organizations.exports import csv_rows
    from organizations.models import Organization

    results = []
    for rows in fraction_rows:
        ids = Organization.objects.filter(is_published=True).order_by("id").values_list("id", flat=True)
        last_id = ids[rows - 1] if rows else 0
        queryset = Organization.objects.filter(is_published=True, id__lte=last_id).order_by("id")
        tracemalloc.start()
        started = time.perf_counter()
        size = sum(len(line) for line in csv_rows(queryset))
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results.append((rows, elapsed, peak / 2**20))
        assert size > 0
    return results


def free_port() -> int:
    """A port nobody listens on now (a fixed one collides with other benchmarks on the host)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, workers: int, log_path: Path) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_POOL="false", DEBUG="false")
    log = log_path.open("ab")
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"), "rmo_portal.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--threads", "4", "--log-level", "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )  # fmt: skip
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def uncached_queries(count: int) -> list[str]:
    """Distinct 3-character queries in the generated names' style (「東山地」…): cache misses."""
    from organizations.generation import PLACE_FIRST, PLACE_SECOND

    combos = [f"{a}{b}{c}" for a, _ in PLACE_FIRST for b, _ in PLACE_SECOND for c in "地ま振自コ郷"]
    random.Random(7).shuffle(combos)
    return combos[:count]


def load(port: int, queries: list[str], clients: int, requests_per_client: int, *, distinct: bool = False) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for i in range(requests_per_client):
            query = queries[(seed * requests_per_client + i) % len(queries)] if distinct else rng.choice(queries)
            path = "/organizations/?q=" + quote(query)
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            assert response.status == 200, response.status
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def stream_export(port: int) -> tuple[float, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    connection.request("GET", "/organizations/export.csv")
    response = connection.getresponse()
    size = 0
    while chunk := response.read(65536):
        size += len(chunk)
    return time.perf_counter() - started, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prepare", action="store_true", help="migrate and fill the database first")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=20, help="requests per client per query class")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--server-log", type=Path, default=Path("/tmp/rmo_bench_organizations_server.log"))
    args = parser.parse_args()

    if args.prepare:
        started = time.perf_counter()
        prepare(args.count)
        print(f"prepared {args.count:,} organizations in {time.perf_counter() - started:.1f} s")

    import django

    django.setup()
    from organizations.models import Organization

    total = Organization.objects.filter(is_published=True).count()
    print(f"published organizations: {total:,}")

    print("\nqueries per page (page size 1 / 20):")
    for name, (small, large) in query_counts().items():
        print(f"  {name:<14} {small:>3} / {large:<3} {'fixed' if small == large else 'NOT FIXED'}")

    print("\nCSV export in-process (rows, seconds, peak Python MiB):")
    for rows, seconds, peak in export_memory([max(1, total // 10), total]):
        print(f"  {rows:>8,}  {seconds:6.2f} s  {peak:7.1f} MiB")

    port = args.port or free_port()
    server = start_server(port, args.workers, args.server_log)
    try:
        load(port, LONG_QUERIES, 4, 3)  # warm up every worker and the database cache
        classes = (
            ("3+ characters", LONG_QUERIES, False),
            ("1-2 characters", SHORT_QUERIES, False),
            ("3+ characters, every query distinct (no cache hits)", uncached_queries(args.clients * args.requests), True),
        )
        for label, queries, distinct in classes:
            started = time.perf_counter()
            latencies = load(port, queries, args.clients, args.requests, distinct=distinct)
            elapsed = time.perf_counter() - started
            print(
                f"\nsearch {label}: {len(latencies)} requests, {args.clients} clients, "
                f"{len(latencies) / elapsed:.0f} req/s, p50 {statistics.median(latencies) * 1000:.0f} ms, "
                f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms"
            )
        seconds, size = stream_export(port)
        print(f"\nCSV export over HTTP: {size / 2**20:.1f} MiB in {seconds:.2f} s")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
