"""Rate limits per client address on the POSTs a flood would aim at: registrations, logins and
password-reset requests (these also per address typed in).

Counts live in the default cache (django-ratelimit): shared by every app server with
REDIS_URL, per process without it. Each decorated view counts on its own, and only its
POSTs count; a request over the limit gets the Japanese 429 page and does not reach the view.

    from portal.ratelimits import registration_ratelimit

    @never_cache
    @require_http_methods(["GET", "HEAD", "POST"])
    @registration_ratelimit          # innermost: the 429 page gets never_cache's headers too
    def register(request, slug): ...
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django_ratelimit.core import get_usage


def too_many_requests(request: HttpRequest, retry_after: int, *, template_name: str = "429.html") -> HttpResponse:
    """The 429 page: nothing was saved, wait this long, then send again."""
    retry_after = max(retry_after, 1)
    context = {"retry_after_minutes": max(1, -(-retry_after // 60))}
    response = render(request, template_name, context, status=429)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response


def _submitted_email(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().lower()


def _post_ratelimit(
    setting_name: str, *, key: Callable | str = "ip", group: str | None = None, template_name: str = "429.html"
) -> Callable:
    """A view decorator limiting POSTs to settings.<setting_name> ("20/m") per client address,
    or per the value ``key(group, request)`` returns (a POST without that value is not counted)."""

    def rate(group: str, request: HttpRequest) -> str | None:
        return getattr(settings, setting_name) or None  # read per request: tests and env can change it

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if callable(key) and request.method == "POST" and not key(group, request):
                return view(request, *args, **kwargs)
            # None: not a POST, limits disabled, or the cache did not answer (RATELIMIT_FAIL_OPEN).
            usage = get_usage(request, group=group, fn=view, key=key, rate=rate, method=["POST"], increment=True)
            if usage is not None and usage["should_limit"]:
                return too_many_requests(request, usage["time_left"], template_name=template_name)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


registration_ratelimit = _post_ratelimit("RATELIMIT_REGISTRATION")
login_ratelimit = _post_ratelimit("RATELIMIT_LOGIN")
# A reset request mails a person: limited per client address (one machine trying many
# addresses) and per address typed in (many machines mailing one person), whether or not an
# account has that address, so the answer tells nothing about which addresses exist.
password_reset_ratelimit = _post_ratelimit(
    "RATELIMIT_PASSWORD_RESET", template_name="accounts/password_reset_limited.html"
)
password_reset_email_ratelimit = _post_ratelimit(
    "RATELIMIT_PASSWORD_RESET_EMAIL",
    key=_submitted_email,
    group="accounts.password_reset.email",
    template_name="accounts/password_reset_limited_email.html",
)
