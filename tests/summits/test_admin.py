import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from summits.services import application_create

from .factories import contact, make_course, make_municipality, make_summit, make_track, mayor

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser(username="admin", password="x" * 12))
    return client


@pytest.fixture
def application():
    summit = make_summit()
    track = make_track(summit, capacity=5)
    course = make_course(summit, capacity=5)
    make_track(make_summit(), number=7, theme="他のサミットの分科会")
    return application_create(
        summit=summit, municipality=make_municipality(), contact=contact(), delegates=[mayor(track=track, course=course)], consent=True
    )


@pytest.mark.parametrize("model", ["summit", "application", "delegate", "breakouttrack"])
def test_admin_changelists_load(admin_client, application, model):
    response = admin_client.get(reverse(f"admin:summits_{model}_changelist"))

    assert response.status_code == 200


def test_admin_summit_change_page_loads(admin_client, application):
    response = admin_client.get(reverse("admin:summits_summit_change", args=[application.summit_id]))

    assert response.status_code == 200


def test_admin_application_inline_offers_only_own_summit_tracks(admin_client, application):
    response = admin_client.get(reverse("admin:summits_application_change", args=[application.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "他のサミットの分科会" not in html


def test_admin_delegate_export_page_loads(admin_client, application):
    response = admin_client.get(reverse("admin:summits_delegate_export"))

    assert response.status_code == 200
