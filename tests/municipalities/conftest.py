from pathlib import Path

import pytest
from django.conf import settings

from municipalities.services import municipalities_load

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "municipalities.json"


@pytest.fixture
def master(db):
    """The committed municipality master, loaded into the test database."""
    return municipalities_load(path=FIXTURE)
