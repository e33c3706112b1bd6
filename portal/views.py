from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes import views as contenttypes_views
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from organizations.selectors import REGISTRY_VERSION_KEY, case_studies_featured
from seminars.selectors import seminar_list_upcoming
from summits.selectors import summit_list_upcoming

from .accessibility import JIS_AA_CRITERIA, criteria_results, manual_check_list, outcome_counts, results_load
from .pagecache import cache_public_page
from .personal_files import personal_data_files
from .privacy import personal_data_retention_days
from .selectors import policy_program_list_published, privacy_request_desk
from .services import PRIVACY_DESK_VERSION_KEY


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
@cache_public_page(version_keys=(PRIVACY_DESK_VERSION_KEY,))
def privacy(request: HttpRequest) -> HttpResponse:
    context = {
        "retention_days": personal_data_retention_days(),
        "login_record_days": settings.LOGIN_RECORD_RETENTION_DAYS,
        "files": personal_data_files(),
        "desk": privacy_request_desk(),
    }
    return render(request, "portal/privacy.html", context)


@require_safe
@cache_public_page(version_keys=(PRIVACY_DESK_VERSION_KEY,))
def privacy_files(request: HttpRequest) -> HttpResponse:
    """個人情報ファイル簿 (Art. 75), generated from portal.personal_files."""
    return render(request, "portal/privacy_files.html", {"files": personal_data_files(), "desk": privacy_request_desk()})


@require_safe
@cache_public_page(version_keys=(PRIVACY_DESK_VERSION_KEY,))
def privacy_requests(request: HttpRequest) -> HttpResponse:
    """How to ask for 開示・訂正・利用停止 (Art. 76 and after), with the office staff entered."""
    return render(request, "portal/privacy_requests.html", {"files": personal_data_files(), "desk": privacy_request_desk()})


@require_safe
@cache_public_page()
def accessibility(request: HttpRequest) -> HttpResponse:
    """ウェブアクセシビリティ方針: scope, target, method, and the latest test's summary."""
    results = results_load()
    criteria = criteria_results(results) if results else []
    context = {
        "results": results,
        "counts": outcome_counts(criteria),
        "criteria_total": len(JIS_AA_CRITERIA),
        "manual_checks": manual_check_list(),
    }
    return render(request, "portal/accessibility.html", context)


@require_safe
@cache_public_page()
def accessibility_test_results(request: HttpRequest) -> HttpResponse:
    """試験結果: the 達成基準チェックリスト of the latest test, read from its results file."""
    results = results_load()
    criteria = criteria_results(results) if results else []
    context = {"results": results, "criteria": criteria, "counts": outcome_counts(criteria)}
    return render(request, "portal/accessibility_results.html", context)


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


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form (settings.CSRF_FAILURE_VIEW): the portal's page in the reader's language,
    never Django's technical one, with a way back to the form on this site."""
    referer = request.META.get("HTTP_REFERER", "")
    path = urlsplit(referer).path if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}) else ""
    return render(request, "403_csrf.html", {"referer_path": path if path.startswith("/") else ""}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def admin_view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The admin's "view on site" redirect (/admin/r/…), except for rows whose public address
    is a person's own token link (a registration, a delegation's application): a staff account
    must not be handed the link that lets it act as that person. Such models say so with
    ``absolute_url_acts_for_a_person = True``."""
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist as error:
        raise Http404 from error
    if model is None or getattr(model, "absolute_url_acts_for_a_person", False):
        raise Http404
    return contenttypes_views.shortcut(request, content_type_id, object_id)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: this page must render when it is down.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
