"""Staff roles as Django groups, kept in step with the project's models.

The groups are rebuilt from the app list after every migrate, so a model added later gets
its permissions in the right groups without a data migration. Object-level rules (which
municipality an editor may touch) live in the `rules` predicates of accounts/rules.py, not here.

- 本省職員 (ministry staff): every project model, staff accounts, invitations, the
  removal of a lost two-factor device (they never see its secret), and lifting login lockouts.
- イベント担当 (event staff): seminars, summits and their registrations, and a read of the
  municipality master (to choose a delegation's municipality).
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
# Login lockouts (django-axes): ministry staff see the failed attempts and the login record,
# and lift a lockout by deleting its attempt row (管理画面 › アクセス試行).
LOCKOUT_CODENAMES = ("view_accessattempt", "delete_accessattempt", "view_accesslog")
# Event staff choose a delegation's municipality in the summit admin (its search asks for
# the view permission of the master); they never change the master.
MASTER_VIEW_CODENAMES = ("view_prefecture", "view_municipality")

def role_permissions(role: str) -> list[Permission]:
    """The exact permissions a role's group should have."""
    if role == MINISTRY_STAFF:
        condition = (
            Q(content_type__app_label__in=PROJECT_APPS)
            | Q(content_type__app_label="auth", codename__in=USER_MANAGEMENT_CODENAMES)
            | Q(content_type__app_label="otp_totp", codename__in=TWO_FACTOR_CODENAMES)
            | Q(content_type__app_label="axes", codename__in=LOCKOUT_CODENAMES)
        )
    elif role == EVENT_STAFF:
        condition = Q(content_type__app_label__in=EVENT_APPS) | Q(
            content_type__app_label="municipalities", codename__in=MASTER_VIEW_CODENAMES
        )
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
