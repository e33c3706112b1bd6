import pytest
from django_tasks_db.models import DBTaskResult


@pytest.fixture
def queued_mails(db):
    """The mail kinds queued so far, as (kind, object_id), in order."""

    def read() -> list[tuple[str, int]]:
        return [tuple(result.args_kwargs["args"][:2]) for result in DBTaskResult.objects.order_by("enqueued_at", "id")]

    return read


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
