"""Session lifetime rules: absolute age, idle timeout and the per-user epoch.

- Absolute: a login lasts at most SESSION_COOKIE_AGE seconds, however active (one work day by
  default). Django alone renews the expiry every time a session is saved, so the login time
  is kept in the session and checked.
- Idle: a session unused for SESSION_IDLE_TIMEOUT seconds ends (0 turns it off). This is
  done here rather than with SESSION_SAVE_EVERY_REQUEST, which would write the session row
  on every request and, by renewing the cookie, let an active session live for ever; here
  the last-seen time is written at most once a minute.
- Epoch: "logout everywhere" increments the user's AccountSecurity.session_epoch; a session
  logged in at an older epoch ends.
"""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import AccountSecurity

LOGIN_AT_KEY = "accounts_login_at"
LAST_SEEN_KEY = "accounts_last_seen"
EPOCH_KEY = "accounts_session_epoch"
# How stale the last-seen time may get before it is written again (seconds).
LAST_SEEN_RESOLUTION = 60


def session_epoch_of(user_id) -> int:
    epoch = AccountSecurity.objects.filter(user_id=user_id).values_list("session_epoch", flat=True).first()
    return epoch or 0


def stamp_session_at_login(sender, request: HttpRequest, user, **kwargs) -> None:
    """user_logged_in receiver: remember when, and at which epoch, this session logged in."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[LOGIN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now
    request.session[EPOCH_KEY] = session_epoch_of(user.pk)


def session_end_reason(session, *, now: int) -> str | None:
    """Why a logged-in session must end now, as a message for the person; None to go on."""
    login_at = session.get(LOGIN_AT_KEY)
    if login_at is not None and now - login_at > settings.SESSION_COOKIE_AGE:
        return _("ログインの有効時間が過ぎたため、ログアウトしました。もう一度ログインしてください。")
    last_seen = session.get(LAST_SEEN_KEY)
    idle = settings.SESSION_IDLE_TIMEOUT
    if idle and last_seen is not None and now - last_seen > idle:
        return _("一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。")
    if session.get(EPOCH_KEY, 0) != session_epoch_of(session[SESSION_KEY]):
        return _("すべての端末からログアウトする操作が行われたため、ログアウトしました。")
    return None


def session_touch(session, *, now: int) -> None:
    last_seen = session.get(LAST_SEEN_KEY)
    if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION:
        session[LAST_SEEN_KEY] = now
