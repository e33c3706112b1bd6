"""Every write to the registry goes through here, so ``search_text`` is never stale."""

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality

from .models import ActivityCategory, CaseStudy, FundingCategory, MemberType, Organization
from .search import build_search_text

ORGANIZATION_FIELDS = frozenset(
    {
        "name",
        "name_kana",
        "area_type",
        "legal_form",
        "organization_type",
        "founded_year",
        "has_base",
        "base_is_public_facility",
        "contact",
        "website",
        "description",
        "survey_year",
        "source",
        "is_published",
        "is_demo",
    }
)


def registry_changed() -> None:
    """Invalidate cached facet counts after any write to the registry (see selectors)."""
    from .selectors import _VERSION_KEY

    try:
        cache.incr(_VERSION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(_VERSION_KEY, 2, timeout=None)


class OrganizationError(Exception):
    """A registry rule was broken; ``message`` is translated and safe to show."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def organization_search_text_refresh(*, organization: Organization) -> None:
    """Recompute ``search_text`` in memory; the caller saves (admin, import, bulk loads)."""
    organization.search_text = build_search_text(
        name=organization.name,
        name_kana=organization.name_kana,
        description=organization.description,
        municipality_name=organization.municipality.name if organization.municipality_id else "",
    )


def _check_unique(*, municipality: Municipality, name: str, exclude_pk: int | None = None) -> None:
    duplicates = Organization.objects.filter(municipality=municipality, name=name)
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        raise OrganizationError(
            _("%(municipality)sには「%(name)s」がすでに登録されています。") % {"municipality": municipality.name, "name": name}
        )


def _set_relations(
    organization: Organization,
    *,
    activities: Iterable[ActivityCategory] | None,
    funding_sources: Iterable[FundingCategory] | None,
    member_types: Iterable[MemberType] | None,
) -> None:
    if activities is not None:
        organization.activities.set(activities)
    if funding_sources is not None:
        organization.funding_sources.set(funding_sources)
    if member_types is not None:
        organization.member_types.set(member_types)


@transaction.atomic
def organization_create(
    *,
    municipality: Municipality,
    name: str,
    activities: Iterable[ActivityCategory] = (),
    funding_sources: Iterable[FundingCategory] = (),
    member_types: Iterable[MemberType] = (),
    **fields,
) -> Organization:
    unknown = set(fields) - ORGANIZATION_FIELDS
    if unknown:
        raise TypeError(f"unknown organization fields: {sorted(unknown)}")
    name = name.strip()
    if not name:
        raise OrganizationError(_("名称を入力してください。"))
    _check_unique(municipality=municipality, name=name)
    organization = Organization(municipality=municipality, name=name, **fields)
    organization_search_text_refresh(organization=organization)
    organization.full_clean(validate_unique=False, validate_constraints=False)
    organization.save()
    _set_relations(organization, activities=activities, funding_sources=funding_sources, member_types=member_types)
    transaction.on_commit(registry_changed)
    return organization


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    municipality: Municipality | None = None,
    activities: Iterable[ActivityCategory] | None = None,
    funding_sources: Iterable[FundingCategory] | None = None,
    member_types: Iterable[MemberType] | None = None,
    **fields,
) -> Organization:
    unknown = set(fields) - ORGANIZATION_FIELDS
    if unknown:
        raise TypeError(f"unknown organization fields: {sorted(unknown)}")
    if municipality is not None:
        organization.municipality = municipality
    for field, value in fields.items():
        setattr(organization, field, value)
    organization.name = organization.name.strip()
    _check_unique(municipality=organization.municipality, name=organization.name, exclude_pk=organization.pk)
    organization_search_text_refresh(organization=organization)
    organization.full_clean(validate_unique=False, validate_constraints=False)
    organization.save()
    _set_relations(organization, activities=activities, funding_sources=funding_sources, member_types=member_types)
    transaction.on_commit(registry_changed)
    return organization


def organization_set_published(*, organizations: QuerySet[Organization], is_published: bool) -> int:
    """Publish or withdraw many records at once; returns how many changed."""
    changed = organizations.exclude(is_published=is_published).update(is_published=is_published)
    transaction.on_commit(registry_changed)
    return changed


def organization_search_text_rebuild(*, batch_size: int = 2000) -> int:
    """Recompute every ``search_text`` (after a change to the normalization rules)."""
    changed = 0
    batch: list[Organization] = []
    for organization in Organization.objects.select_related("municipality").iterator(chunk_size=batch_size):
        before = organization.search_text
        organization_search_text_refresh(organization=organization)
        if organization.search_text != before:
            batch.append(organization)
        if len(batch) >= batch_size:
            Organization.objects.bulk_update(batch, ["search_text"])
            changed += len(batch)
            batch = []
    if batch:
        Organization.objects.bulk_update(batch, ["search_text"])
        changed += len(batch)
    return changed


@transaction.atomic
def case_study_set(*, organization: Organization, title: str, body: str, source: str = "", is_featured: bool = True) -> CaseStudy:
    case_study, _created = CaseStudy.objects.update_or_create(
        organization=organization,
        defaults={"title": title, "body": body, "source": source, "is_featured": is_featured},
    )
    return case_study


# ---------------------------------------------------------------- reference and demo data

CATEGORY_MODELS = {"activities": ActivityCategory, "funding": FundingCategory, "member_types": MemberType}


@transaction.atomic
def categories_load(*, data: dict) -> int:
    """Create or rename the categories listed in ``data``; staff additions are left alone."""
    count = 0
    for key, model in CATEGORY_MODELS.items():
        for order, (slug, name) in enumerate(data.get(key, []), start=1):
            model.objects.update_or_create(slug=slug, defaults={"name": name, "sort_order": order * 10})
            count += 1
    transaction.on_commit(registry_changed)
    return count


def _int_or_none(value: str) -> int | None:
    value = (value or "").strip().replace(",", "")
    return int(value) if value else None


@transaction.atomic
def survey_totals_load(*, rows: Iterable[dict]) -> int:
    """Load the survey CSV; years between recorded ones get empty rows that staff can fill
    in, and a figure staff entered for such a year is never blanked by a reload."""
    from .models import SurveyTotal

    years = []
    for row in rows:
        year = int(row["fiscal_year"])
        years.append(year)
        SurveyTotal.objects.update_or_create(
            fiscal_year=year,
            defaults={
                "era_label": row.get("era_label", ""),
                "organizations": _int_or_none(row.get("organizations", "")),
                "municipalities_with_rmo": _int_or_none(row.get("municipalities_with_rmo", "")),
                "municipalities_surveyed": _int_or_none(row.get("municipalities_surveyed", "")),
                "source": row.get("source", ""),
            },
        )
    for year in range(min(years), max(years) + 1) if years else ():
        if year not in years:
            SurveyTotal.objects.get_or_create(fiscal_year=year, defaults={"era_label": _era_label(year)})
    return len(years)


def _era_label(fiscal_year: int) -> str:
    if fiscal_year >= 2019:
        reiwa = fiscal_year - 2018
        return "令和元年度" if reiwa == 1 else f"令和{reiwa}年度"
    return f"平成{fiscal_year - 1988}年度"


@transaction.atomic
def demo_organizations_load(*, data: dict) -> tuple[list[Organization], list[str]]:
    """Create or update the real organizations named in the seed document, marked as demo.

    Returns the organizations loaded and the municipality codes that were missing (the
    municipality master must be loaded first).
    """
    loaded, missing = [], []
    for entry in data["organizations"]:
        municipality = Municipality.objects.filter(code=entry["municipality_code"]).first()
        if municipality is None:
            missing.append(entry["municipality_code"])
            continue
        fields = {
            "name_kana": entry.get("name_kana", ""),
            "legal_form": entry.get("legal_form", ""),
            "description": entry.get("description", ""),
            "source": entry.get("source", ""),
            "is_published": True,
            "is_demo": True,
        }
        activities = list(ActivityCategory.objects.filter(slug__in=entry.get("activities", [])))
        existing = Organization.objects.filter(municipality=municipality, name=entry["name"]).first()
        if existing is None:
            organization = organization_create(
                municipality=municipality, name=entry["name"], activities=activities, **fields
            )
        else:
            organization = organization_update(organization=existing, activities=activities, **fields)
        if case := entry.get("case_study"):
            case_study_set(organization=organization, title=case["title"], body=case["body"], source=case["source"])
        loaded.append(organization)
    return loaded, missing
