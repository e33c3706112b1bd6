import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_safe
from django_ratelimit.core import get_usage

from portal.qr import qr_png, qr_svg
from portal.ratelimits import registration_ratelimit, too_many_requests

from . import calendars, links, selectors, services, structured_data
from .enums import AttendanceMode, RegistrationSource, RegistrationStatus, WhenFull
from .forms import ChangeModeForm, CheckinSearchForm, RegistrationForm, ResendLinkForm
from .models import Registration, Seminar, normalize_email

RECENT_COOKIE = "seminars_recent"
RECENT_MAX = 5


def _register_url(seminar: Seminar) -> str:
    return f"{settings.SITE_URL}{reverse('seminars:register', kwargs={'slug': seminar.slug})}?src=flyer"


@require_GET
def seminar_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "seminars/seminar_list.html",
        {
            "upcoming": list(selectors.seminar_list_upcoming()),
            "past": list(selectors.seminar_list_past()),
        },
    )


@require_GET
def seminar_detail(request: HttpRequest, slug: str) -> HttpResponse:
    seminar = selectors.seminar_detail(slug=slug)
    context = {"seminar": seminar, "structured_data": structured_data.seminar_event(seminar)}
    return render(request, "seminars/seminar_detail.html", context)


def _recent_tokens(request: HttpRequest) -> list[str]:
    """Tokens this browser registered lately (signed cookie), so a double submit lands on the
    same registration page without a session write per registration."""
    value = request.get_signed_cookie(RECENT_COOKIE, default="", salt=RECENT_COOKIE)
    return [token for token in value.split(",") if token]


def _render_form(
    request: HttpRequest, seminar: Seminar, *, form=None, closed: bool = False, status: int = 200
) -> HttpResponse:
    if request.method == "POST":
        # The POST read only the row; the page shows the seats as they are after it.
        seminar = selectors.seminar_for_registration_page(slug=seminar.slug)
    if form is not None:
        form.show_seats(seminar.full_modes)
    return render(
        request, "seminars/registration_form.html", {"seminar": seminar, "form": form, "closed": closed}, status=status
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@registration_ratelimit  # innermost: the 429 page gets never_cache's headers too
def register(request: HttpRequest, slug: str) -> HttpResponse:
    # The page shows the seats left: one query with the row. A POST needs only the row, since
    # registration_create counts the seats under the seminar's lock.
    if request.method == "POST":
        seminar = selectors.seminar_for_registration(slug=slug)
    else:
        seminar = selectors.seminar_for_registration_page(slug=slug)
    source = RegistrationSource.FLYER if request.GET.get("src") == "flyer" else RegistrationSource.WEB
    if not seminar.is_registration_open():
        # A POST after the deadline is refused; the page says why either way.
        return _render_form(request, seminar, closed=True, status=403 if request.method == "POST" else 200)

    data = request.POST if request.method == "POST" else None
    form = RegistrationForm(data, seminar=seminar, action=request.get_full_path())
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            outcome = services.registration_create(
                seminar=seminar,
                mode=cleaned["mode"],
                name=cleaned["name"],
                kana=cleaned["kana"],
                email=cleaned["email"],
                affiliation=cleaned["affiliation"],
                category=cleaned["category"],
                municipality=cleaned["municipality"],
                joins_exchange=cleaned.get("joins_exchange", False),
                accessibility_needs=cleaned["accessibility_needs"],
                consent=cleaned["consent"],
                source=source,
                # No question when no mode can fill up; if staff set a capacity since, wait.
                when_full=cleaned.get("when_full", WhenFull.WAITLIST),
            )
        except services.RegistrationError as error:
            if error.code == "closed":
                return _render_form(request, seminar, closed=True, status=403)
            field = {"full": "when_full", "mode": "mode", "exchange": "joins_exchange", "consent": "consent"}.get(error.code)
            form.add_error(field if field in form.fields else None, error.message)
        else:
            registration = outcome.registration
            recent = _recent_tokens(request)
            if outcome.created:
                response = redirect(registration.get_absolute_url())
                response.set_signed_cookie(
                    RECENT_COOKIE,
                    ",".join([*recent, registration.token][-RECENT_MAX:]),
                    salt=RECENT_COOKIE,
                    max_age=60 * 60 * 24,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
                return response
            if registration.token in recent:
                return redirect(registration.get_absolute_url())
            # Never reveal someone's registration link to whoever typed their address.
            return render(request, "seminars/registration_exists.html", {"seminar": seminar})
    return _render_form(request, seminar, form=form)


def _resend_rate(group: str, request: HttpRequest) -> str | None:
    # Off with the other limits (RATELIMIT_REGISTRATION=""), read per request like them.
    if not settings.RATELIMIT_REGISTRATION:
        return None
    # Per address typed in; the per-client limit is the registration form's.
    return settings.RATELIMIT_SEMINAR_RESEND_PER_ADDRESS or None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@registration_ratelimit  # per client address; innermost, as on the registration form
def registration_resend(request: HttpRequest) -> HttpResponse:
    """'Resend my link': the same answer whether or not the address has a registration."""
    form = ResendLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = normalize_email(form.cleaned_data["email"])
        # Counted for every address typed, registered or not, so a 429 says nothing either.
        usage = get_usage(
            request,
            group="seminars.registration_resend.address",
            key=lambda group, request: email,
            rate=_resend_rate,
            method=["POST"],
            increment=True,
        )
        if usage is not None and usage["should_limit"]:
            return too_many_requests(request, usage["time_left"])
        services.registration_links_resend(email=email)
        return redirect(f"{reverse('seminars:registration_resend')}?sent=1")
    sent = request.method != "POST" and request.GET.get("sent") == "1"
    return render(request, "seminars/registration_resend.html", {"form": form, "sent": sent})


def token_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page or file under a person's token: kept by no browser or proxy (never_cache: private,
    no-store) and indexed by no search engine, HTML or not (the header, beside the meta tag)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapper)


def _registration_or_404(request: HttpRequest, token: str) -> Registration | HttpResponse:
    registration = selectors.registration_by_token(token=token)
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return render(request, "seminars/registration_not_found.html", {"registration": registration}, status=404)
    return registration


@token_page
@require_http_methods(["GET", "POST"])
def registration_detail(request: HttpRequest, token: str) -> HttpResponse:
    found = _registration_or_404(request, token)
    if isinstance(found, HttpResponse):
        return found
    registration = found
    seminar = registration.seminar
    change_form = ChangeModeForm(
        request.POST if request.POST.get("action") == "change_mode" else None,
        initial={"mode": registration.mode, "joins_exchange": registration.joins_exchange},
    )
    change_form.fields["mode"].choices = [(mode, AttendanceMode(mode).label) for mode in seminar.modes]
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "cancel":
                services.registration_cancel(registration=registration)
                messages.success(request, _("キャンセルを受け付けました。確認のメールをお送りします。"))
                return redirect(reverse("seminars:seminar_detail", kwargs={"slug": seminar.slug}))
            if action == "change_mode":
                if change_form.is_valid():
                    before = (registration.mode, registration.joins_exchange)
                    changed = services.registration_change_mode(
                        registration=registration,
                        mode=change_form.cleaned_data["mode"],
                        joins_exchange=change_form.cleaned_data["joins_exchange"],
                    )
                    if changed.mode != before[0]:
                        messages.success(request, _("参加方法を変更しました。確認のメールをお送りします。"))
                    elif changed.joins_exchange != before[1]:
                        messages.success(request, _("意見交換会への参加を変更しました。確認のメールをお送りします。"))
                    else:
                        messages.info(request, _("変更はありません。"))
                    return redirect(registration.get_absolute_url())
            else:
                return render(request, "400.html", status=400)
        except services.RegistrationError as error:
            messages.error(request, error.message)
            return redirect(registration.get_absolute_url())
    return render(
        request,
        "seminars/registration_detail.html",
        {
            "registration": registration,
            "seminar": selectors.seminar_detail(slug=seminar.slug, include_unpublished=True),  # seats left
            "change_form": change_form,
            "can_change": seminar.is_registration_open(),
            "can_cancel": seminar.starts_at is None or timezone.now() < seminar.starts_at,
            "has_calendar": links.has_calendar(registration),
            "google_calendar_url": links.google_calendar_url(registration, location=calendars.registration_location(registration)),
            "has_ticket": links.has_ticket(registration),
        },
    )


@token_page
@require_safe
def registration_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The same .ics the confirmation mail attaches, for readers whose mail lost it (無害化)."""
    found = _registration_or_404(request, token)
    if isinstance(found, HttpResponse):
        return found
    content = calendars.registration_calendar(found)
    if content is None:
        raise Http404
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{calendars.registration_calendar_filename(found)}"'
    return response


def _ticket_registration_or_404(request: HttpRequest, token: str) -> Registration | HttpResponse:
    found = _registration_or_404(request, token)
    if isinstance(found, HttpResponse):
        return found
    if not links.has_ticket(found):
        raise Http404
    return found


@token_page
@require_safe
def registration_ticket(request: HttpRequest, token: str) -> HttpResponse:
    """The 受付票 to show at the door: the QR as large as the screen allows, the 受付番号 beside it."""
    found = _ticket_registration_or_404(request, token)
    if isinstance(found, HttpResponse):
        return found
    return render(request, "seminars/registration_ticket.html", {"registration": found, "seminar": found.seminar})


@token_page
@require_safe
def registration_ticket_png(request: HttpRequest, token: str) -> HttpResponse:
    found = _ticket_registration_or_404(request, token)
    if isinstance(found, HttpResponse):
        return found
    return HttpResponse(qr_png(links.checkin_url(found), box_size=10), content_type="image/png")


@require_GET
@cache_control(public=True, max_age=3600)
def seminar_qr_svg(request: HttpRequest, slug: str) -> HttpResponse:
    seminar = selectors.seminar_for_registration(slug=slug)
    return HttpResponse(qr_svg(_register_url(seminar)), content_type="image/svg+xml")


@require_GET
@cache_control(public=True, max_age=3600)
def seminar_qr_png(request: HttpRequest, slug: str) -> HttpResponse:
    seminar = selectors.seminar_for_registration(slug=slug)
    return HttpResponse(qr_png(_register_url(seminar), box_size=12), content_type="image/png")


@require_GET
def seminar_flyer(request: HttpRequest, slug: str) -> HttpResponse:
    seminar = selectors.seminar_detail(slug=slug)
    return render(request, "seminars/seminar_flyer.html", {"seminar": seminar, "register_url": _register_url(seminar)})


def _require_checkin_permission(request: HttpRequest) -> None:
    if not request.user.has_perm("seminars.change_registration"):
        raise PermissionDenied


@staff_member_required
@require_GET
def checkin(request: HttpRequest, slug: str) -> HttpResponse:
    _require_checkin_permission(request)
    seminar = selectors.seminar_detail(slug=slug, include_unpublished=True)
    form = CheckinSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    return render(
        request,
        "seminars/checkin.html",
        {
            "seminar": seminar,
            "form": form,
            "q": q,
            "results": selectors.registration_search(seminar=seminar, q=q) if q else [],
            "counts": selectors.seminar_dashboard(seminar=seminar),
        },
    )


@staff_member_required
@require_GET
def checkin_counts(request: HttpRequest, slug: str) -> JsonResponse:
    _require_checkin_permission(request)
    seminar = get_object_or_404(Seminar, slug=slug)
    counts = selectors.seminar_dashboard(seminar=seminar)
    return JsonResponse({key: counts[key] for key in ("venue_confirmed", "checked_in", "online_confirmed")})


@staff_member_required
@require_http_methods(["GET", "POST"])
def checkin_registration(request: HttpRequest, token: str) -> HttpResponse:
    """Opened by scanning a 受付票 QR: shows who it is; the POST checks them in once."""
    _require_checkin_permission(request)
    registration = selectors.registration_by_checkin_token(checkin_token=token)
    if registration is None:
        return render(request, "seminars/registration_not_found.html", {"registration": None, "staff": True}, status=404)
    if request.method == "POST":
        try:
            services.registration_check_in(registration=registration)
        except services.RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(name)s 様の受付が完了しました。") % {"name": registration.name})
        return redirect(reverse("seminars:checkin", kwargs={"slug": registration.seminar.slug}))
    return render(request, "seminars/checkin_registration.html", {"registration": registration, "seminar": registration.seminar})
