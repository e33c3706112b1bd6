import base64
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from portal.qr import qr_svg
from portal.ratelimits import login_ratelimit, password_reset_email_ratelimit, password_reset_ratelimit

from . import services
from .forms import (
    InvitationForm,
    InvitationPasswordForm,
    LoginForm,
    OTPCodeForm,
    PasswordResetRequestForm,
    PasswordResetSetForm,
)
from .rules import editor_scope_of
from .selectors import invitation_list_recent
from .tokens import password_reset_lifetime

# The half-finished login between the password and the code (an anonymous session).
PENDING_LOGIN_KEY = "accounts_pending_login"
PENDING_LOGIN_SECONDS = 5 * 60
PENDING_LOGIN_MAX_FAILURES = 5
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request: HttpRequest, fallback: str | None = None) -> str:
    """Where to go after a step: a path on this site, or the fallback.

    Only an absolute path ("/manage/") is taken: redirect() would try to reverse a bare word
    ("next=foo") as a URL name and fail, and anything with a scheme or host leaves the site.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(fallback or settings.LOGIN_REDIRECT_URL)


# ---------------------------------------------------------------- login: password, then code


@sensitive_post_parameters()
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_ratelimit
def login(request: HttpRequest) -> HttpResponse:
    """Step 1. Answers both /accounts/login/ and the admin's login URL.

    A user with a confirmed TOTP device is not logged in yet: the session only remembers
    who passed the password, for a few minutes, and the code step finishes the login.
    """
    next_url = _next_url(request)
    if request.method == "POST":
        form = LoginForm(request, data=request.POST)
        if form.is_valid():
            user = form.get_user()
            if services.totp_device_confirmed(user) is None:
                auth_login(request, user)
                return redirect(next_url)
            request.session.cycle_key()
            request.session[PENDING_LOGIN_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "next": next_url,
                "at": int(time.time()),
                "failures": 0,
            }
            return redirect("accounts:login_code")
    else:
        form = LoginForm(request)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _pending_user(request: HttpRequest):
    pending = request.session.get(PENDING_LOGIN_KEY)
    if not pending or time.time() - pending["at"] > PENDING_LOGIN_SECONDS:
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


@sensitive_post_parameters()
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_ratelimit
def login_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the authenticator app. Also verifies an already logged-in
    session whose user enrolled a device since (TwoFactorMiddleware sends them here)."""
    if request.user.is_authenticated:
        if request.user.is_verified():
            return redirect(_next_url(request))
        user, pending = request.user, None
    else:
        user, pending = _pending_user(request)
        if user is None:
            request.session.pop(PENDING_LOGIN_KEY, None)
            messages.info(request, _("もう一度、ユーザー名とパスワードからログインしてください。"))
            return redirect("accounts:login")
    device = services.totp_device_confirmed(user)
    if device is None:
        return redirect("accounts:login")

    form = OTPCodeForm(request.POST or None, submit_label=_("ログイン"))
    if request.method == "POST" and form.is_valid():
        if services.totp_verify(user=user, device=device, code=form.cleaned_data["code"]):
            if pending is not None:
                del request.session[PENDING_LOGIN_KEY]
                auth_login(request, user, backend=pending["backend"])
                next_url = pending["next"]
            else:
                next_url = _next_url(request)
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("code", _("確認コードが正しくありません。時刻のずれがないか確かめ、新しいコードを入力してください。"))
        if pending is not None:
            pending["failures"] += 1
            if pending["failures"] >= PENDING_LOGIN_MAX_FAILURES:
                del request.session[PENDING_LOGIN_KEY]
                messages.error(request, _("確認コードの誤りが続いたため、ログインを中止しました。"))
                return redirect("accounts:login")
            request.session[PENDING_LOGIN_KEY] = pending
    return render(request, "accounts/login_code.html", {"form": form, "next": _next_url(request)})


class LogoutView(auth_views.LogoutView):
    """POST logs out (Django's view); a GET, from a bookmark or a typed address, asks first,
    because a link that logs out would let any page log a reader out."""

    http_method_names = ["get", "head", "post", "options"]
    next_page = "portal:home"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return render(request, "accounts/logout_confirm.html")


logout = never_cache(LogoutView.as_view())


# ---------------------------------------------------------------- password reset (Django's views)


class PasswordResetContextMixin:
    """What the reset pages tell: how long a link works, how long a login lockout lasts."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lifetime"] = password_reset_lifetime()
        context["cool_off_minutes"] = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return context


class PasswordResetView(PasswordResetContextMixin, auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # The same next page whether or not an account has the address.
        services.password_reset_request(email=form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(PasswordResetContextMixin, auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(PasswordResetContextMixin, auth_views.PasswordResetConfirmView):
    """Django's view: the link's token moves into the session and out of the address, then the
    form. It never logs in (post_reset_login stays False), so a second factor is still asked;
    it authenticates nothing, so a login lockout does not stand in its way."""

    form_class = PasswordResetSetForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        services.password_reset_complete(user=self.user, password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())

    def render_to_response(self, context, **response_kwargs):
        # A used, expired or mistyped link: the page says what to do, as a 404 like an invitation's.
        if not self.validlink:
            response_kwargs.setdefault("status", 404)
        return super().render_to_response(context, **response_kwargs)


class PasswordResetCompleteView(PasswordResetContextMixin, auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# The ratelimits innermost (portal.ratelimits): the 429 page gets never_cache's headers. The
# CSRF middleware runs before them, so a forged cross-site POST counts against no one.
password_reset = never_cache(password_reset_ratelimit(password_reset_email_ratelimit(PasswordResetView.as_view())))
password_reset_done = never_cache(PasswordResetDoneView.as_view())
password_reset_confirm = PasswordResetConfirmView.as_view()  # never_cache, sensitive_post_parameters: Django's
password_reset_complete = never_cache(PasswordResetCompleteView.as_view())


# ---------------------------------------------------------------- the account page


@never_cache
@login_required
def account(request: HttpRequest) -> HttpResponse:
    context = {
        "scope": editor_scope_of(request.user),
        "device": services.totp_device_confirmed(request.user),
        "can_invite": request.user.has_perm("accounts.invite_editor"),
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        "absolute_hours": settings.SESSION_COOKIE_AGE // 3600,
    }
    return render(request, "accounts/account_detail.html", context)


@require_POST
@login_required
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    services.sessions_end_everywhere(user=request.user)
    # This session ends too, on its next request (accounts.sessions): the login page.
    return redirect("accounts:login")


# ---------------------------------------------------------------- two-factor enrollment


def _qr_data_uri(data: str) -> str:
    # An <img> with a data: URI: the CSP allows data: images and no inline SVG markup is needed.
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(data)).decode("ascii")


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enroll an authenticator app: scan the QR code (or type the secret), confirm with a code.

    A user who already has a device must have passed the code step in this session before
    replacing it, or a stolen password alone could swap the device.
    """
    confirmed = services.totp_device_confirmed(request.user)
    if confirmed is not None and not request.user.is_verified():
        return redirect_to_login(request.path, resolve_url("accounts:login_code"))
    if confirmed is not None and request.method != "POST" and "replace" not in request.GET:
        return render(request, "accounts/two_factor_enabled.html", {"device": confirmed})

    device = services.totp_device_start(user=request.user)
    form = OTPCodeForm(request.POST or None, submit_label=_("設定を完了する"))
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(device=device, code=form.cleaned_data["code"]):
            otp_login(request, device)
            messages.success(request, _("2段階認証を設定しました。次回から、ログインの際に確認コードを入力します。"))
            return redirect(_next_url(request, "accounts:account"))
        form.add_error("code", _("確認コードが正しくありません。アプリに表示されている新しいコードを入力してください。"))
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    context = {
        "form": form,
        "qr_data_uri": _qr_data_uri(device.config_url),
        "secret": _grouped(secret),
        "replacing": confirmed is not None,
        "next": _next_url(request, "accounts:account"),
    }
    return render(request, "accounts/two_factor_setup.html", context)


# ---------------------------------------------------------------- invitations


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("accounts.invite_editor", raise_exception=True)
def invitation_create(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                invited_by=request.user,
                email=form.cleaned_data["email"],
                municipality=form.cleaned_data["municipality"],
                prefecture=None if form.cleaned_data["municipality"] else form.cleaned_data["prefecture"],
            )
        except services.AccountError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, _("%(email)s に招待メールを送りました。") % {"email": invitation.email})
            return redirect("accounts:invitation_list")
    return render(request, "accounts/invitation_form.html", {"form": form, "invitation_days": settings.INVITATION_DAYS})


@never_cache
@login_required
@permission_required("accounts.invite_editor", raise_exception=True)
def invitation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/invitation_list.html", {"invitations": invitation_list_recent()})


@sensitive_post_parameters()
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_link(uidb64=uidb64, token=token)
    except services.AccountError as error:
        return _invitation_invalid(request, error)
    user = invitation.user
    form = InvitationPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(invitation=invitation, password=form.cleaned_data["new_password1"])
        except services.AccountError as error:
            return _invitation_invalid(request, error)
        auth_login(request, user, backend=MODEL_BACKEND)
        messages.success(request, _("パスワードを設定しました。ようこそ、地域運営組織ポータルへ。"))
        return redirect("accounts:account")
    context = {"form": form, "invitation": invitation, "scope": editor_scope_of(user)}
    return render(request, "accounts/invitation_accept.html", context)


def _invitation_invalid(request: HttpRequest, error: services.AccountError) -> HttpResponse:
    status = 410 if error.code == "expired" else 404
    context = {"error": error, "expired": error.code == "expired"}
    return render(request, "accounts/invitation_invalid.html", context, status=status)
