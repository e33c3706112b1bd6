"""Whole-page cache of the public pages, for readers who are not logged in.

The directory, the home page and the statistics are the same for every anonymous reader of
one URL (the language is part of the URL: rmo_portal/urls.py), yet rendering one costs
10–25 ms of CPU, most of it Django's template engine. When a flyer or a press release sends
hundreds of people to the same few pages, they are served from the shared cache (Redis with
REDIS_URL) instead, at about the cost of the middleware alone.

What keeps a cached page correct:

* only GET/HEAD requests without a session or messages cookie use it: a logged-in reader
  (who may see drafts and a different footer) or one with a pending message always gets a
  fresh page, and so does anyone on a page that set a cookie or used a CSRF token;
* the stored page carries the versions it depends on (``version_keys=``: cache keys of
  counters that start at 1, such as the registry version that every write to the directory bumps), and is
  served only while they are unchanged: a change shows at once;
* everything else (a seminar published in the admin, a deadline passing at midnight) shows
  within settings.PUBLIC_PAGE_CACHE_SECONDS (0 turns the cache off).

The decorator runs inside the middleware, so a cached page still gets the security headers,
the Content-Language and the Vary headers that a fresh one gets. A hit is one cache round
trip: the page and its versions are read together.
"""

import hashlib
from collections.abc import Callable, Sequence
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

CACHE_STATUS_HEADER = "X-Page-Cache"
# Headers a view sets that belong to the page itself (middleware adds the rest on every answer).
_KEPT_HEADERS = ("Content-Type", "Content-Language")

def _usable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or settings.PUBLIC_PAGE_CACHE_SECONDS <= 0:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # A page that rendered a CSRF token carries a per-reader secret.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not response.has_header("Cache-Control")  # never_cache, private, …: the view decided
    )


def page_cache_key(request: HttpRequest) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"page:{get_language()}:{digest}"


def cache_public_page(*, version_keys: Sequence[str] = ()) -> Callable:
    """Serve the view's 200 answers to anonymous readers from the cache (see the module)."""
    version_keys = tuple(version_keys)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _usable(request):
                return view(request, *args, **kwargs)
            key = page_cache_key(request)
            found = cache.get_many([*version_keys, key])
            for version_key in version_keys:
                if version_key not in found:  # a new or flushed cache: counters start at 1
                    cache.add(version_key, 1, timeout=None)
                    found[version_key] = cache.get(version_key)
            versions = tuple(found[version_key] for version_key in version_keys)
            cached = found.get(key)
            if cached is not None and cached[0] == versions:
                _versions, headers, content = cached
                response = HttpResponse(content, headers=headers)
                # The fresh page read the session (for the footer's login link) and so varies on it.
                patch_vary_headers(response, ("Cookie",))
                response[CACHE_STATUS_HEADER] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if _storable(request, response):
                headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
                # The versions read before the view ran: a write during it makes this copy stale.
                cache.set(key, (versions, headers, response.content), settings.PUBLIC_PAGE_CACHE_SECONDS)
                response[CACHE_STATUS_HEADER] = "miss"
            return response

        return wrapped

    return decorator
