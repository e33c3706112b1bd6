"""Reads shared by the directory's pages, each at a fixed number of queries."""

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from municipalities.enums import BASIC_MUNICIPALITY_KINDS
from municipalities.models import Municipality, Prefecture

from .enums import AreaType, LegalForm, OrganizationSort
from .models import ActivityCategory, CaseStudy, Organization, SurveyTotal
from .search import query_terms

SORT_ORDERINGS = {
    OrganizationSort.MUNICIPALITY: ("municipality_id", "name_kana", "id"),
    OrganizationSort.KANA: ("name_kana", "name", "id"),
    OrganizationSort.FOUNDED: ("-founded_year", "name_kana", "id"),
    OrganizationSort.UPDATED: ("-updated_at", "id"),
}


def organizations_published() -> QuerySet[Organization]:
    return Organization.objects.filter(is_published=True)


def organization_search(
    *,
    q: str = "",
    prefecture: Prefecture | None = None,
    municipality: Municipality | None = None,
    activities: Sequence[ActivityCategory] = (),
    legal_form: str = "",
    area_type: str = "",
    sort: str = "",
    queryset: QuerySet[Organization] | None = None,
) -> QuerySet[Organization]:
    """Published organizations matching every given filter, in the chosen order.

    The query is normalized like ``search_text``, so a case-sensitive ``contains`` is enough
    (and lets PostgreSQL use the pg_trgm index on the bare column). A designated city's
    code also finds the organizations in its wards.
    """
    organizations = organizations_published() if queryset is None else queryset
    for term in query_terms(q):
        organizations = organizations.filter(search_text__contains=term)
    if prefecture is not None:
        organizations = organizations.filter(municipality__prefecture=prefecture)
    if municipality is not None:
        organizations = organizations.filter(Q(municipality=municipality) | Q(municipality__parent=municipality))
    for activity in activities:
        organizations = organizations.filter(activities=activity)
    if legal_form:
        organizations = organizations.filter(legal_form=legal_form)
    if area_type:
        organizations = organizations.filter(area_type=area_type)
    ordering = SORT_ORDERINGS.get(sort, SORT_ORDERINGS[OrganizationSort.MUNICIPALITY])
    return organizations.order_by(*ordering)


def organization_list_related(organizations: QuerySet[Organization]) -> QuerySet[Organization]:
    """What a list row shows: municipality, prefecture, activities (two queries per page)."""
    return organizations.select_related("municipality__prefecture").prefetch_related(
        Prefetch("activities", queryset=ActivityCategory.objects.order_by("sort_order", "slug"))
    )


def organization_detail(*, pk: int, include_drafts: bool = False) -> Organization | None:
    organizations = Organization.objects.all() if include_drafts else organizations_published()
    return (
        organizations.select_related("municipality__prefecture", "municipality__parent", "case_study")
        .prefetch_related("activities", "funding_sources", "member_types")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class FacetItem:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facets:
    total: int = 0
    prefectures: list[FacetItem] = field(default_factory=list)
    activities: list[FacetItem] = field(default_factory=list)
    legal_forms: list[FacetItem] = field(default_factory=list)
    area_types: list[FacetItem] = field(default_factory=list)


FACET_CACHE_SECONDS = 120
_VERSION_KEY = "organizations:registry-version"


def registry_version() -> int:
    """Bumped by ``services.registry_changed()`` on every write; part of each facet cache key."""
    return cache.get_or_set(_VERSION_KEY, 1, timeout=None)


def _facet_counts(organizations: QuerySet[Organization]) -> dict:
    """Two queries: one GROUP BY over (prefecture, legal form, area type) gives the total and
    three facets in a single pass over the matching rows (at most 47 × 8 × 7 groups, summed
    here); the activity facet is counted through the link table, so a selected activity's own
    join cannot narrow it."""
    counts = {"total": 0, "pref": Counter(), "legal_form": Counter(), "area_type": Counter()}
    groups = (
        organizations.order_by()
        .values_list("municipality__prefecture_id", "legal_form", "area_type")
        .annotate(n=Count("id"))
    )
    for prefecture_code, legal_form, area_type, n in groups:
        counts["total"] += n
        counts["pref"][prefecture_code] += n
        counts["legal_form"][legal_form] += n
        counts["area_type"][area_type] += n
    counts["activity"] = dict(
        Organization.activities.through.objects.filter(organization_id__in=organizations.order_by().values("id"))
        .values("activitycategory__slug")
        .annotate(n=Count("id"))
        .values_list("activitycategory__slug", "n")
    )
    return counts


def _facet_cache_key(organizations: QuerySet[Organization]) -> str:
    sql, params = organizations.order_by().query.sql_with_params()
    digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    return f"organizations:facets:{registry_version()}:{digest}"


def organization_facets(
    organizations: QuerySet[Organization],
    *,
    prefectures: Sequence[Prefecture],
    activities: Sequence[ActivityCategory],
    selected: dict[str, Sequence[str]],
) -> Facets:
    """Facet counts and the total within the current result set.

    Counting is the costly part of a broad search (every matching row is read), and the
    answer changes only when the registry does, so it is cached under a key that includes
    the registry version. With the shared cache (REDIS_URL) a write is seen at once; with
    the per-process default cache, within FACET_CACHE_SECONDS.
    """
    key = _facet_cache_key(organizations)
    counts = cache.get(key)
    if counts is None:
        counts = _facet_counts(organizations)
        cache.set(key, counts, FACET_CACHE_SECONDS)

    def items(options, key):
        chosen = set(selected.get(key, ()))
        return [
            FacetItem(value=value, label=str(label), count=counts[key].get(value, 0), selected=value in chosen)
            for value, label in options
            if counts[key].get(value) or value in chosen
        ]

    return Facets(
        total=counts["total"],
        prefectures=items([(p.code, p.name) for p in prefectures], "pref"),
        activities=items([(a.slug, a.name) for a in activities], "activity"),
        legal_forms=items(LegalForm.choices, "legal_form"),
        area_types=items(AreaType.choices, "area_type"),
    )


def case_studies_featured(*, limit: int = 3) -> list[CaseStudy]:
    """Case studies for the home page: featured, of published organizations (one query)."""
    return list(
        CaseStudy.objects.filter(is_featured=True, organization__is_published=True)
        .select_related("organization__municipality__prefecture")
        .order_by("sort_order", "id")[:limit]
    )


def municipality_organizations(*, municipality: Municipality) -> QuerySet[Organization]:
    """A municipality's published organizations; a designated city's include its wards'."""
    return organization_list_related(
        organizations_published()
        .filter(Q(municipality=municipality) | Q(municipality__parent=municipality))
        .order_by("municipality_id", "name_kana", "id")
    )


def _covered_municipality_counts() -> QuerySet:
    """Organizations counted at the level of the 市区町村 (a ward counts for its city)."""
    return organizations_published().annotate(base_municipality=Coalesce("municipality__parent_id", "municipality_id"))


def prefecture_municipalities(*, prefecture: Prefecture) -> list[Municipality]:
    """The prefecture's 市区町村 (wards excluded), each with ``organization_count`` (two queries)."""
    counts = dict(
        _covered_municipality_counts()
        .filter(municipality__prefecture=prefecture)
        .values("base_municipality")
        .annotate(n=Count("id"))
        .values_list("base_municipality", "n")
    )
    municipalities = list(
        Municipality.objects.filter(prefecture=prefecture, kind__in=BASIC_MUNICIPALITY_KINDS).order_by("code")
    )
    for municipality in municipalities:
        municipality.organization_count = counts.get(municipality.code, 0)
    return municipalities


@dataclass(frozen=True)
class PrefectureCoverage:
    prefecture: Prefecture
    municipalities: int
    covered: int
    organizations: int

    @property
    def share(self) -> float | None:
        return self.covered / self.municipalities if self.municipalities else None


def prefecture_coverage() -> list[PrefectureCoverage]:
    """Share of each prefecture's 市区町村 with at least one published organization (three queries)."""
    covered_rows = (
        _covered_municipality_counts()
        .values("municipality__prefecture_id")
        .annotate(covered=Count("base_municipality", distinct=True), organizations=Count("id"))
        .values_list("municipality__prefecture_id", "covered", "organizations")
    )
    covered = {code: (c, n) for code, c, n in covered_rows}
    totals = dict(
        Municipality.objects.filter(kind__in=BASIC_MUNICIPALITY_KINDS)
        .values("prefecture_id")
        .annotate(n=Count("code"))
        .values_list("prefecture_id", "n")
    )
    return [
        PrefectureCoverage(
            prefecture=prefecture,
            municipalities=totals.get(prefecture.code, 0),
            covered=covered.get(prefecture.code, (0, 0))[0],
            organizations=covered.get(prefecture.code, (0, 0))[1],
        )
        for prefecture in Prefecture.objects.order_by("code")
    ]


def survey_totals_by_year() -> list[SurveyTotal]:
    """Every fiscal year from the first to the last recorded, gaps as empty placeholders."""
    recorded = {total.fiscal_year: total for total in SurveyTotal.objects.order_by("fiscal_year")}
    if not recorded:
        return []
    return [
        recorded.get(year) or SurveyTotal(fiscal_year=year)
        for year in range(min(recorded), max(recorded) + 1)
    ]


def survey_total_latest(totals: Sequence[SurveyTotal]) -> SurveyTotal | None:
    with_figure = [total for total in totals if total.organizations is not None]
    return with_figure[-1] if with_figure else None
