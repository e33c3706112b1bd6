"""Mail builders, run by the task worker (portal.mail) outside any transaction of the request."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from portal.mail import mail_builder

from .models import Invitation
from .selectors import invitation_latest_for
from .tokens import invitation_token, password_reset_lifetime


def invitation_url(invitation: Invitation) -> str:
    path = reverse(
        "accounts:invitation_accept",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(invitation.user_id)), "token": invitation_token(invitation)},
    )
    return f"{settings.SITE_URL}{path}"


@mail_builder("accounts.invitation")
def build_invitation(invitation_id: int) -> EmailMessage | None:
    """The link is derived here from the invitation's current state (accounts.tokens): nothing
    secret waits in the queue. Skipped when the invitation was accepted, expired or replaced."""
    invitation = (
        Invitation.objects.select_related(
            "user__editor_scope__municipality__prefecture", "user__editor_scope__municipality__parent",
            "user__editor_scope__prefecture", "invited_by",
        )
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.accepted_at is not None or invitation.is_expired:
        return None
    latest = invitation_latest_for(invitation.user)
    if latest is None or latest.pk != invitation.pk:
        return None
    body = render_to_string(
        "accounts/mail/invitation.txt",
        {
            "invitation": invitation,
            "scope": getattr(invitation.user, "editor_scope", None),
            "url": invitation_url(invitation),
            "site_url": settings.SITE_URL,
        },
    )
    subject = _("【地域運営組織ポータル】編集者アカウントへのご招待")
    return EmailMessage(subject=subject, body=body, to=[invitation.email])


def password_reset_url(user) -> str:
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
    )
    return f"{settings.SITE_URL}{path}"


@mail_builder("accounts.password_reset")
def build_password_reset(user_id: int) -> EmailMessage | None:
    """The link's token is made here, when the mail is built (the lifetime counts from then).
    Skipped when the account was disabled, lost its usable password or its address since."""
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return None
    email = getattr(user, user.get_email_field_name()) or ""
    if not email:
        return None
    body = render_to_string(
        "accounts/mail/password_reset.txt",
        {
            "username": user.get_username(),
            "url": password_reset_url(user),
            "lifetime": password_reset_lifetime(),
            "site_url": settings.SITE_URL,
        },
    )
    subject = _("【地域運営組織ポータル】パスワードの再設定")
    return EmailMessage(subject=subject, body=body, to=[email])
