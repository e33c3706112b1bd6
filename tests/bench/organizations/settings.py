"""Benchmark settings: production settings with the directory mounted at the site root."""

from rmo_portal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.organizations.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# No collectstatic step for a benchmark: plain storage, so {% static %} needs no manifest.
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SECURE_SSL_REDIRECT = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
