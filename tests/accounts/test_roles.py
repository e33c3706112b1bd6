import pytest
from django.contrib.auth.models import Group

from portal.roles import MINISTRY_STAFF, MUNICIPALITY_EDITOR, ROLES, role_groups_sync


def perm_names(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


@pytest.mark.django_db
def test_migrate_creates_the_three_role_groups():
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(["本省職員", "イベント担当", "自治体編集者"])
    assert sorted(ROLES) == sorted(["本省職員", "イベント担当", "自治体編集者"])


@pytest.mark.django_db
def test_municipality_editors_have_no_model_permission():
    assert perm_names(Group.objects.get(name=MUNICIPALITY_EDITOR)) == set()


@pytest.mark.django_db
def test_ministry_staff_manage_invitations_and_remove_lost_devices_without_adding_them():
    names = perm_names(Group.objects.get(name=MINISTRY_STAFF))

    assert {"accounts.view_invitation", "accounts.change_editorscope"} <= names
    assert {name for name in names if name.startswith("otp_totp.")} == {"otp_totp.view_totpdevice", "otp_totp.delete_totpdevice"}


@pytest.mark.django_db
def test_role_groups_sync_gives_the_editor_group_back_its_empty_permissions():
    group = Group.objects.get(name=MUNICIPALITY_EDITOR)
    group.permissions.add(*Group.objects.get(name=MINISTRY_STAFF).permissions.all()[:3])

    role_groups_sync()

    assert perm_names(Group.objects.get(name=MUNICIPALITY_EDITOR)) == set()
    assert Group.objects.count() == 3
