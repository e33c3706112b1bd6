import base64
import datetime as dt

from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from municipalities.models import Prefecture
from municipalities.selectors import municipality_list
from portal.deadlines import today_jst
from portal.pagecache import cache_public_page

from . import charts, exports, opendata, selectors
from .forms import OrganizationSearchForm
from .models import ActivityCategory

PAGE_SIZE = 20
# Directory pages change when the registry does: registry_changed() bumps the version.
cache_directory_page = cache_public_page(version_keys=(selectors.REGISTRY_VERSION_KEY,))


def _search(request: HttpRequest):
    """The list's filters from the query string: (form, filtered queryset, prefectures, activities)."""
    prefectures = list(Prefecture.objects.order_by("code"))
    activities = list(ActivityCategory.objects.order_by("sort_order", "slug"))
    form = OrganizationSearchForm(request.GET, prefectures=prefectures, activities=activities)
    form.is_valid()
    organizations = selectors.organization_search(**form.filters(), activity_catalog=activities)
    return form, organizations, prefectures, activities


def not_found(request: HttpRequest, *, message: str) -> HttpResponse:
    """The site's 404 page (with its search form), saying what exactly was not found."""
    return render(request, "404.html", {"message": message}, status=404)


@require_safe
@cache_directory_page
def organization_list(request: HttpRequest) -> HttpResponse:
    form, organizations, prefectures, activities = _search(request)
    facets = selectors.organization_facets(
        organizations, prefectures=prefectures, activities=activities, selected=form.selected()
    )
    paginator = Paginator(selectors.organization_list_related(organizations), PAGE_SIZE)
    paginator.count = facets.total  # already counted with the facets: no COUNT(*) query
    page = paginator.get_page(request.GET.get("page"))
    filters = form.filters()
    suggestions = []
    if facets.total == 0 and (filters["q"] or form.data.get("q")):
        suggestions = selectors.organization_search_suggestions(
            filters=filters, typed_query=form.data.get("q", ""), activity_catalog=activities, prefectures=prefectures
        )
    return render(
        request,
        "organizations/organization_list.html",
        {
            "form": form,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "organizations": page.object_list,
            "facets": facets,
            "notices": form.ignored_notices(),
            "current": form.current(),
            "query": form.query(),
            "suggestions": suggestions,
            "municipality_candidates": form.municipality_candidates,
            # Suggestions for the municipality field once a prefecture is chosen (read only when
            # the cached filter controls are drawn anew).
            "municipality_options": SimpleLazyObject(
                lambda: list(municipality_list(prefecture_code=filters["prefecture"].code, include_wards=True))
                if filters["prefecture"]
                else []
            ),
            "filters": filters,
            "license_name": opendata.LICENSE_NAME,
            "license_url": opendata.LICENSE_URL,
        },
    )


@require_safe
@cache_directory_page
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Staff who keep the registry see a draft (with a banner saying so); everyone else a 404.
    include_drafts = request.user.has_perm("organizations.view_organization")
    organization = selectors.organization_detail(pk=pk, include_drafts=include_drafts)
    if organization is None:
        return not_found(
            request,
            message=_("番号 %(pk)s の地域運営組織は登録されていないか、公開されていません。") % {"pk": pk},
        )
    def tile_map() -> dict:
        coverage = [
            selectors.PrefectureCoverage(prefecture=p, municipalities=0, covered=0, organizations=0)
            for p in Prefecture.objects.order_by("code")
        ]
        return charts.tile_grid(coverage, highlight=organization.municipality.prefecture_id)

    case_study = getattr(organization, "case_study", None)
    return render(
        request,
        "organizations/organization_detail.html",
        {
            "organization": organization,
            "municipality": organization.municipality,
            "case_study": case_study,
            "tile_map": SimpleLazyObject(tile_map),
        },
    )


@require_safe
@cache_directory_page
def stats(request: HttpRequest) -> HttpResponse:
    totals = selectors.survey_totals_by_year()
    latest = selectors.survey_total_latest(totals)
    coverage = selectors.prefecture_coverage()
    return render(
        request,
        "organizations/organization_stats.html",
        {
            "totals": totals,
            "latest": latest,
            "chart": charts.survey_bar_chart(totals) if totals else None,
            "coverage": coverage,
            "tile_map": charts.tile_grid(coverage),
            "registry": selectors.registry_counts(),
            "registered_municipalities": sum(item.covered for item in coverage),
        },
    )


def _export_filename(extension: str) -> str:
    return f"rmo_organizations.{extension}"


def _export_refused(request: HttpRequest, reasons: list[str], *, as_json: bool) -> HttpResponse:
    if as_json:
        return JsonResponse({"errors": reasons}, status=400, json_dumps_params={"ensure_ascii": False})
    return render(request, "organizations/export_refused.html", {"reasons": reasons}, status=400)


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    form, organizations, _prefectures, _activities = _search(request)
    if reasons := form.export_refusals():
        return _export_refused(request, reasons, as_json=False)
    response = StreamingHttpResponse(exports.csv_rows(organizations), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_filename("csv")}"'
    opendata.licence_headers(response)
    return response


@require_safe
def export_json(request: HttpRequest) -> HttpResponse:
    form, organizations, _prefectures, _activities = _search(request)
    if reasons := form.export_refusals():
        return _export_refused(request, reasons, as_json=True)
    response = StreamingHttpResponse(
        exports.json_chunks(organizations, metadata=opendata.json_metadata(url=request.build_absolute_uri())),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{_export_filename("json")}"'
    opendata.licence_headers(response)
    return response


# Not cached: the list of snapshots changes when the nightly command writes one.
@require_safe
def open_data(request: HttpRequest) -> HttpResponse:
    snapshots = opendata.snapshot_list()
    page_url = opendata.open_data_url()
    return render(
        request,
        "organizations/open_data.html",
        {
            "license_name": opendata.LICENSE_NAME,
            "license_url": opendata.LICENSE_URL,
            "attribution": opendata.attribution(url=page_url, used_on=today_jst()),
            "attribution_processed": opendata.attribution_processed(url=page_url),
            "source_note": opendata.SOURCE_NOTE,
            "demo_note": opendata.DEMO_NOTE,
            "update_note": opendata.UPDATE_NOTE,
            "last_modified": selectors.registry_last_modified(),
            "registry": selectors.registry_counts(),
            "snapshots": snapshots,
            "columns": exports.COLUMNS,
            "catalogue_entry": opendata.catalogue_entry(snapshots=snapshots),
        },
    )


@require_safe
def open_data_readme(request: HttpRequest) -> HttpResponse:
    """The CSV's companion: the terms and the columns as plain text, for whoever keeps the file."""
    page_url = opendata.open_data_url()
    response = render(
        request,
        "organizations/open_data_readme.txt",
        {
            "title": opendata.DATASET_TITLE,
            "publisher": opendata.PUBLISHER,
            "page_url": page_url,
            "license_name": opendata.LICENSE_NAME,
            "license_url": opendata.LICENSE_URL,
            "attribution": opendata.attribution(url=page_url),
            "attribution_processed": opendata.attribution_processed(url=page_url),
            "source_note": opendata.SOURCE_NOTE,
            "demo_note": opendata.DEMO_NOTE,
            "update_note": opendata.UPDATE_NOTE,
            "columns": exports.COLUMNS,
        },
        content_type="text/plain; charset=utf-8",
    )
    opendata.licence_headers(response)
    return response


@require_safe
def snapshot(request: HttpRequest, day: str, extension: str) -> HttpResponse:
    try:
        file = opendata.snapshot_file(dt.date.fromisoformat(day), extension)
    except ValueError:
        file = None
    if file is None:
        return not_found(
            request,
            message=_("%(day)s のスナップショットはありません。作成済みの日付はオープンデータのページに一覧があります。")
            % {"day": day},
        )
    response = FileResponse(
        file.path.open("rb"),
        as_attachment=extension == "csv",
        filename=file.path.name,
        content_type=f"{file.media_type}; charset=utf-8",
    )
    # A dated snapshot never changes: caches may keep it.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(file.sha256)).decode()}:"  # RFC 9530
    opendata.licence_headers(response)
    return response
