"""Project settings plus one URL for the bare comparison view. Benchmark only."""

from rmo_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
