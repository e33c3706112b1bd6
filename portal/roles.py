"""Staff roles as Django groups, kept in step with the project's models.

The groups are rebuilt from the app list after every migrate, so a model added later gets
its permissions in the right groups without a data migration. Object-level rules (which
municipality an editor may touch) live in the `rules` predicates of accounts/rules.py, not here.

- 本省職員 (ministry staff): every project model, staff accounts, invitations, and the
  removal of a lost two-factor device (they never see its secret).
- イベント担当 (event staff): seminars, summits and their registrations.
- 自治体編集者 (municipality editors): no model permission and no admin; what they may edit
  comes from their accounts.EditorScope through the rules in accounts/rules.py.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

# Group names are stored data that staff see in the admin; they stay Japanese in every
# language, so they are plain strings, not translations.
MINISTRY_STAFF = "本省職員"
EVENT_STAFF = "イベント担当"
MUNICIPALITY_EDITOR = "自治体編集者"
ROLES = (MINISTRY_STAFF, EVENT_STAFF, MUNICIPALITY_EDITOR)

PROJECT_APPS = ("portal", "municipalities", "organizations", "seminars", "summits", "accounts")
EVENT_APPS = ("seminars", "summits")
# Ministry staff manage staff accounts; they may see the groups but not redefine them
# (role_groups_sync would overwrite such a change after the next migrate anyway).
USER_MANAGEMENT_CODENAMES = ("add_user", "change_user", "delete_user", "view_user", "view_group")
# A staff member who lost their phone has their TOTP device removed by ministry staff, then
# enrolls again; the admin hides the device's secret (settings.OTP_ADMIN_HIDE_SENSITIVE_DATA).
TWO_FACTOR_CODENAMES = ("view_totpdevice", "delete_totpdevice")

def role_permissions(role: str) -> list[Permission]:
    """The exact permissions a role's group should have."""
    if role == MINISTRY_STAFF:
        condition = (
            Q(content_type__app_label__in=PROJECT_APPS)
            | Q(content_type__app_label="auth", codename__in=USER_MANAGEMENT_CODENAMES)
            | Q(content_type__app_label="otp_totp", codename__in=TWO_FACTOR_CODENAMES)
        )
    elif role == EVENT_STAFF:
        condition = Q(content_type__app_label__in=EVENT_APPS)
    elif role == MUNICIPALITY_EDITOR:
        return []
    else:
        raise ValueError(f"unknown role {role!r}")
    return list(Permission.objects.filter(condition))


@transaction.atomic
def role_groups_sync() -> dict[str, Group]:
    """Create the role groups if missing and set their permissions exactly (idempotent)."""
    groups = {}
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role))
        groups[role] = group
    return groups
