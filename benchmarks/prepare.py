#!/usr/bin/env python
"""Database side of the benchmark, run by run_all.py as a subprocess with the server's
environment (DATABASE_URL, or SQLITE_PATH without it). Not meant to be run by hand.

    prepare.py data --organizations N --seminar SLUG ... --out FILE.json
        migrate; the municipality master and the demo content (as setup_demo loads them);
        N generated organizations; one seminar per SLUG (80 venue / 400 online seats);
        FILE.json gets the row counts and a sample of organization ids for the detail pages.
    prepare.py counts --seminar SLUG ...
        prints the registrations per seminar, mode and status as JSON.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.bench_settings")

VENUE_SEATS, ONLINE_SEATS = 80, 400
# setup_demo's loaders, in its order (each refers to rows the earlier ones created).
LOADERS = ("load_municipalities", "load_demo_programs", "load_demo_organizations", "load_demo_seminars", "load_demo_summits")


def seminar_create(slug: str) -> None:
    from seminars.models import Seminar

    Seminar.objects.create(
        title=f"ベンチマーク {slug}",
        fiscal_year=2026,
        slug=slug,
        date=dt.date.today() + dt.timedelta(days=60),
        start_time=dt.time(13, 30),
        end_time=dt.time(17, 0),
        venue_name="ベンチマーク会場",
        venue_capacity=VENUE_SEATS,
        online_capacity=ONLINE_SEATS,
        deadline=dt.date.today() + dt.timedelta(days=50),
        is_published=True,
        is_demo=True,
    )


def data(args) -> dict:
    from django.core.management import call_command

    from organizations.models import Organization

    timings = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    for name in LOADERS:
        call_command(name, verbosity=0)
    timings["migrate_and_load_seconds"] = round(time.perf_counter() - started, 1)
    if args.organizations:
        started = time.perf_counter()
        call_command("generate_organizations", count=args.organizations, replace=True, verbosity=0)
        timings["generate_seconds"] = round(time.perf_counter() - started, 1)
    for slug in args.seminar:
        seminar_create(slug)
    published = Organization.objects.filter(is_published=True)
    ids = list(published.values_list("id", flat=True))
    sample = random.Random(7).sample(ids, min(len(ids), 2000))
    return {
        "organizations_published": len(ids),
        "detail_ids": sample,
        "distinct_queries": distinct_queries(),
        **timings,
    }


def distinct_queries(count: int = 2000) -> list[str]:
    """3-character queries in the generated names' style (「東山地」…), each asked once: no
    page or facet cache can help."""
    from organizations.generation import PLACE_FIRST, PLACE_SECOND

    combos = [f"{a}{b}{c}" for a, _ in PLACE_FIRST for b, _ in PLACE_SECOND for c in "地ま振自コ郷"]
    random.Random(7).shuffle(combos)
    return combos[:count]


def counts(args) -> dict:
    from django.db.models import Count

    from seminars.models import Registration

    result = {}
    for slug in args.seminar:
        rows = Registration.objects.filter(seminar__slug=slug).values("mode", "status").annotate(n=Count("id"))
        result[slug] = {f"{row['mode']}/{row['status']}": row["n"] for row in rows}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["data", "counts"])
    parser.add_argument("--organizations", type=int, default=0)
    parser.add_argument("--seminar", action="append", default=[])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    import django

    django.setup()
    result = data(args) if args.action == "data" else counts(args)
    text = json.dumps(result, ensure_ascii=False)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
