import pytest
from django.core.management import call_command

from tests.clients import PortalClient


@pytest.fixture
def run_queued_tasks(db):
    """Run every queued background task (mail) now, as the db_worker process would."""

    def run() -> None:
        call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", "--no-reload", verbosity=0)

    return run


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and kept pages live in the cache, and the registration form keeps its
    municipality choices and rendered HTML per process: each test starts with neither."""
    from django.core.cache import cache

    from seminars.forms import REGISTRATION_FORM_CACHE

    cache.clear()
    REGISTRATION_FORM_CACHE.clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in Japanese: the language is per thread and outlives a request in the
    test client, and URLs depend on it (English pages live under /en/, rmo_portal/urls.py)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def client() -> PortalClient:
    return PortalClient()


@pytest.fixture
def admin_client(db, admin_user) -> PortalClient:
    client = PortalClient()
    client.force_login(admin_user)
    return client


@pytest.fixture
def site_url(settings) -> str:
    """A fixed SITE_URL, for tests that compare the absolute links a page or mail carries."""
    settings.SITE_URL = "https://portal.example.go.jp"
    return settings.SITE_URL
