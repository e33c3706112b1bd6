import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import OuterRef, QuerySet, Subquery

from municipalities.models import Municipality

from .models import Invitation
from .rules import editor_scope_of, is_ministry_staff, is_municipality_editor


def municipalities_editable_by(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Municipality]:
    """The municipalities whose RMO listings ``user`` may edit (all of them for ministry staff).

    The same answer as the rule organizations.edit_listing, as a queryset for lists and filters.
    """
    municipalities = Municipality.objects.select_related("prefecture", "parent")
    if is_ministry_staff(user):
        return municipalities.all()
    scope = editor_scope_of(user) if is_municipality_editor(user) else None
    if scope is None:
        return municipalities.none()
    if scope.municipality_id is not None:
        return municipalities.filter(code=scope.municipality_id) | municipalities.filter(parent_id=scope.municipality_id)
    return municipalities.filter(prefecture_id=scope.prefecture_id)


def invitation_latest_for(user) -> Invitation | None:
    """The one invitation of ``user`` whose link can work: the most recent."""
    return Invitation.objects.filter(user=user).order_by("-created_at", "-id").first()


def invitation_list_recent(*, limit: int = 50) -> list[Invitation]:
    """Recent invitations with the invited user's scope, for the staff page (fixed query count)."""
    latest = Invitation.objects.filter(user=OuterRef("user")).order_by("-created_at", "-id").values("id")[:1]
    return list(
        Invitation.objects.annotate(latest_id_for_user=Subquery(latest))
        .select_related(
            "user__editor_scope__municipality__prefecture",
            "user__editor_scope__municipality__parent",
            "user__editor_scope__prefecture",
            "invited_by",
        ).order_by("-created_at", "-id")[:limit]
    )


def users_for_password_reset(email: str) -> list[AbstractBaseUser]:
    """The accounts a reset mail for ``email`` may go to: active, with a usable password, and
    with exactly this address (Django's PasswordResetForm.get_users rule).

    Disabled accounts (inactive), invited editors who never set a password and accounts whose
    password was made unusable (anonymized, or sign-in turned off by staff) are left out.
    """
    User = get_user_model()
    email_field = User.get_email_field_name()
    wanted = unicodedata.normalize("NFKC", email).casefold()
    candidates = User._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True}).order_by("pk")
    return [
        user
        for user in candidates
        if user.has_usable_password()
        and unicodedata.normalize("NFKC", getattr(user, email_field) or "").casefold() == wanted
    ]
