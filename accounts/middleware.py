"""Session lifetime (accounts.sessions) and the two-factor gate.

Order in settings.MIDDLEWARE: AuthenticationMiddleware, MessageMiddleware, SessionSecurityMiddleware,
django_otp's OTPMiddleware, TwoFactorMiddleware. The session check runs before OTPMiddleware
so that the user object django-otp wraps is already the logged-out one when a session ended.
"""

import time

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from .services import totp_device_confirmed
from .sessions import form_keep, session_end_reason, session_touch


class SessionSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        # Only logged-in sessions: an anonymous visitor costs no query here.
        if SESSION_KEY in session:
            now = int(time.time())
            reason = session_end_reason(session, now=now)
            if reason is not None:
                user_id = session[SESSION_KEY]
                logout(request)
                messages.info(request, reason)
                if request.method == "POST" and _keeps_form(request):
                    form_keep(session, user_id=user_id, path=request.path, data=request.POST, now=now)
                    messages.info(request, _("入力中の内容は保存されていませんが、もう一度ログインすると入力欄に戻ります。"))
            else:
                session_touch(session, now=now)
        return self.get_response(request)


def _keeps_form(request) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return getattr(match.func, "keeps_form_across_login", False)


# Reachable by a logged-in user who still owes the second step: the login steps, the
# enrollment (it guards itself), an invitation link and the logouts.
EXEMPT_URL_NAMES = (
    "accounts:login",
    "accounts:login_code",
    "accounts:two_factor",
    "accounts:invitation_accept",
    "accounts:logout",
    "admin:logout",
)


class TwoFactorMiddleware:
    """A session must have passed the code step when its user has a confirmed TOTP device;
    with settings.REQUIRE_STAFF_2FA, every staff member must also have enrolled one.

    The check covers every page, not only the admin: staff pages live in several apps
    (check-in, delegate lists, exports) and a list of them would drift.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_URL_NAMES:
            return None
        if totp_device_confirmed(user) is not None:
            return redirect_to_login(request.get_full_path(), resolve_url("accounts:login_code"))
        if settings.REQUIRE_STAFF_2FA and rules.test_rule("accounts.must_use_two_factor", user):
            messages.warning(request, _("職員のアカウントでは、2段階認証の設定が必要です。認証アプリで設定してください。"))
            return redirect_to_login(request.get_full_path(), resolve_url("accounts:two_factor"))
        return None
