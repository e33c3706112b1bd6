"""The one-time token of an invitation link, derived instead of stored.

Like Django's password-reset tokens: an HMAC (keyed by SECRET_KEY) over the invitation and
the invited user's password hash, last login and active flag. Nothing secret is kept in the
database, the mail worker can rebuild the same link at any time, and the link stops working
by itself once it has been used (the password, last login and accepted_at all change). A
newer invitation of the same user makes the older links fail, since only the latest counts.
Expiry is the invitation's ``expires_at``, checked by the service.

Password-reset links use Django's own token (default_token_generator), which works the same
way and expires settings.PASSWORD_RESET_TIMEOUT seconds after it was made.
"""

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import ngettext

from .models import Invitation

KEY_SALT = "accounts.tokens.invitation"


def _state(invitation: Invitation) -> str:
    user = invitation.user
    last_login = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None).isoformat()
    return f"{invitation.pk}|{user.pk}|{user.password}|{last_login}|{user.is_active}|{invitation.accepted_at}"


def invitation_token(invitation: Invitation, *, secret: str | None = None) -> str:
    """256 bits, URL-safe base64: 43 characters, the shape portal.logging redacts from logs."""
    digest = salted_hmac(KEY_SALT, _state(invitation), secret=secret, algorithm="sha256").digest()
    return urlsafe_base64_encode(digest)


def invitation_token_matches(invitation: Invitation, token: str) -> bool:
    return any(
        constant_time_compare(invitation_token(invitation, secret=secret), token)
        for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    )


def password_reset_lifetime() -> str:
    """How long a reset link works, as the pages and the mail say it ("1時間", "30分")."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d時間", "%(count)d時間", hours) % {"count": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(count)d分", "%(count)d分", minutes) % {"count": minutes}
