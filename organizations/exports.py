"""Open-data export of the registry: streamed CSV (UTF-8 with BOM) and JSON."""

import csv
import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections
from django.db.models import OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import AreaType, LegalForm, OrganizationType
from .models import Organization

CHUNK_SIZE = 2000
LICENSE_NAME = "CC BY 4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/deed.ja"
ATTRIBUTION = _("出典：総務省 地域振興室「地域運営組織（RMO）ディレクトリ」（市区町村コードは総務省『全国地方公共団体コード』を加工して作成）")
LIST_SEPARATOR = "|"

COLUMNS = (
    ("id", _("ID")),
    ("name", _("名称")),
    ("name_kana", _("よみ")),
    ("prefecture_code", _("都道府県コード")),
    ("prefecture", _("都道府県")),
    ("municipality_code", _("市区町村コード")),
    ("municipality", _("市区町村")),
    ("area_type", _("活動範囲")),
    ("legal_form", _("組織形態")),
    ("organization_type", _("類型")),
    ("founded_year", _("設立年")),
    ("member_types", _("構成団体")),
    ("has_base", _("活動拠点あり")),
    ("base_is_public_facility", _("拠点は公共施設")),
    ("activities", _("活動内容")),
    ("funding_sources", _("主な財源")),
    ("contact", _("公開連絡先")),
    ("website", _("ウェブサイト")),
    ("description", _("概要")),
    ("survey_year", _("調査年度")),
    ("source", _("出典")),
    ("is_demo", _("デモデータ")),
    ("updated_at", _("更新日時")),
)


BASE_FIELDS = (
    "id", "name", "name_kana", "municipality__prefecture_id", "municipality__prefecture__name", "municipality_id",
    "municipality__name", "area_type", "legal_form", "organization_type", "founded_year", "has_base",
    "base_is_public_facility", "contact", "website", "description", "survey_year", "source", "is_demo", "updated_at",
)  # fmt: skip
RELATIONS = (
    ("activities", "activitycategory"),
    ("funding_sources", "fundingcategory"),
    ("member_types", "membertype"),
)


def _related_subqueries() -> dict:
    """PostgreSQL: category names as arrays computed by the database, in the same query."""
    from django.contrib.postgres.expressions import ArraySubquery

    return {
        f"{field}_names": ArraySubquery(
            getattr(Organization, field)
            .through.objects.filter(organization_id=OuterRef("pk"))
            .order_by(f"{target}__sort_order", f"{target}__slug")
            .values(f"{target}__name")
        )
        for field, target in RELATIONS
    }


def _related_names(ids: list[int]) -> dict[str, dict[int, list[str]]]:
    """Other databases: category names for one batch, one query per relation."""
    names: dict[str, dict[int, list[str]]] = {}
    for field, target in RELATIONS:
        by_organization: dict[int, list[str]] = defaultdict(list)
        links = (
            getattr(Organization, field)
            .through.objects.filter(organization_id__in=ids)
            .order_by(f"{target}__sort_order", f"{target}__slug")
            .values_list("organization_id", f"{target}__name")
        )
        for organization_id, name in links:
            by_organization[organization_id].append(name)
        names[field] = by_organization
    return names


def _batches(organizations: QuerySet[Organization]) -> Iterator[list[dict]]:
    """Rows with their category names, CHUNK_SIZE at a time (so memory stays flat)."""
    postgresql = connections[organizations.db].vendor == "postgresql"
    if postgresql:
        organizations = organizations.annotate(**_related_subqueries())
    names = [f"{field}_names" for field, _target in RELATIONS] if postgresql else []
    rows = organizations.values(*BASE_FIELDS, *names).iterator(chunk_size=CHUNK_SIZE)
    while batch := list(itertools.islice(rows, CHUNK_SIZE)):
        if not postgresql:
            related = _related_names([row["id"] for row in batch])
            for row in batch:
                for field, _target in RELATIONS:
                    row[f"{field}_names"] = related[field].get(row["id"], [])
        yield batch


def organization_records(organizations: QuerySet[Organization]) -> Iterator[dict]:
    """Open-data rows in batches of CHUNK_SIZE (flat memory); labels are the Japanese display
    values, lists are category names."""
    labels = {
        "area_type": {value: str(label) for value, label in AreaType.choices},
        "legal_form": {value: str(label) for value, label in LegalForm.choices},
        "organization_type": {value: str(label) for value, label in OrganizationType.choices},
    }
    for batch in _batches(organizations):
        for row in batch:
            yield {
                "id": row["id"],
                "name": row["name"],
                "name_kana": row["name_kana"],
                "prefecture_code": row["municipality__prefecture_id"],
                "prefecture": row["municipality__prefecture__name"],
                "municipality_code": row["municipality_id"],
                "municipality": row["municipality__name"],
                "area_type": labels["area_type"].get(row["area_type"], ""),
                "legal_form": labels["legal_form"].get(row["legal_form"], ""),
                "organization_type": labels["organization_type"].get(row["organization_type"], ""),
                "founded_year": row["founded_year"],
                "member_types": row["member_types_names"],
                "has_base": row["has_base"],
                "base_is_public_facility": row["base_is_public_facility"],
                "activities": row["activities_names"],
                "funding_sources": row["funding_sources_names"],
                "contact": row["contact"],
                "website": row["website"],
                "description": row["description"],
                "survey_year": row["survey_year"],
                "source": row["source"],
                "is_demo": row["is_demo"],
                "updated_at": row["updated_at"],
            }


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "1"
    if value is False:
        return "0"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


class _Line:
    def write(self, value: str) -> str:
        return value


def _labelled(records: Iterator[dict], size: int = CHUNK_SIZE) -> Iterator[list[dict]]:
    while batch := list(itertools.islice(records, size)):
        yield batch


def csv_rows(organizations: QuerySet[Organization]) -> Iterator[str]:
    """The header, then one string per chunk of rows (one socket write each, not one per row)."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([str(label) for _key, label in COLUMNS])
    keys = [key for key, _label in COLUMNS]
    for batch in _labelled(organization_records(organizations)):
        yield "".join(writer.writerow([_csv_cell(record[key]) for key in keys]) for record in batch)


def json_metadata(*, url: str) -> dict:
    return {
        "title": str(_("地域運営組織（RMO）ディレクトリ")),
        "publisher": str(_("総務省 地域力創造グループ 地域振興室")),
        "license": LICENSE_NAME,
        "license_url": LICENSE_URL,
        "attribution": str(ATTRIBUTION),
        "source_url": url,
        "generated_at": timezone.now().isoformat(),
        "note": str(_("is_demo が true の行はデモデータです。")),
        "fields": {key: str(label) for key, label in COLUMNS},
    }


def json_chunks(organizations: QuerySet[Organization], *, url: str) -> Iterator[str]:
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    yield '{"metadata": ' + encoder.encode(json_metadata(url=url)) + ', "organizations": ['
    separator = "\n"
    for batch in _labelled(organization_records(organizations)):
        yield separator + ",\n".join(encoder.encode(record) for record in batch)
        separator = ",\n"
    yield "\n]}\n"


def license_link_header() -> str:
    return f'<{LICENSE_URL}>; rel="license"'


