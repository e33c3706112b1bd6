"""URLs for tests/portal/test_pagecache.py: marked pages that must never be kept."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path
from django.views.decorators.cache import never_cache

from portal.pagecache import cache_public_page


@cache_public_page()
def form_page(request):
    """A page with a CSRF token in it, as any POST form has."""
    return HttpResponse(f'<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="{get_token(request)}"></form>')


@never_cache
@cache_public_page()
def never_cached_page(request):
    return HttpResponse("now")


urlpatterns = [
    path("form/", form_page),
    path("never/", never_cached_page),
]
