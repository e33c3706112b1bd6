"""Rate limits per client address on the POSTs a flood would aim at: registrations and logins.

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


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The 429 page: nothing was saved, wait this long, then send again."""
    retry_after = max(retry_after, 1)
    context = {"retry_after_minutes": max(1, -(-retry_after // 60))}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response


def _post_ratelimit(setting_name: str) -> Callable:
    """A view decorator limiting POSTs per client address to settings.<setting_name> ("20/m")."""

    def rate(group: str, request: HttpRequest) -> str | None:
        return getattr(settings, setting_name) or None  # read per request: tests and env can change it

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            # None: not a POST, limits disabled, or the cache did not answer (RATELIMIT_FAIL_OPEN).
            usage = get_usage(request, fn=view, key="ip", rate=rate, method=["POST"], increment=True)
            if usage is not None and usage["should_limit"]:
                return too_many_requests(request, usage["time_left"])
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


registration_ratelimit = _post_ratelimit("RATELIMIT_REGISTRATION")
login_ratelimit = _post_ratelimit("RATELIMIT_LOGIN")
