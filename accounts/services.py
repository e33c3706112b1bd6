"""Every write of the accounts app: invitations, password resets, two-factor devices, ending sessions."""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext_lazy as _
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from municipalities.models import Municipality, Prefecture
from portal.errors import DomainError
from portal.mail import schedule_mail
from portal.roles import MUNICIPALITY_EDITOR

from .models import AccountSecurity, EditorScope, Invitation
from .selectors import invitation_latest_for, users_for_password_reset
from .tokens import invitation_token_matches

# The name the device gets in the admin's list of a user's devices (stored data, not translated).
TOTP_DEVICE_NAME = "認証アプリ"
# The user's history in the admin after a reset by mail (stored data, not translated).
PASSWORD_RESET_LOG_MESSAGE = "パスワード再設定メールのリンクからパスワードを再設定（ほかのログインはすべて終了）"

logger = logging.getLogger(__name__)


class AccountError(DomainError):
    """An account rule refused the request (DomainError: translated ``message``, ``code``)."""


# ---------------------------------------------------------------- invitations


def normalize_email(email: str) -> str:
    return email.strip().lower()


def invitation_create(
    *,
    invited_by: AbstractBaseUser,
    email: str,
    municipality: Municipality | None = None,
    prefecture: Prefecture | None = None,
) -> Invitation:
    """Invite a municipality editor: an inactive account with its scope, and the mail with the link.

    The account's username is the mail address. Inviting an address again before it was
    accepted sends a new link (the old one stops working) and replaces the scope; an
    address whose account is already in use is refused.
    """
    if (municipality is None) == (prefecture is None):
        raise AccountError(_("市区町村か都道府県のどちらか一方を指定してください。"), code="scope")
    email = normalize_email(email)
    User = get_user_model()
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(username=email).first()
            if user is None:
                if User.objects.filter(email__iexact=email).exists():
                    raise AccountError(_("このメールアドレスのアカウントは既にあります。"), code="exists")
                user = User(username=email, email=email, is_active=False)
                user.set_unusable_password()
                user.save()
            elif user.is_active or user.has_usable_password() or not user.invitations.exists():
                raise AccountError(_("このメールアドレスのアカウントは既にあります。"), code="exists")
            EditorScope.objects.update_or_create(
                user=user, defaults={"municipality": municipality, "prefecture": prefecture}
            )
            user.groups.add(Group.objects.get(name=MUNICIPALITY_EDITOR))
            now = timezone.now()
            invitation = Invitation.objects.create(
                user=user,
                email=email,
                invited_by=invited_by,
                created_at=now,
                expires_at=now + dt.timedelta(days=settings.INVITATION_DAYS),
            )
            # A row in the task queue, committed with the invitation or not at all (portal.mail).
            schedule_mail(kind="accounts.invitation", object_id=invitation.pk)
    except IntegrityError as error:  # the same address invited twice at the same moment
        raise AccountError(_("このメールアドレスのアカウントは既にあります。"), code="exists") from error
    return invitation


def invitation_for_link(*, uidb64: str, token: str) -> Invitation:
    """The invitation an emailed link stands for, or AccountError("invalid" or "expired").

    Used, superseded, unknown and mistyped links are all "invalid": the link cannot tell
    them apart without the token, and the page says what to do in each case.
    """
    User = get_user_model()
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        user = None
    invitation = invitation_latest_for(user) if user is not None else None
    if invitation is None or invitation.accepted_at is not None or not invitation_token_matches(invitation, token):
        raise AccountError(_("この招待リンクは使用済みか、正しくありません。"), code="invalid")
    if invitation.is_expired:
        raise AccountError(_("この招待リンクは有効期限が切れています。"), code="expired")
    return invitation


def invitation_accept(*, invitation: Invitation, password: str) -> AbstractBaseUser:
    """Set the password and activate the account. The caller logs the user in.

    The invitation row is locked so that two submissions of the same link accept it once.
    """
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise AccountError(_("この招待リンクは使用済みか、正しくありません。"), code="invalid")
        if locked.is_expired:
            raise AccountError(_("この招待リンクは有効期限が切れています。"), code="expired")
        user = locked.user
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
    return user


# ---------------------------------------------------------------- password reset


def password_reset_request(*, email: str) -> int:
    """Queue a reset mail to each account that may get one for ``email``; returns how many.

    The caller shows the same page whatever this returns (no account enumeration). The mail
    is built by the worker (accounts.mails), so a slow mail server does not hold the request
    and no token waits in the queue.
    """
    users = users_for_password_reset(email)
    with transaction.atomic():
        for user in users:
            schedule_mail(kind="accounts.password_reset", object_id=user.pk)
    for user in users:
        # The user's id only: no address in the logs.
        logger.info("password reset mail queued for user %s", user.pk)
    return len(users)


def password_reset_complete(*, user: AbstractBaseUser, password: str) -> None:
    """Set the new password from a reset link, end every session of the user and record it.

    The reset neither logs in nor touches the TOTP device or a login lockout: the person logs
    in as usual afterwards (password, then the code), so a mailbox alone never passes the
    second factor.
    """
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        sessions_end_everywhere(user=user)
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[user],
            action_flag=CHANGE,
            change_message=PASSWORD_RESET_LOG_MESSAGE,
            single_object=True,
        )
    logger.info("password reset by mail link for user %s; its sessions ended", user.pk)


# ---------------------------------------------------------------- two-factor (TOTP)


def totp_device_confirmed(user: AbstractBaseUser) -> TOTPDevice | None:
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def totp_device_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The device being enrolled: the user's unconfirmed one, or a new one with a fresh secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_device_confirm(*, device: TOTPDevice, code: str) -> bool:
    """Confirm an enrollment with a code from the app; the new device replaces any older one."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if locked.confirmed or not locked.verify_token(code):
            return False
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user_id=locked.user_id).exclude(pk=locked.pk).delete()
    device.refresh_from_db()
    return True


def totp_verify(*, user: AbstractBaseUser, device: TOTPDevice, code: str) -> bool:
    """Check a login code. django-otp locks the device, refuses a code used before and
    slows down repeated failures (its throttling)."""
    return verify_token(user, device.persistent_id, code) is not None


# ---------------------------------------------------------------- sessions


def sessions_end_everywhere(*, user: AbstractBaseUser) -> int:
    """End every session of ``user`` (this one too) on its next request; returns the new epoch."""
    with transaction.atomic():
        AccountSecurity.objects.get_or_create(user=user)
        AccountSecurity.objects.filter(user=user).update(session_epoch=F("session_epoch") + 1)
        return AccountSecurity.objects.get(user=user).session_epoch


@transaction.atomic
def login_records_purge(*, days: int | None = None, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Delete login records (django-axes: address, user agent, times) older than ``days``
    (LOGIN_RECORD_RETENTION_DAYS): the retention the 個人情報ファイル簿 states. Returns how many
    rows were (or, with dry_run, would be) deleted. A lockout ends long before, so no lockout
    that still applies is lifted by this."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    days = settings.LOGIN_RECORD_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    total = 0
    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        old = model.objects.filter(attempt_time__lt=cutoff)
        total += old.count() if dry_run else old.delete()[0]
    return total
