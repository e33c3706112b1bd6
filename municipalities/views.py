from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from organizations import selectors as organization_selectors
from organizations.views import cache_directory_page, not_found
from seminars.selectors import seminar_participation_for_municipality
from summits.selectors import summit_participation_for_municipality

from .codes import code_parse, prefecture_code_parse
from .enums import MunicipalityKind
from .models import Municipality, Prefecture
from .selectors import wards_of

PAGE_SIZE = 50


@require_safe
@cache_directory_page
def municipality_detail(request: HttpRequest, code: str) -> HttpResponse:
    canonical = code_parse(code)
    if canonical and canonical != code:
        return redirect("municipalities:municipality_detail", code=canonical)
    municipality = (
        Municipality.objects.select_related("prefecture", "parent").filter(code=canonical).first() if canonical else None
    )
    if municipality is None:
        return not_found(
            request,
            message=_(
                "「%(code)s」に当たる市区町村はありません。6桁の全国地方公共団体コード（例：長野市は 202011）で指定してください。"
            )
            % {"code": code[:20]},
        )
    organizations = organization_selectors.municipality_organizations(municipality=municipality)
    page = Paginator(organizations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "municipalities/municipality_detail.html",
        {
            "municipality": municipality,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "query": QueryDict(),  # the page links carry the page number only
            "wards": list(wards_of(city=municipality)) if municipality.kind == MunicipalityKind.DESIGNATED_CITY else [],
            "organizations": page.object_list,
            "seminars_attended": seminar_participation_for_municipality(municipality=municipality),
            "summits_attended": summit_participation_for_municipality(municipality=municipality),
        },
    )


@require_safe
@cache_directory_page
def prefecture_detail(request: HttpRequest, code: str) -> HttpResponse:
    canonical = prefecture_code_parse(code)
    if canonical and canonical != code:
        return redirect("municipalities:prefecture_detail", code=canonical)
    prefecture = Prefecture.objects.filter(code=canonical).first() if canonical else None
    if prefecture is None:
        return not_found(
            request,
            message=_("「%(code)s」に当たる都道府県はありません。01（北海道）から47（沖縄県）までの2桁のコードで指定してください。")
            % {"code": code[:20]},
        )
    municipalities = organization_selectors.prefecture_municipalities(prefecture=prefecture)
    return render(
        request,
        "municipalities/prefecture_detail.html",
        {
            "prefecture": prefecture,
            "with_organizations": [m for m in municipalities if m.organization_count],
            "without_organizations": [m for m in municipalities if not m.organization_count],
        },
    )
