from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from organizations.selectors import REGISTRY_VERSION_KEY, case_studies_featured
from seminars.selectors import seminar_list_upcoming
from summits.selectors import summit_list_upcoming

from .pagecache import cache_public_page
from .privacy import personal_data_retention_days
from .selectors import policy_program_list_published


@require_safe
@cache_public_page(version_keys=(REGISTRY_VERSION_KEY,))  # its case studies come from the directory
def home(request: HttpRequest) -> HttpResponse:
    """One query per section that other apps contribute (3 in all), whatever their rows."""
    context = {
        "case_studies": case_studies_featured(limit=3),
        "upcoming_seminars": seminar_list_upcoming()[:3],
        "upcoming_summits": summit_list_upcoming()[:3],
    }
    return render(request, "portal/home.html", context)


@require_safe
@cache_public_page()
def about(request: HttpRequest) -> HttpResponse:
    programs = list(policy_program_list_published())
    return render(request, "portal/about.html", {"programs": programs})


@require_safe
@cache_public_page()
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/privacy.html", {"retention_days": personal_data_retention_days()})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not (for load balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: this page must render when it is down.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
