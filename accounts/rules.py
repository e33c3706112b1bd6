"""Who may do what, object by object (the `rules` package; autodiscovered at start-up).

Other apps ask through Django's permission API, with the object when there is one::

    request.user.has_perm("organizations.edit_listing", organization)   # or a Municipality
    request.user.has_perm("organizations.review_listing")
    request.user.has_perm("seminars.view_registrant_data", seminar)

A listing permission accepts an object with a ``municipality`` (an Organization), a
Municipality itself, or no object ("may this user edit any listing at all?", for menus).
Superusers pass every check through Django's own short cut; inactive users pass none.
"""

import rules
from django.core.exceptions import ObjectDoesNotExist

from municipalities.models import Municipality
from portal.roles import EVENT_STAFF, MINISTRY_STAFF, MUNICIPALITY_EDITOR


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_ministry_staff(user) -> bool:
    return _active(user) and (user.is_superuser or rules.is_group_member(MINISTRY_STAFF)(user))


@rules.predicate
def is_event_staff(user) -> bool:
    return _active(user) and rules.is_group_member(EVENT_STAFF)(user)


@rules.predicate
def is_municipality_editor(user) -> bool:
    return _active(user) and rules.is_group_member(MUNICIPALITY_EDITOR)(user)


def editor_scope_of(user):
    """The user's EditorScope, or None. Cached on the user object by the reverse one-to-one."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.editor_scope
    except ObjectDoesNotExist:
        return None


def _municipality_of(target) -> Municipality | None:
    if isinstance(target, Municipality):
        return target
    return getattr(target, "municipality", None)


@rules.predicate
def can_edit_listings_of(user, target=None) -> bool:
    """Ministry staff always; an editor when the target's municipality is inside their scope.

    ``target`` is a Municipality or an object with a ``municipality`` (an Organization).
    Without a target: whether the user may edit the listings of some municipality.
    """
    if is_ministry_staff(user):
        return True
    if not is_municipality_editor(user):
        return False
    scope = editor_scope_of(user)
    if scope is None:
        return False
    if target is None:
        return True
    municipality = _municipality_of(target)
    return municipality is not None and scope.covers(municipality)


may_see_registrants = is_ministry_staff | is_event_staff


@rules.predicate
def is_staff_account(user) -> bool:
    """An account that reaches the admin or holds a staff role: the ones two-step login guards."""
    return _active(user) and (user.is_staff or is_ministry_staff(user) or is_event_staff(user))

# RMO listings (the organizations app's /manage/ pages and review).
rules.add_perm("organizations.edit_listing", can_edit_listings_of)
rules.add_perm("organizations.review_listing", is_ministry_staff)
# Registrants' personal data (names, mail addresses, affiliations) of the events.
rules.add_perm("seminars.view_registrant_data", may_see_registrants)
rules.add_perm("summits.view_registrant_data", may_see_registrants)
# Accounts: ministry staff invite municipality editors.
rules.add_perm("accounts.invite_editor", is_ministry_staff)
# With settings.REQUIRE_STAFF_2FA these accounts must enroll an authenticator app (TOTP).
rules.add_rule("accounts.must_use_two_factor", is_staff_account)
