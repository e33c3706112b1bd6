import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from portal.roles import EVENT_STAFF, MINISTRY_STAFF, MUNICIPALITY_EDITOR, role_groups_sync


def perm_names(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def app_perm_names(*app_labels: str) -> set[str]:
    permissions = Permission.objects.filter(content_type__app_label__in=app_labels).select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}" for p in permissions}


@pytest.mark.django_db
def test_migrate_creates_exactly_the_three_role_groups():
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted([MINISTRY_STAFF, EVENT_STAFF, MUNICIPALITY_EDITOR])


@pytest.mark.django_db
def test_ministry_staff_have_every_project_permission_and_user_management():
    group = Group.objects.get(name=MINISTRY_STAFF)

    expected = app_perm_names("portal", "municipalities", "organizations", "seminars", "summits", "accounts") | {
        "auth.add_user",
        "auth.change_user",
        "auth.delete_user",
        "auth.view_user",
        "auth.view_group",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
    }
    assert perm_names(group) == expected
    assert {
        "portal.add_policyprogram",
        "portal.change_policyprogram",
        "portal.delete_policyprogram",
        "portal.view_policyprogram",
        "portal.change_policyprogrampoint",
    } <= perm_names(group)


@pytest.mark.django_db
def test_ministry_staff_cannot_redefine_groups_or_touch_framework_tables():
    names = perm_names(Group.objects.get(name=MINISTRY_STAFF))

    project_apps = {"portal", "municipalities", "organizations", "seminars", "summits", "accounts"}
    assert {name for name in names if name.split(".")[0] not in project_apps} == {
        "auth.add_user",
        "auth.change_user",
        "auth.delete_user",
        "auth.view_user",
        "auth.view_group",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
    }


@pytest.mark.django_db
def test_event_staff_have_exactly_the_seminar_and_summit_permissions_and_read_the_master():
    group = Group.objects.get(name=EVENT_STAFF)

    names = perm_names(group)
    assert names == app_perm_names("seminars", "summits") | {
        "municipalities.view_prefecture",
        "municipalities.view_municipality",
    }


@pytest.mark.django_db
def test_event_staff_member_cannot_edit_programs_or_users():
    user = get_user_model().objects.create_user("event", password="unused-password-123", is_staff=True)
    user.groups.add(Group.objects.get(name=EVENT_STAFF))

    assert user.has_perm("portal.change_policyprogram") is False
    assert user.has_perm("auth.change_user") is False
    assert user.has_module_perms("organizations") is False
    assert user.has_module_perms("seminars") is True
    assert user.has_module_perms("summits") is True


@pytest.mark.django_db
def test_role_groups_sync_restores_a_removed_permission_and_stays_three_groups():
    group = Group.objects.get(name=EVENT_STAFF)
    before = perm_names(group)
    group.permissions.clear()
    Group.objects.get(name=MINISTRY_STAFF).permissions.add(Permission.objects.get(codename="change_group"))

    role_groups_sync()
    role_groups_sync()

    assert perm_names(Group.objects.get(name=EVENT_STAFF)) == before
    assert "auth.change_group" not in perm_names(Group.objects.get(name=MINISTRY_STAFF))
    assert Group.objects.count() == 3
