#!/usr/bin/env python
"""Load driver: locust (FastHttpUser) used as a library, one scenario per run.

run_all.py starts it as a subprocess for each measurement (locust patches the standard
library with gevent on import, so it gets a process of its own). Every request's latency is
recorded through locust's request event, so the percentiles below are exact, not the
rounded ones of locust's own statistics table.

    load.py pages --host URL --paths FILE.json --users 32 --seconds 15 --out OUT.json
        closed loop: each user requests the next path as soon as the previous answer is read.
        With --requests N the run stops after N answers (the CSV export: 1 user, 3 requests).
    load.py burst --host URL [--host URL2] --path /seminars/SLUG/register/ [--csrf] --people 500 --out OUT.json
        every person (a locust user) first GETs the form (untimed; CSRF cookie and token),
        waits until all are ready, then all POST at the same moment on fresh connections.
"""

import argparse
import json
import random
import re
import statistics
import time
import urllib.parse
from collections import Counter
from pathlib import Path

import gevent  # noqa: F401  (loaded before locust, which patches the standard library through it)
from gevent.event import Event
from locust import FastHttpUser, constant, events, task
from locust.env import Environment
from locust.exception import StopUser

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REFUSALS = ("会場・オンラインとも満席です。", "オンライン参加は満席です。", "会場参加は満席です。")


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, int(-(-share * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


def latency_summary(latencies_ms: list[float]) -> dict:
    ordered = sorted(latencies_ms)
    if not ordered:
        return {}
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(percentile(ordered, 0.95), 1),
        "p99_ms": round(percentile(ordered, 0.99), 1),
        "max_ms": round(ordered[-1], 1),
    }


def run_pages(args) -> dict:
    paths = json.loads(Path(args.paths).read_text(encoding="utf-8"))
    records: list[tuple[float, float, int, int]] = []  # (start, latency ms, status, bytes)
    page_cache = Counter()  # X-Page-Cache of each answer (portal/pagecache.py): hit, miss or none
    enough = Event()

    @events.request.add_listener
    def record(start_time, response_time, response, response_length, exception, **_kw):
        status = (getattr(response, "status_code", 0) or 0) if response is not None else 0
        records.append((start_time, response_time, status, response_length or 0))
        headers = getattr(response, "headers", None) or {}
        page_cache[headers.get("X-Page-Cache") or "none"] += 1
        if args.requests and len(records) >= args.requests:
            enough.set()

    class PageUser(FastHttpUser):
        host = args.host
        wait_time = constant(0)
        network_timeout = 120.0
        connection_timeout = 30.0

        def on_start(self):
            self.rng = random.Random(id(self))

        @task
        def page(self):
            if enough.is_set():
                raise StopUser()
            self.client.get(self.rng.choice(paths), name="page")

    environment = Environment(user_classes=[PageUser], events=events, host=args.host)
    runner = environment.create_local_runner()
    runner.start(args.users, spawn_rate=args.users)
    enough.wait(timeout=args.seconds)
    runner.quit()
    if not records:
        return {"requests": 0}
    first = min(start for start, *_ in records)
    last = max(start + latency / 1000 for start, latency, *_ in records)
    statuses = Counter(status for _start, _latency, status, _size in records)
    return {
        "requests": len(records),
        "seconds": round(last - first, 2),
        "throughput_rps": round(len(records) / (last - first), 1),
        **latency_summary([latency for _start, latency, *_ in records]),
        "statuses": {str(key): value for key, value in sorted(statuses.items())},
        "server_errors": sum(n for status, n in statuses.items() if status >= 500),
        "failed_connections": statuses.get(0, 0),
        "mean_bytes": round(statistics.mean(size for *_rest, size in records)),
        "page_cache": dict(sorted(page_cache.items())),
    }


def people(count: int) -> list[dict]:
    """150 want the venue and accept online when it is full; the rest want online and accept
    the waiting list (the mix of tests/bench/seminars/run_burst.py, now here)."""
    mix = []
    for index in range(count):
        venue = index < 150
        mix.append(
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
    random.Random(0).shuffle(mix)
    return mix


def run_burst(args) -> dict:
    mix = people(args.people)
    ready_count = [0]
    everyone_ready, everyone_done = Event(), Event()
    results: list[dict] = []
    next_person = iter(range(args.people))

    class Person(FastHttpUser):
        host = args.host[0]
        wait_time = constant(0)
        network_timeout = 180.0
        connection_timeout = 60.0

        def on_start(self):
            self.index = next(next_person)
            self.base = args.host[self.index % len(args.host)]  # split across the app servers
            self.state = {}
            if args.csrf:
                # Connection: close, so that the POST goes out on a fresh connection, as a phone's
                # would after a minute of typing (the server drops idle keep-alive connections).
                response = self.client.get(self.base + args.path, name="form", headers={"Connection": "close"})
                match = CSRF_INPUT.search(response.text or "")
                self.state = {"token": match.group(1)} if match else {"error": f"form {response.status_code}"}
            ready_count[0] += 1
            if ready_count[0] == args.people:
                everyone_ready.set()

        @task
        def register(self):
            everyone_ready.wait()
            fields = dict(mix[self.index])
            if "token" in self.state:
                fields["csrfmiddlewaretoken"] = self.state["token"]
            began = time.time()
            response = self.client.post(
                self.base + args.path,
                data=urllib.parse.urlencode(fields),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                allow_redirects=False,
                name="register",
            )
            ended = time.time()
            status = response.status_code or 0
            body = response.text or "" if status == 200 else ""
            refusal = next((message for message in REFUSALS if message in body), "other 200" if status == 200 else None)
            results.append({"status": status, "began": began, "ended": ended, "refusal": refusal,
                            "error": repr(response.error)[:160] if getattr(response, "error", None) else None})
            if len(results) == args.people:
                everyone_done.set()
            raise StopUser()

    environment = Environment(user_classes=[Person], events=events, host=args.host[0])
    runner = environment.create_local_runner()
    runner.start(args.people, spawn_rate=min(args.people, 100))  # nobody POSTs before all are in
    everyone_done.wait(timeout=args.seconds)
    runner.quit()
    statuses = Counter(r["status"] for r in results)
    latencies = [(r["ended"] - r["began"]) * 1000 for r in results]
    wall = max(r["ended"] for r in results) - min(r["began"] for r in results) if results else 0
    return {
        "requests": len(results),
        "people": args.people,
        "servers": len(args.host),
        "seconds": round(wall, 2),
        "throughput_rps": round(len(results) / wall, 1) if wall else 0,
        **latency_summary(latencies),
        "statuses": {str(key): value for key, value in sorted(statuses.items())},
        "refused_with_message": dict(Counter(r["refusal"] for r in results if r["refusal"])),
        "server_errors": sum(n for status, n in statuses.items() if status >= 500),
        "failed_connections": statuses.get(0, 0),
        "errors": sorted({r["error"] for r in results if r["error"]})[:5],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["pages", "burst"])
    parser.add_argument("--host", action="append", required=True, help="base URL; burst: repeat to split across servers")
    parser.add_argument("--paths", help="pages: JSON file with the list of paths to request")
    parser.add_argument("--path", help="burst: the POST path")
    parser.add_argument("--csrf", action="store_true", help="burst: GET the form first for the CSRF cookie and token")
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=15, help="pages: run time; burst: time limit")
    parser.add_argument("--requests", type=int, default=0, help="pages: stop after this many answers")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.mode == "pages":
        args.host = args.host[0]
        result = run_pages(args)
    else:
        result = run_burst(args)
    args.out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
