"""Reads shared by the directory's pages, each at a fixed number of queries."""

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from municipalities.enums import BASIC_MUNICIPALITY_KINDS
from municipalities.models import Municipality, Prefecture
from municipalities.selectors import municipality_lookup
from portal.pagecache import version_current

from .enums import OPEN_REVISION_STATUSES, AreaType, LegalForm, OrganizationSort, RevisionStatus
from .models import (
    ActivityCategory,
    CaseStudy,
    FundingCategory,
    ListingRevision,
    MemberType,
    Organization,
    SurveyTotal,
)
from .search import normalize, query_terms, romaji_to_kana
from .survey_sources import source_note

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
    activity_catalog: Sequence[ActivityCategory] | None = None,
) -> QuerySet[Organization]:
    """Published organizations matching every given filter, in the chosen order.

    Each word of ``q`` must match: the name, the reading, where the organization is (its
    municipality, designated city and prefecture, with their readings: see search.place_text),
    its description, or the name of one of its activities (買い物支援, 防災). The query is
    normalized like ``search_text``, so a case-sensitive ``contains`` is enough (and lets
    PostgreSQL use the pg_trgm index on the bare column). Activity names are matched against
    ``activity_catalog`` (the categories the page already loaded; read here when not given).
    A designated city's code also finds the organizations in its wards.
    """
    organizations = organizations_published() if queryset is None else queryset
    terms = query_terms(q)
    if terms and activity_catalog is None:
        activity_catalog = list(ActivityCategory.objects.all())
    for term in terms:
        named = [category.pk for category in activity_catalog if term in normalize(category.name)]
        if named:
            with_activity = Organization.activities.through.objects.filter(activitycategory_id__in=named)
            organizations = organizations.filter(
                Q(search_text__contains=term) | Q(pk__in=with_activity.values("organization_id"))
            )
        else:
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
    return organizations.select_related("municipality__prefecture", "municipality__parent").prefetch_related(
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
REGISTRY_VERSION_KEY = "organizations:registry-version"


def registry_version() -> int:
    """Bumped by ``services.registry_changed()`` on every write; part of each facet cache key."""
    return version_current(REGISTRY_VERSION_KEY)


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
        prefectures=items([(p.code, p.local_name) for p in prefectures], "pref"),
        activities=items([(a.slug, a.name) for a in activities], "activity"),
        legal_forms=items(LegalForm.choices, "legal_form"),
        area_types=items(AreaType.choices, "area_type"),
    )


@dataclass(frozen=True)
class SearchSuggestion:
    """What to try when a search finds nothing: another search (``query``) or a page (``url``)."""

    label: str
    query: QueryDict | None = None
    url: str = ""


def organization_search_suggestions(
    *, filters: dict, typed_query: str, activity_catalog: Sequence[ActivityCategory], prefectures: Sequence[Prefecture]
) -> list[SearchSuggestion]:
    """For a search that found nothing (a few more queries, only then): the reading in kana
    of a query typed in Latin letters, the municipality pages the query names, and the same
    words without the filters, each offered only if it finds something."""
    suggestions: list[SearchSuggestion] = []
    q = filters.get("q", "")
    narrowed = any(filters.get(name) for name in ("prefecture", "municipality", "activities", "legal_form", "area_type"))
    kana = romaji_to_kana(typed_query.strip())
    if kana and organization_search(**{**filters, "q": kana}, activity_catalog=activity_catalog).exists():
        suggestions.append(SearchSuggestion(label=str(_("かなの「%(kana)s」で探す") % {"kana": kana}), query=QueryDict.fromkeys(["q"], kana)))
    if q:
        for municipality in municipality_lookup(text=typed_query, prefectures=prefectures)[:3]:
            suggestions.append(
                SearchSuggestion(
                    label=str(_("%(name)sのページを見る") % {"name": municipality.full_name}),
                    url=municipality.get_absolute_url(),
                )
            )
    if q and narrowed:
        found = organization_search(q=q, activity_catalog=activity_catalog).count()
        if found:
            suggestions.append(
                SearchSuggestion(
                    label=str(_("絞り込みを外して「%(q)s」で探す（%(count)s件）") % {"q": typed_query.strip(), "count": found}),
                    query=QueryDict.fromkeys(["q"], typed_query.strip()),
                )
            )
    return suggestions


def case_studies_featured(*, limit: int = 3) -> list[CaseStudy]:
    """Case studies for the home page: featured, of published organizations (one query)."""
    return list(
        CaseStudy.objects.filter(is_featured=True, organization__is_published=True)
        .select_related("organization__municipality__prefecture", "organization__municipality__parent")
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
    """Every fiscal year from the first to the last recorded, gaps as empty placeholders;
    each carries ``source_note``, the source as the page shows it (in Japanese, translatable)."""
    recorded = {total.fiscal_year: total for total in SurveyTotal.objects.order_by("fiscal_year")}
    if not recorded:
        return []
    totals = [recorded.get(year) or SurveyTotal(fiscal_year=year) for year in range(min(recorded), max(recorded) + 1)]
    for total in totals:
        total.source_note = source_note(total)
    return totals


def survey_total_latest(totals: Sequence[SurveyTotal]) -> SurveyTotal | None:
    with_figure = [total for total in totals if total.organizations is not None]
    return with_figure[-1] if with_figure else None


@dataclass(frozen=True)
class RegistryCounts:
    """What this portal holds, beside the survey's count: every organization registered,
    those published, and the demo ones among the published."""

    registered: int
    published: int
    published_demo: int


def registry_counts() -> RegistryCounts:
    """One query."""
    counts = Organization.objects.aggregate(
        registered=Count("id"),
        published=Count("id", filter=Q(is_published=True)),
        published_demo=Count("id", filter=Q(is_published=True, is_demo=True)),
    )
    return RegistryCounts(**counts)


def registry_last_modified() -> dt.datetime | None:
    """When a published listing last changed: the open data's 最終更新."""
    return Organization.objects.filter(is_published=True).aggregate(last=Max("updated_at"))["last"]


# ---------------------------------------------------------------- listings: /manage/ pages


@dataclass
class ManagedMunicipality:
    """One municipality on the editor's dashboard: its listings and its proposals of new ones."""

    municipality: Municipality
    organizations: list[Organization] = field(default_factory=list)
    new_revisions: list[ListingRevision] = field(default_factory=list)


def manage_dashboard(*, municipalities: QuerySet[Municipality]) -> list[ManagedMunicipality]:
    """Listings (published or not) of ``municipalities``, each with the status of its latest
    proposal when that one is still open or was returned; plus the open or returned proposals
    of new RMOs. Three queries, however many rows.

    ``municipalities`` comes from accounts.selectors.municipalities_editable_by, narrowed by the view.
    """
    groups = {m.code: ManagedMunicipality(municipality=m) for m in municipalities.order_by("code")}
    latest = ListingRevision.objects.filter(organization=OuterRef("pk")).order_by("-id")
    organizations = (
        Organization.objects.filter(municipality__in=list(groups))
        .annotate(
            latest_revision_id=Subquery(latest.values("id")[:1]),
            latest_revision_status=Subquery(latest.values("status")[:1]),
            latest_revision_comment=Subquery(latest.values("review_comment")[:1]),
        )
        .order_by("municipality_id", "name_kana", "id")
    )
    for organization in organizations:
        status = organization.latest_revision_status
        if status == RevisionStatus.PUBLISHED:
            organization.latest_revision_id = organization.latest_revision_status = None
        if status != RevisionStatus.RETURNED:
            organization.latest_revision_comment = ""  # only a returned proposal's comment asks for work
        organization.latest_revision_label = RevisionStatus(status).label if organization.latest_revision_status else ""
        groups[organization.municipality_id].organizations.append(organization)
    new_revisions = (
        ListingRevision.objects.filter(organization__isnull=True, municipality__in=list(groups))
        .filter(Q(status__in=OPEN_REVISION_STATUSES) | Q(status=RevisionStatus.RETURNED, next_revisions__isnull=True))
        .order_by("municipality_id", "-id")
    )
    for revision in new_revisions:
        groups[revision.municipality_id].new_revisions.append(revision)
    return list(groups.values())


def review_queue() -> list[ListingRevision]:
    """Submitted proposals, oldest first (one query)."""
    return list(
        ListingRevision.objects.filter(status=RevisionStatus.SUBMITTED)
        .select_related("municipality__prefecture", "municipality__parent", "organization", "submitted_by")
        .order_by("submitted_at", "id")
    )


def revision_detail(*, pk: int) -> ListingRevision | None:
    return (
        ListingRevision.objects.select_related(
            "municipality__prefecture", "municipality__parent", "organization__municipality__prefecture",
            "organization__municipality__parent", "submitted_by", "reviewed_by", "created_by",
        )  # fmt: skip
        .prefetch_related("activities", "funding_sources", "member_types")
        .filter(pk=pk)
        .first()
    )


def revision_open_for(*, organization: Organization) -> ListingRevision | None:
    """The draft or submitted proposal of ``organization``, if any (at most one: UniqueConstraint)."""
    return (
        ListingRevision.objects.filter(organization=organization, status__in=OPEN_REVISION_STATUSES)
        .prefetch_related("activities", "funding_sources", "member_types")
        .first()
    )


def revision_returned_latest(*, organization: Organization) -> ListingRevision | None:
    """The latest proposal of ``organization`` when it was returned (its comment is still news)."""
    latest = ListingRevision.objects.filter(organization=organization).order_by("-id").first()
    return latest if latest is not None and latest.status == RevisionStatus.RETURNED else None


# Field by field, what a reviewer compares and the history shows: (field name, label).
LISTING_DIFF_FIELDS = (
    "municipality", "name", "name_kana", "area_type", "legal_form", "organization_type", "founded_year",
    "member_types", "has_base", "base_is_public_facility", "activities", "funding_sources", "contact",
    "website", "description",
)  # fmt: skip
HISTORY_EXTRA_FIELDS = ("survey_year", "source", "is_published", "is_demo")
RELATION_FIELDS = {"activities": "activitycategory", "funding_sources": "fundingcategory", "member_types": "membertype"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str
    changed: bool = True


def _display(model, name: str, value, *, categories: dict | None = None, municipalities: dict | None = None) -> str:
    """A field's value as the pages show it (choice labels, はい/いいえ, category names)."""
    if name in RELATION_FIELDS:
        names = [categories[name][pk] for pk in sorted(value) if pk in categories[name]]
        return "、".join(names)
    if name == "municipality":
        municipality = municipalities.get(value) if municipalities else None
        return municipality.full_name if municipality else (value or "")
    model_field = model._meta.get_field(name)
    if value is None or value == "":
        return ""
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("はい") if value else _("いいえ"))
    return str(value)


def _category_names() -> dict[str, dict[int, str]]:
    return {
        "activities": dict(ActivityCategory.objects.values_list("pk", "name")),
        "funding_sources": dict(FundingCategory.objects.values_list("pk", "name")),
        "member_types": dict(MemberType.objects.values_list("pk", "name")),
    }


def _values_of(obj) -> dict:
    """The compared values of an Organization or a ListingRevision (relations prefetched)."""
    values = {name: getattr(obj, name) for name in LISTING_DIFF_FIELDS if name not in RELATION_FIELDS}
    values["municipality"] = obj.municipality_id
    for name in RELATION_FIELDS:
        values[name] = {item.pk for item in getattr(obj, name).all()}
    return values


def revision_changes(revision: ListingRevision) -> list[FieldChange]:
    """Every compared field: the published value, the proposed one, and whether they differ.

    Against the organization as published now (not as it was when the draft began), so the
    reviewer sees exactly what approval would write.
    """
    proposed = _values_of(revision)
    organization = None
    if revision.organization_id is not None:
        organization = (
            Organization.objects.select_related("municipality__prefecture", "municipality__parent")
            .prefetch_related("activities", "funding_sources", "member_types")
            .get(pk=revision.organization_id)
        )
    published = _values_of(organization) if organization is not None else {name: None for name in LISTING_DIFF_FIELDS}
    for name in RELATION_FIELDS:
        published[name] = published[name] or set()
    municipalities = {revision.municipality_id: revision.municipality}
    if organization is not None:
        municipalities[organization.municipality_id] = organization.municipality
    categories = _category_names()
    kwargs = {"categories": categories, "municipalities": municipalities}
    changes = []
    for name in LISTING_DIFF_FIELDS:
        if organization is None:  # a new RMO: what it fills in is what changes
            changed = proposed[name] not in ("", None, set())
        else:
            changed = published[name] != proposed[name]
        changes.append(
            FieldChange(
                field=name,
                label=str(ListingRevision._meta.get_field(name).verbose_name),
                old=_display(Organization, name, published[name], **kwargs),
                new=_display(Organization, name, proposed[name], **kwargs),
                changed=changed,
            )
        )
    return changes


@dataclass
class HistoryEntry:
    version: object  # a HistoricalOrganization row
    changes: list[FieldChange]
    is_current: bool = False

    @property
    def history_id(self) -> int:
        return self.version.history_id


def organization_history(*, organization: Organization) -> list[HistoryEntry]:
    """The organization's versions, newest first, each with what changed against the one before.

    Scalar fields are compared by simple-history's ``diff_against``; the categories are read
    for all versions at once (one query per relation), so the page costs a fixed number of queries.
    """
    versions = list(organization.history.select_related("history_user").order_by("history_date", "history_id"))
    history_ids = [version.history_id for version in versions]
    related: dict[str, dict[int, set[int]]] = {}
    for name, target in RELATION_FIELDS.items():
        history_model = getattr(Organization.history.model, name).model
        links = history_model.objects.filter(history_id__in=history_ids).values_list("history_id", f"{target}_id")
        by_version: dict[int, set[int]] = {history_id: set() for history_id in history_ids}
        for history_id, target_id in links:
            by_version[history_id].add(target_id)
        related[name] = by_version
    municipalities = {
        m.code: m
        for m in Municipality.objects.select_related("prefecture", "parent").filter(
            code__in={version.municipality_id for version in versions}
        )
    }
    categories = _category_names()
    scalar_fields = [name for name in (*LISTING_DIFF_FIELDS, *HISTORY_EXTRA_FIELDS) if name not in RELATION_FIELDS]
    kwargs = {"categories": categories, "municipalities": municipalities}
    entries = []
    previous = None
    for version in versions:
        changes = []
        if previous is not None:
            delta = version.diff_against(previous, included_fields=scalar_fields)
            for change in delta.changes:
                label = str(Organization._meta.get_field(change.field).verbose_name)
                changes.append(
                    FieldChange(
                        field=change.field,
                        label=label,
                        old=_display(Organization, change.field, change.old, **kwargs),
                        new=_display(Organization, change.field, change.new, **kwargs),
                    )
                )
            for name in RELATION_FIELDS:
                before, after = related[name][previous.history_id], related[name][version.history_id]
                if before != after:
                    changes.append(
                        FieldChange(
                            field=name,
                            label=str(Organization._meta.get_field(name).verbose_name),
                            old=_display(Organization, name, before, **kwargs),
                            new=_display(Organization, name, after, **kwargs),
                        )
                    )
            order = {name: index for index, name in enumerate((*LISTING_DIFF_FIELDS, *HISTORY_EXTRA_FIELDS))}
            changes.sort(key=lambda change: order.get(change.field, len(order)))
        entries.append(HistoryEntry(version=version, changes=changes))
        previous = version
    if entries:
        entries[-1].is_current = True
    return entries[::-1]
