"""Every write to the registry goes through here, so ``search_text`` is never stale and every
change leaves exactly one history row (who, when, why; see ``_history_record``)."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality
from portal.errors import DomainError
from portal.mail import schedule_mail
from portal.pagecache import version_bump

from .enums import OPEN_REVISION_STATUSES, RevisionStatus
from .models import (
    ORGANIZATION_HISTORY,
    ActivityCategory,
    CaseStudy,
    FundingCategory,
    ListingRevision,
    MemberType,
    Organization,
)
from .search import build_search_text, municipality_place_text

# The Organization fields a municipality maintains (through /manage/ proposals); the rest
# (survey year, source, publication, demo flag) stay with the ministry.
LISTING_FIELDS = (
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
)
CATEGORY_RELATIONS = ("activities", "funding_sources", "member_types")
ORGANIZATION_FIELDS = frozenset({*LISTING_FIELDS, "survey_year", "source", "is_published", "is_demo"})


def registry_changed() -> None:
    """Invalidate cached facet counts after any write to the registry (see selectors)."""
    from .selectors import REGISTRY_VERSION_KEY

    version_bump(REGISTRY_VERSION_KEY)


class OrganizationError(DomainError):
    """A registry rule was broken; ``message`` is translated and safe to show."""


def organization_search_text_refresh(*, organization: Organization) -> None:
    """Recompute ``search_text`` in memory; the caller saves (admin, import, bulk loads)."""
    organization.search_text = build_search_text(
        name=organization.name,
        name_kana=organization.name_kana,
        description=organization.description,
        place=municipality_place_text(organization.municipality) if organization.municipality_id else (),
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


def _history_record(organization: Organization, *, history_type: str, history_user, change_reason: str) -> None:
    """One history row with the fields and categories as they are after the write.

    The write itself runs with ``skip_history_when_saving``: left alone, simple-history
    would add a row for the save and one per category ``set()``, and the row of the save
    would hold the categories as they were before.
    """
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    if history_user is not None:
        organization._history_user = history_user
    organization._change_reason = change_reason or None
    try:
        ORGANIZATION_HISTORY.create_historical_record(organization, history_type)
    finally:
        organization.__dict__.pop("_history_user", None)
        organization.__dict__.pop("_change_reason", None)


def organization_history_record(*, organization: Organization, history_type: str, history_user, change_reason) -> None:
    """For writers outside this module that saved with ``skip_history_when_saving`` (the admin)."""
    _history_record(
        organization, history_type=history_type, history_user=history_user, change_reason=_in_site_language(change_reason)
    )


def organization_history_bulk_record(*, organizations: list[Organization], change_reason: str, batch_size: int = 2000) -> None:
    """"Created" history rows, categories included, for organizations written with bulk_create
    (which sends no signals): the generator of demo data. Same rows as the baseline of
    migration 0002."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True) or not organizations:
        return
    rows = Organization.history.bulk_history_create(
        organizations, batch_size=batch_size, default_change_reason=_in_site_language(change_reason)
    )
    history_of = {row.id: row for row in rows}
    targets = {"activities": "activitycategory", "funding_sources": "fundingcategory", "member_types": "membertype"}
    for relation, target in targets.items():
        history_model = getattr(Organization.history.model, relation).model
        links = (
            getattr(Organization, relation)
            .through.objects.filter(organization_id__in=list(history_of))
            .values_list("id", "organization_id", f"{target}_id")
        )
        history_model.objects.bulk_create(
            [
                history_model(
                    id=link, history=history_of[organization_id], organization_id=organization_id, **{f"{target}_id": item}
                )
                for link, organization_id, item in links
            ],
            batch_size=batch_size * 4,
        )


_NOT_COMPARED = {"updated_at", "search_text"}


def _snapshot(organization: Organization, *, relations: dict | None = None, current: dict | None = None) -> tuple:
    """The organization's own values and category ids, to tell whether an update changes anything.

    ``relations`` overrides the stored categories with the requested ones; ``current`` holds
    the stored ones already read, so that they are not read twice.
    """
    values = {
        field.attname: getattr(organization, field.attname)
        for field in Organization._meta.concrete_fields
        if field.name not in _NOT_COMPARED
    }
    if current is None:
        current = {name: sorted(getattr(organization, name).values_list("pk", flat=True)) for name in CATEGORY_RELATIONS}
    categories = dict(current)
    for name, items in (relations or {}).items():
        categories[name] = sorted(item.pk for item in items)
    return values, categories


def _save_with_relations(organization: Organization, **relations) -> None:
    organization.skip_history_when_saving = True
    try:
        organization.save()
        _set_relations(organization, **relations)
    finally:
        del organization.skip_history_when_saving


@transaction.atomic
def organization_create(
    *,
    municipality: Municipality,
    name: str,
    activities: Iterable[ActivityCategory] = (),
    funding_sources: Iterable[FundingCategory] = (),
    member_types: Iterable[MemberType] = (),
    history_user=None,
    change_reason: str = "",
    **fields,
) -> Organization:
    """``history_user`` defaults to the request's user (simple-history's middleware)."""
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
    _save_with_relations(organization, activities=activities, funding_sources=funding_sources, member_types=member_types)
    _history_record(organization, history_type="+", history_user=history_user, change_reason=change_reason)
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
    history_user=None,
    change_reason: str = "",
    **fields,
) -> Organization:
    unknown = set(fields) - ORGANIZATION_FIELDS
    if unknown:
        raise TypeError(f"unknown organization fields: {sorted(unknown)}")
    # Iterables may be generators: read each once, here.
    activities, funding_sources, member_types = (
        None if items is None else list(items) for items in (activities, funding_sources, member_types)
    )
    before = _snapshot(organization)
    if municipality is not None:
        organization.municipality = municipality
    for field, value in fields.items():
        setattr(organization, field, value)
    organization.name = organization.name.strip()
    requested = {"activities": activities, "funding_sources": funding_sources, "member_types": member_types}
    after = _snapshot(organization, relations={k: v for k, v in requested.items() if v is not None}, current=before[1])
    if after == before:
        # Nothing changes: no write, no history row (re-running an import or a loader is a no-op).
        return organization
    _check_unique(municipality=organization.municipality, name=organization.name, exclude_pk=organization.pk)
    organization_search_text_refresh(organization=organization)
    organization.full_clean(validate_unique=False, validate_constraints=False)
    _save_with_relations(organization, activities=activities, funding_sources=funding_sources, member_types=member_types)
    _history_record(organization, history_type="~", history_user=history_user, change_reason=change_reason)
    transaction.on_commit(registry_changed)
    return organization


@transaction.atomic
def organization_set_published(*, organizations: QuerySet[Organization], is_published: bool, history_user=None) -> int:
    """Publish or withdraw many records at once; returns how many changed.

    Row by row rather than one UPDATE, so each change is in the history like any other.
    """
    pks = organizations.exclude(is_published=is_published).values("pk")  # may be DISTINCT (admin filters)
    changed = list(Organization.objects.filter(pk__in=pks).order_by("pk").select_for_update())
    reason = _in_site_language(_("公開") if is_published else _("非公開"))
    for organization in changed:
        organization.is_published = is_published
        organization.save_without_historical_record(update_fields=["is_published", "updated_at"])
        _history_record(organization, history_type="~", history_user=history_user, change_reason=reason)
    transaction.on_commit(registry_changed)
    return len(changed)


def organization_search_text_rebuild(*, batch_size: int = 2000) -> int:
    """Recompute every ``search_text`` (after a change to the normalization rules or to the
    municipality master's names: ``manage.py rebuild_search_text``)."""
    changed = 0
    batch: list[Organization] = []
    organizations = Organization.objects.select_related("municipality__prefecture", "municipality__parent")
    for organization in organizations.iterator(chunk_size=batch_size):
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


# ---------------------------------------------------------------- listings: municipality self-service
#
# A municipality proposes a listing as a ListingRevision: 下書き (draft) → 審査待ち (submitted)
# → 公開済み (published, applied to the Organization) or 差し戻し (returned with a comment).
# Each function asks the rules in accounts/rules.py itself and raises PermissionDenied (a 403
# page) when they say no: a view cannot forget the check.

EDIT_LISTING = "organizations.edit_listing"
REVIEW_LISTING = "organizations.review_listing"
MAIL_REVISION_REVIEWED = "organizations.revision_reviewed"

REVISION_FIELDS = LISTING_FIELDS
REVISION_RELATIONS = CATEGORY_RELATIONS


def _require(user, permission: str, target=None) -> None:
    if not user.has_perm(permission, target):
        raise PermissionDenied


def _revision_locked(revision: ListingRevision) -> ListingRevision:
    # of=("self",): the organization is a nullable (outer) join, which PostgreSQL cannot lock.
    return (
        ListingRevision.objects.select_for_update(of=("self",))
        .select_related("organization__municipality", "municipality", "submitted_by")
        .get(pk=revision.pk)
    )


def _organization_locked(pk: int) -> Organization:
    return Organization.objects.select_for_update(of=("self",)).select_related("municipality").get(pk=pk)


def _require_edit(user, revision: ListingRevision) -> None:
    """The editor must cover both the proposal's municipality and the listing's current one."""
    _require(user, EDIT_LISTING, revision.municipality)
    if revision.organization_id is not None:
        _require(user, EDIT_LISTING, revision.organization)


def _in_site_language(message, **params) -> str:
    """History reasons are stored data: always in the site's language, whoever wrote them."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % params if params else str(message)


@transaction.atomic
def listing_draft_save(
    *,
    user,
    municipality: Municipality,
    organization: Organization | None = None,
    revision: ListingRevision | None = None,
    activities: Iterable[ActivityCategory] = (),
    funding_sources: Iterable[FundingCategory] = (),
    member_types: Iterable[MemberType] = (),
    **values,
) -> ListingRevision:
    """Save the proposed values as a draft and return it.

    ``revision``: continue that draft. ``organization``: edit its open draft, or start one.
    Neither: a draft of a new RMO. The organization's row is locked while its open draft is
    looked up, so two tabs cannot start two drafts (the UniqueConstraint backs this).
    """
    unknown = set(values) - set(REVISION_FIELDS)
    if unknown:
        raise TypeError(f"unknown listing fields: {sorted(unknown)}")
    if revision is not None:
        revision = _revision_locked(revision)
        if revision.status != RevisionStatus.DRAFT:
            raise OrganizationError(_("この申請は審査待ちか審査済みのため、変更できません。"))
        _require_edit(user, revision)
    elif organization is not None:
        organization = _organization_locked(organization.pk)
        _require(user, EDIT_LISTING, organization)
        revision = (
            ListingRevision.objects.filter(organization=organization, status__in=OPEN_REVISION_STATUSES)
            .select_related("organization__municipality", "municipality")
            .first()
        )
        if revision is not None and revision.status == RevisionStatus.SUBMITTED:
            raise OrganizationError(_("この組織の変更は審査中です。審査が終わるまでお待ちください。"))
        if revision is None:
            revision = ListingRevision(organization=organization, municipality=organization.municipality, created_by=user)
    else:
        revision = ListingRevision(created_by=user)
    _require(user, EDIT_LISTING, municipality)

    revision.municipality = municipality
    for field, value in values.items():
        setattr(revision, field, value)
    revision.name = (revision.name or "").strip()
    if not revision.name:
        raise OrganizationError(_("名称を入力してください。"))
    revision.full_clean(validate_unique=False, validate_constraints=False)
    revision.save()
    revision.activities.set(activities)
    revision.funding_sources.set(funding_sources)
    revision.member_types.set(member_types)
    return revision


@transaction.atomic
def listing_submit(*, user, revision: ListingRevision) -> ListingRevision:
    """Send a draft to the ministry for review. A name already taken fails here, not at approval."""
    revision = _revision_locked(revision)
    _require_edit(user, revision)
    if revision.status != RevisionStatus.DRAFT:
        raise OrganizationError(_("下書きの申請だけを提出できます。"))
    _check_unique(municipality=revision.municipality, name=revision.name, exclude_pk=revision.organization_id)
    revision.status = RevisionStatus.SUBMITTED
    revision.submitted_by = user
    revision.submitted_at = timezone.now()
    revision.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    return revision


@transaction.atomic
def listing_approve(*, user, revision: ListingRevision, comment: str = "") -> ListingRevision:
    """Apply a submitted revision to the registry and publish it; mail the editor.

    The write goes through organization_create/organization_update, so search_text, the
    facet cache and the history (with the reviewer as its user) follow as for any write.
    """
    _require(user, REVIEW_LISTING)
    revision = _revision_locked(revision)
    if revision.status != RevisionStatus.SUBMITTED:
        raise OrganizationError(_("審査待ちの申請ではありません。"))
    editor = revision.submitted_by.get_username() if revision.submitted_by else "—"
    reason = _in_site_language(_("承認: 申請#%(revision)s by %(editor)s"), revision=revision.pk, editor=editor)
    fields = {field: getattr(revision, field) for field in REVISION_FIELDS}
    relations = {relation: list(getattr(revision, relation).all()) for relation in REVISION_RELATIONS}
    if revision.organization_id is None:
        revision.organization = organization_create(
            municipality=revision.municipality,
            is_published=True,
            history_user=user,
            change_reason=reason,
            **fields,
            **relations,
        )
    else:
        organization_update(
            organization=_organization_locked(revision.organization_id),
            municipality=revision.municipality,
            history_user=user,
            change_reason=reason,
            **fields,
            **relations,
        )
    revision.status = RevisionStatus.PUBLISHED
    revision.reviewed_by = user
    revision.reviewed_at = timezone.now()
    revision.review_comment = comment.strip()
    revision.save(update_fields=["organization", "status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
    schedule_mail(kind=MAIL_REVISION_REVIEWED, object_id=revision.pk)
    return revision


@transaction.atomic
def listing_return(*, user, revision: ListingRevision, comment: str) -> ListingRevision:
    """Send a submitted revision back with the reviewer's comment; the published data stays."""
    _require(user, REVIEW_LISTING)
    comment = comment.strip()
    if not comment:
        raise OrganizationError(_("差し戻す理由を入力してください。"))
    revision = _revision_locked(revision)
    if revision.status != RevisionStatus.SUBMITTED:
        raise OrganizationError(_("審査待ちの申請ではありません。"))
    revision.status = RevisionStatus.RETURNED
    revision.reviewed_by = user
    revision.reviewed_at = timezone.now()
    revision.review_comment = comment
    revision.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
    schedule_mail(kind=MAIL_REVISION_REVIEWED, object_id=revision.pk)
    return revision


@transaction.atomic
def listing_revise(*, user, revision: ListingRevision) -> ListingRevision:
    """Start a new draft from a returned revision (which stays as the record of the review).

    When the organization already has an open draft, that draft is returned instead.
    """
    revision = _revision_locked(revision)
    _require_edit(user, revision)
    if revision.status != RevisionStatus.RETURNED:
        raise OrganizationError(_("差し戻された申請だけを修正できます。"))
    if revision.organization_id is not None:
        _organization_locked(revision.organization_id)
        open_revision = ListingRevision.objects.filter(
            organization_id=revision.organization_id, status__in=OPEN_REVISION_STATUSES
        ).first()
        if open_revision is not None:
            return open_revision
    else:
        already = revision.next_revisions.order_by("-id").first()
        if already is not None:
            return already
    draft = ListingRevision(
        organization_id=revision.organization_id,
        municipality=revision.municipality,
        previous=revision,
        created_by=user,
        **{field: getattr(revision, field) for field in REVISION_FIELDS},
    )
    draft.save()
    for relation in REVISION_RELATIONS:
        getattr(draft, relation).set(getattr(revision, relation).all())
    return draft


@transaction.atomic
def listing_restore(*, user, version_id: int) -> Organization:
    """Write an earlier version of an organization back (fields, municipality, categories).

    It is a new change like any other: the history gains a row saying who restored which
    version, and nothing is deleted from it.
    """
    _require(user, REVIEW_LISTING)
    version = Organization.history.filter(history_id=version_id).first()
    if version is None:
        raise OrganizationError(_("指定された版は見つかりません。"))
    organization = Organization.objects.select_for_update().filter(pk=version.id).first()
    if organization is None:
        raise OrganizationError(_("この組織は削除されているため、復元できません。"))
    municipality = Municipality.objects.filter(pk=version.municipality_id).first()
    if municipality is None:
        raise OrganizationError(_("この版の市区町村は現在登録されていないため、復元できません。"))
    fields = {field: getattr(version, field) for field in ORGANIZATION_FIELDS}
    relations = {
        "activities": ActivityCategory.objects.filter(pk__in=version.activities.values("activitycategory_id")),
        "funding_sources": FundingCategory.objects.filter(pk__in=version.funding_sources.values("fundingcategory_id")),
        "member_types": MemberType.objects.filter(pk__in=version.member_types.values("membertype_id")),
    }
    reason = _in_site_language(
        _("復元: 版#%(version)s（%(date)s） by %(reviewer)s"),
        version=version.history_id,
        date=timezone.localtime(version.history_date).strftime("%Y-%m-%d %H:%M"),
        reviewer=user.get_username(),
    )
    return organization_update(
        organization=organization,
        municipality=municipality,
        history_user=user,
        change_reason=reason,
        **fields,
        **relations,
    )


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
