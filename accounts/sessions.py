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
from django.http import HttpRequest, QueryDict
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


# ---------------------------------------------------------------- a form sent after the session ended
#
# A municipal editor writing a long 概要 sends no request while typing, so the idle timeout can
# end the session before "保存". The form they then send would be lost behind the login page.
# Views marked with keeps_form_across_login get it back: the middleware keeps the sent fields in
# the new, anonymous session (bound to the user who typed them and to the page), and after the
# same user logs in again the view takes them back once, to show them unsaved.

KEPT_FORM_KEY = "accounts_kept_form"
# A kept form older than this is dropped: the person has moved on.
KEPT_FORM_MAX_AGE = 60 * 60
NOT_KEPT_FIELDS = ("csrfmiddlewaretoken",)


def keeps_form_across_login(view):
    """Mark a view whose POST is kept when it arrives after the session ended (see above).
    Django's view decorators copy the mark (functools.wraps), so it may sit at any level."""
    view.keeps_form_across_login = True
    return view


def form_keep(session, *, user_id, path: str, data, now: int) -> None:
    """Keep a POST's fields (data: a QueryDict) in ``session`` for ``user_id`` and ``path``."""
    fields = {name: values for name, values in data.lists() if name not in NOT_KEPT_FIELDS}
    session[KEPT_FORM_KEY] = {"user_id": str(user_id), "path": path, "fields": fields, "at": now}


def form_take_back(request: HttpRequest, *, now: int | None = None):
    """The fields kept for this user and page, as a QueryDict, once; None when there are none."""
    kept = request.session.get(KEPT_FORM_KEY)
    if not kept or not request.user.is_authenticated:
        return None
    now = int(time.time()) if now is None else now
    if kept["path"] != request.path or now - kept["at"] > KEPT_FORM_MAX_AGE:
        return None
    del request.session[KEPT_FORM_KEY]
    if kept["user_id"] != str(request.user.pk):
        return None
    data = QueryDict(mutable=True)
    for name, values in kept["fields"].items():
        data.setlist(name, values)
    return data
