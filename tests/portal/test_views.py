from unittest import mock

import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_healthz_database_up_answers_200(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


@pytest.mark.django_db
def test_healthz_database_down_answers_503(client):
    # The one place a mock is right: we cannot stop the test database mid-test.
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}
