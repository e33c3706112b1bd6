"""Request-level security shared by the apps: client address, CSP, login lockout.

The rate limits of registration and login POSTs are in portal/ratelimits.py.
"""

import base64
import functools
import hashlib
import ipaddress
from dataclasses import replace as dataclass_replace

from axes.backends import AxesStandaloneBackend
from csp.constants import UNSAFE_HASHES, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@functools.cache
def _trusted_proxy_networks(addresses: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(address, strict=False) for address in addresses)


def _is_trusted_proxy(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in _trusted_proxy_networks(tuple(settings.TRUSTED_PROXY_ADDRESSES)))


def client_ip(request: HttpRequest) -> str | None:
    """The address of the person's machine, as rate limits and the login lockout count it.

    REMOTE_ADDR, unless the request came through settings.TRUSTED_PROXY_COUNT reverse proxies
    whose addresses are in settings.TRUSTED_PROXY_ADDRESSES: each appends the address it saw to
    X-Forwarded-For, so the client is the entry that many places from the right. Anyone can
    send the header, so it counts only when the peer (and every proxy hop before it) is one of
    ours; entries further left are the client's own writing and are never read.
    """
    remote_addr = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0 or not _is_trusted_proxy(remote_addr):
        return remote_addr
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(forwarded) < proxies:
        return remote_addr
    if not all(_is_trusted_proxy(hop) for hop in forwarded[len(forwarded) - proxies + 1 :]):
        return remote_addr
    candidate = forwarded[-proxies]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote_addr
    return candidate


def _inline_hash(source: str) -> str:
    digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode("ascii")
    return f"'sha256-{digest}'"


# The admin's third-party templates carry a few inline attributes that the site's own pages
# never do: style="..." (django-import-export, django-simple-history, and a <style> block in
# Django's change list without actions) and one event handler in import-export's export form.
# Admin pages allow inline CSS (it runs no script) and exactly that one handler, by its hash.
ADMIN_INLINE_EVENT_HANDLERS = ("onSelectToggleChange(event)",)
ADMIN_CSP_UPDATE = {
    "style-src": [UNSAFE_INLINE],
    "script-src-attr": [UNSAFE_HASHES, *(_inline_hash(handler) for handler in ADMIN_INLINE_EVENT_HANDLERS)],
}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's few inline attributes allowed on admin pages only."""

    def get_policy_parts(self, request: HttpRequest, response: HttpResponse, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        match = getattr(request, "resolver_match", None)
        if report_only or match is None or "admin" not in match.namespaces:
            return parts
        update = dict(parts.update or {})
        for key, values in ADMIN_CSP_UPDATE.items():
            present = update.get(key) or []
            present = list(present) if isinstance(present, (list, tuple, set)) else [present]
            update[key] = [*present, *values]
        return dataclass_replace(parts, update=update)


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS; it never logs anyone in.

    Every login over HTTP passes its request (Django's AuthenticationForm does), and is
    counted and refused per username and client address. A call without a request (the test
    client's `login()`, a shell) has no address to count against, so it is left to the next
    backends instead of failing.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None) -> HttpResponse:
    """The Japanese page shown instead of the login form while a lockout lasts."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"cool_off_minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    response = render(request, "portal/login_locked.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
