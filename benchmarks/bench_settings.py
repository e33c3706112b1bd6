"""The project's settings with the benchmark's URLconf (the project's URLs plus the bare views)."""

from rmo_portal.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
