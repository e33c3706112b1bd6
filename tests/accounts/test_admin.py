"""The user admin as ministry staff see it (accounts/admin.py)."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import reverse

from tests.clients import PortalClient
from tests.portal.html import find_all


@pytest.mark.django_db
def test_ministry_staff_cannot_make_anyone_a_superuser(client, ministry_user, city_editor):
    client.force_login(ministry_user)

    page = client.get(reverse("admin:auth_user_change", args=[city_editor.pk]))

    assert page.status_code == 200
    assert find_all(page.content, "input", name="is_superuser") == []
    assert find_all(page.content, "select", name="user_permissions") == []
    assert len(find_all(page.content, "input", name="is_staff")) == 1


@pytest.mark.django_db
def test_ministry_staff_do_not_see_superuser_accounts(client, ministry_user):
    root = get_user_model().objects.create_superuser("root", password=None)
    client.force_login(ministry_user)

    listing = client.get(reverse("admin:auth_user_changelist"))
    change = client.get(reverse("admin:auth_user_change", args=[root.pk]))

    assert [user.username for user in listing.context["cl"].result_list] == ["honsho"]
    assert change.status_code == 302  # Django's admin: "not found", back to the list


@pytest.mark.django_db
def test_admin_action_logs_a_user_out_everywhere(client, ministry_user, city_editor):
    editor_browser = PortalClient()
    editor_browser.force_login(city_editor)
    client.force_login(ministry_user)

    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "end_sessions_everywhere", "_selected_action": [city_editor.pk]},
    )
    editor_browser.get(reverse("accounts:account"))

    assert response.status_code == 302
    assert SESSION_KEY not in editor_browser.session
    assert client.get(reverse("accounts:account")).status_code == 200


@pytest.mark.django_db
def test_editor_scope_is_edited_on_the_user_page(client, ministry_user, city_editor):
    client.force_login(ministry_user)

    page = client.get(reverse("admin:auth_user_change", args=[city_editor.pk]))

    assert find_all(page.content, "input", name="editor_scope-0-municipality")[0].attrs["value"] == "202011"
