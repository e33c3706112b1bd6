"""Whole-page cache of the public pages, for readers who are not logged in.

The directory, the home page and the statistics are the same for every anonymous reader of
one URL (the language is part of the URL: rmo_portal/urls.py), yet rendering one costs
10–25 ms of CPU, most of it Django's template engine. When a flyer or a press release sends
hundreds of people to the same few pages, they are served from the shared cache (Redis with
REDIS_URL) instead.

Two parts:

* ``@cache_public_page(version_keys=...)`` marks a view whose 200 answers may be kept;
  requests for any other view pass the middleware untouched (no cache lookup);
* ``PublicPageCacheMiddleware`` (settings.MIDDLEWARE, just after the security headers and
  before the session) answers a kept page before the session, CSRF, authentication,
  messages, two-factor and lockout middleware run: none of them has anything to do for a
  reader without a session, and skipping them is most of what makes a kept page cheap. It
  keeps the headers those inner layers set (Vary, X-Frame-Options, Content-Language); the
  layers above it (security headers, CSP) run on every answer.

What keeps a kept page correct:

* only GET/HEAD requests without a session or messages cookie use the cache: a logged-in
  reader (who may see drafts and a different footer) or one with a pending message always
  gets a fresh page;
* an answer is kept only if it is a 200 from a marked view that set no cookie (a page that
  rendered a CSRF token sets one) and chose no Cache-Control of its own (never_cache);
* the kept page carries the versions it depends on (``version_keys``: cache keys of counters
  that start at 1, such as the registry version that every write to the directory bumps)
  and is served only while they are unchanged: such a change shows at once;
* everything else (a seminar published in the admin, a deadline passing at midnight) shows
  within settings.PUBLIC_PAGE_CACHE_SECONDS (0 turns the cache off).

A hit is one cache round trip: the page and every version counter are read together.
"""

import hashlib
from collections.abc import Callable, Sequence
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.translation import get_language_from_path, override

CACHE_STATUS_HEADER = "X-Page-Cache"
# Part of every key: a release that changes what is kept changes it, so it never reads the
# entries an older release wrote into the same Redis.
KEY_FORMAT = 2
_MARK = "public_page_version_keys"


class KeptPage(NamedTuple):
    versions: dict[str, object]  # version key → the counter's value when the page was rendered
    headers: dict[str, str]
    content: bytes


def version_current(key: str) -> int:
    """A version counter's value (1 until the first bump)."""
    return cache.get_or_set(key, 1, timeout=None)


def version_bump(key: str) -> None:
    """Count one change of what ``key`` versions: pages kept with the old value are stale now."""
    try:
        cache.incr(key)
    except ValueError:  # not set yet, or evicted
        cache.set(key, 2, timeout=None)


def cache_public_page(*, version_keys: Sequence[str] = ()) -> Callable:
    """Let PublicPageCacheMiddleware keep this view's answers (see the module docstring).

    It only marks the view function (decorators that use functools.wraps keep the mark).
    """

    def mark(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        setattr(view, _MARK, tuple(version_keys))
        return view

    return mark


def _marked_version_keys(request: HttpRequest, language: str) -> tuple[str, ...] | None:
    """The version keys of the view this request goes to, or None if it is not marked.

    LocaleMiddleware has not run yet, so the URL is resolved in the language its prefix names.
    """
    try:
        with override(language):
            match = resolve(request.path_info)
    except Resolver404:
        return None
    return getattr(match.func, _MARK, None)


def _usable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or settings.PUBLIC_PAGE_CACHE_SECONDS <= 0:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def _storable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Cache-Control")
    )


def page_cache_key(request: HttpRequest, language: str) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"page:{KEY_FORMAT}:{language}:{digest}"


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _usable(request):
            return self.get_response(request)
        # The language as LocaleMiddleware will choose it (it runs later): the URL's prefix,
        # else the default (i18n_patterns with prefix_default_language=False).
        language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        version_keys = _marked_version_keys(request, language)
        if version_keys is None:
            return self.get_response(request)
        key = page_cache_key(request, language)
        found = cache.get_many([*version_keys, key])
        for version_key in version_keys:
            if version_key not in found:  # a new or flushed cache: counters start at 1
                cache.add(version_key, 1, timeout=None)
                found[version_key] = cache.get(version_key)
        kept = found.get(key)
        if isinstance(kept, KeptPage):
            versions, headers, content = kept
            if all(found.get(version_key) == version for version_key, version in versions.items()):
                response = HttpResponse(content, headers=headers)
                response[CACHE_STATUS_HEADER] = "hit"
                return response

        response = self.get_response(request)
        if _storable(response):
            # The versions read before the view ran: a write during it makes this copy stale.
            versions = {version_key: found[version_key] for version_key in version_keys}
            headers = dict(response.items())
            cache.set(key, KeptPage(versions, headers, response.content), settings.PUBLIC_PAGE_CACHE_SECONDS)
            response[CACHE_STATUS_HEADER] = "miss"
        return response
