"""Open-data export of the registry: streamed CSV (UTF-8 with BOM) and JSON.

Every row of the registry can be asked for at once (100,000 rows, about 60 MB of CSV), so the
export is built for throughput with flat memory: one query whose rows PostgreSQL streams while
Python formats the previous chunk, category ids instead of per-row joins, labels and category
names looked up in dictionaries prepared once, and one C-level ``csv.writer.writerows`` per
chunk. Both formats share the rows (_batches) and the lookups (_Export).
"""

import csv
import io
import itertools
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime

from django.core.exceptions import EmptyResultSet
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.db.models import Func, OuterRef, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from portal.spreadsheets import neutralize_formula

from .enums import AreaType, LegalForm, OrganizationType
from .models import ActivityCategory, FundingCategory, MemberType, Organization

CHUNK_SIZE = 2000
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


# A row of _batches(): these columns, the last update as ISO 8601 text, then the category ids of
# each relation in RELATIONS order (see _CategoryNames).
BASE_FIELDS = (
    "id", "name", "name_kana", "municipality__prefecture_id", "municipality__prefecture__name", "municipality_id",
    "municipality__name", "area_type", "legal_form", "organization_type", "founded_year", "has_base",
    "base_is_public_facility", "contact", "website", "description", "survey_year", "source", "is_demo",
)  # fmt: skip
RELATIONS = (
    ("activities", ActivityCategory),
    ("funding_sources", FundingCategory),
    ("member_types", MemberType),
)
CSV_BOOLEAN = {True: "1", False: "0", None: None}  # the csv module writes None as an empty cell


class _Labels(dict):
    """Display label of each enum value in the active language; unknown or blank values are empty."""

    def __init__(self, choices) -> None:
        super().__init__((value, str(label)) for value, label in choices)

    def __missing__(self, value) -> str:
        return ""


class _CategoryNames:
    """Names of the categories of one relation, looked up by a row's category ids.

    Rows carry only the ids, as text ("3,12,7", in any order): the database neither joins nor
    sorts per row, and Python gets one string instead of a list (fewer objects, so fewer
    garbage collections, which took a fifth of the CPU time with lists). Each distinct
    combination is resolved once, in the categories' order (sort_order, slug): ``joined[ids]``
    for the CSV, ``lists[ids]`` for JSON.
    """

    def __init__(self, model, *, using: str) -> None:
        categories = model.objects.using(using).order_by("sort_order", "slug").values_list("id", "name")
        self._names = {pk: (position, name) for position, (pk, name) in enumerate(categories)}
        self.lists: dict[str, list[str]] = _Cache(self._names_of)
        # For the CSV: a category named like a formula stays text in Excel (portal.spreadsheets).
        self.joined: dict[str, str] = _Cache(lambda ids: neutralize_formula(LIST_SEPARATOR.join(self.lists[ids])))

    def _names_of(self, ids: str) -> list[str]:
        # An id that is not known can only be a category created after the names were read
        # (outside the export's own snapshot, see _snapshot): it is left out, not an error.
        known = (self._names.get(int(pk)) for pk in ids.split(",") if pk)
        return [name for _position, name in sorted(filter(None, known))]


class _Cache(dict):
    """A dictionary that computes a missing value once."""

    def __init__(self, compute) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, key):
        value = self[key] = self._compute(key)
        return value


def _postgresql_columns() -> dict:
    """PostgreSQL: the columns after BASE_FIELDS, computed in the same query.

    The last update comes as text, which Python parses in C (Django's own loader of
    timestamptz is Python code, several µs a row). Each relation's category ids come as one
    string: an index scan per row, no join, no sort (see _CategoryNames). A join to the link
    tables grouped by organization was no faster, returns nothing until every link row is
    aggregated, and with stale statistics can be planned as a nested loop over the groups.
    """
    from django.contrib.postgres.expressions import ArraySubquery

    columns = {"updated_at_text": Cast("updated_at", output_field=TextField())}
    for field, model in RELATIONS:
        column = f"{model._meta.model_name}_id"
        links = getattr(Organization, field).through.objects.filter(organization_id=OuterRef("pk"))
        ids = ArraySubquery(links.order_by().values(column))
        columns[f"{field}_ids"] = Func(ids, Value(","), function="ARRAY_TO_STRING", output_field=TextField())
    return columns


def _related_ids(ids: list[int], *, using: str) -> list[dict[int, str]]:
    """Other databases: category ids of one batch as _CategoryNames reads them, one query per relation."""
    related = []
    for field, model in RELATIONS:
        column = f"{model._meta.model_name}_id"
        by_organization: dict[int, list[str]] = defaultdict(list)
        links = (
            getattr(Organization, field)
            .through.objects.using(using)
            .filter(organization_id__in=ids)
            .values_list("organization_id", column)
        )
        for organization_id, category_id in links:
            by_organization[organization_id].append(str(category_id))
        related.append({organization_id: ",".join(pks) for organization_id, pks in by_organization.items()})
    return related


@contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """One transaction around the whole export, so that the category names and the rows come
    from the same state of the registry (on PostgreSQL a read-only REPEATABLE READ snapshot,
    unless a caller's transaction is already open)."""
    connection = connections[using]
    begins = connection.get_autocommit()  # else the caller's transaction is already open
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if begins:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                # The planner's cost estimate of one query that reads every row is high enough
                # to trigger JIT compilation, which costs more here than it saves.
                cursor.execute("SET LOCAL jit = off")
        yield


def _postgresql_batches(organizations: QuerySet[Organization]) -> Iterator[list[tuple]]:
    """The rows from one query, streamed: psycopg's stream() lets PostgreSQL send the next rows
    while Python formats the previous ones (a server-side cursor would wait for each FETCH, so
    the two would take turns), and holds one chunk at a time. The SQL is the ORM's; only its
    execution bypasses Django's cursor wrapper (and so its query log).

    Until the generator is exhausted or closed the connection is busy with this query: no other
    query may run on it in between (psycopg would wait for its own lock).
    """
    columns = _postgresql_columns()
    query = organizations.annotate(**columns).values_list(*BASE_FIELDS, *columns).query
    connection = connections[organizations.db]
    try:
        sql, params = query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:
        return
    with connection.cursor() as cursor, closing(cursor.cursor.stream(sql, params, size=CHUNK_SIZE)) as rows:
        while batch := list(itertools.islice(rows, CHUNK_SIZE)):
            yield batch


def _portable_batches(organizations: QuerySet[Organization]) -> Iterator[list[tuple]]:
    """Other databases (the embedded SQLite): the same rows, with the category ids of each
    batch read by _related_ids."""
    rows = organizations.values_list(*BASE_FIELDS, "updated_at").iterator(chunk_size=CHUNK_SIZE)
    while batch := list(itertools.islice(rows, CHUNK_SIZE)):
        related = _related_ids([row[0] for row in batch], using=organizations.db)
        yield [
            (*row[:-1], row[-1].isoformat(), *(by_organization.get(row[0], "") for by_organization in related))
            for row in batch
        ]


def _batches(organizations: QuerySet[Organization]) -> Iterator[list[tuple]]:
    """Rows of BASE_FIELDS, the last update as ISO 8601 text and the category ids of each
    relation, CHUNK_SIZE at a time so that memory stays flat. Run inside _snapshot()."""
    if connections[organizations.db].vendor == "postgresql":
        return _postgresql_batches(organizations)
    return _portable_batches(organizations)


class _Export:
    """What every row of one export looks up: labels in the active language, category names."""

    def __init__(self, organizations: QuerySet[Organization]) -> None:
        self.area_types = _Labels(AreaType.choices)
        self.legal_forms = _Labels(LegalForm.choices)
        self.organization_types = _Labels(OrganizationType.choices)
        self.activities, self.funding_sources, self.member_types = (
            _CategoryNames(model, using=organizations.db) for _field, model in RELATIONS
        )


def organization_records(organizations: QuerySet[Organization]) -> Iterator[dict]:
    """Open-data rows in batches of CHUNK_SIZE (flat memory); labels are the display values in
    the active language, lists are category names. Run no query on the same database
    connection while iterating (see _postgresql_batches)."""
    with _snapshot(organizations.db):
        yield from _records(organizations, _Export(organizations))


def _records(organizations: QuerySet[Organization], export: _Export) -> Iterator[dict]:
    area_types, legal_forms, organization_types = export.area_types, export.legal_forms, export.organization_types
    activities, funding_sources = export.activities.lists, export.funding_sources.lists
    member_types, parse_datetime = export.member_types.lists, datetime.fromisoformat
    for batch in _batches(organizations):
        for (
            pk, name, name_kana, prefecture_code, prefecture, municipality_code, municipality, area_type, legal_form,
            organization_type, founded_year, has_base, base_is_public_facility, contact, website, description,
            survey_year, source, is_demo, updated_at, activity_ids, funding_ids, member_ids,
        ) in batch:  # fmt: skip
            yield {
                "id": pk,
                "name": name,
                "name_kana": name_kana,
                "prefecture_code": prefecture_code,
                "prefecture": prefecture,
                "municipality_code": municipality_code,
                "municipality": municipality,
                "area_type": area_types[area_type],
                "legal_form": legal_forms[legal_form],
                "organization_type": organization_types[organization_type],
                "founded_year": founded_year,
                "member_types": list(member_types[member_ids]),
                "has_base": has_base,
                "base_is_public_facility": base_is_public_facility,
                "activities": list(activities[activity_ids]),
                "funding_sources": list(funding_sources[funding_ids]),
                "contact": contact,
                "website": website,
                "description": description,
                "survey_year": survey_year,
                "source": source,
                "is_demo": is_demo,
                "updated_at": parse_datetime(updated_at),
            }


def _csv_cells(batch: list[tuple], export: _Export) -> list[tuple]:
    """One batch as the CSV's cells, in COLUMNS order. The hot loop of the export: dictionary
    lookups (the csv module writes ints, and None as empty); one function call per cell only for
    the free-text columns, which a registrant or municipality writes and Excel could run as a
    formula (neutralize_formula). Master names (prefecture, municipality) are the ministry's."""
    area_types, legal_forms, organization_types = export.area_types, export.legal_forms, export.organization_types
    activities, funding_sources = export.activities.joined, export.funding_sources.joined
    member_types, boolean, parse_datetime = export.member_types.joined, CSV_BOOLEAN, datetime.fromisoformat
    safe = neutralize_formula
    return [
        (
            pk, safe(name), safe(name_kana), prefecture_code, prefecture, municipality_code, municipality,
            area_types[area_type], legal_forms[legal_form], organization_types[organization_type], founded_year,
            member_types[member_ids], boolean[has_base], boolean[base_is_public_facility],
            activities[activity_ids], funding_sources[funding_ids], safe(contact), safe(website), safe(description),
            survey_year, safe(source), boolean[is_demo], parse_datetime(updated_at).isoformat(),
        )
        for (
            pk, name, name_kana, prefecture_code, prefecture, municipality_code, municipality, area_type, legal_form,
            organization_type, founded_year, has_base, base_is_public_facility, contact, website, description,
            survey_year, source, is_demo, updated_at, activity_ids, funding_ids, member_ids,
        ) in batch
    ]  # fmt: skip


def csv_rows(organizations: QuerySet[Organization]) -> Iterator[str]:
    """The header, then one string per chunk of rows (one socket write each, not one per row),
    written by the csv module's C writer. Run no query on the same database connection while
    iterating (see _postgresql_batches)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(label) for _key, label in COLUMNS])
    yield "\ufeff" + buffer.getvalue()
    with _snapshot(organizations.db):
        export = _Export(organizations)
        for batch in _batches(organizations):
            buffer.seek(0)
            buffer.truncate()
            writer.writerows(_csv_cells(batch, export))
            yield buffer.getvalue()


def json_chunks(organizations: QuerySet[Organization], *, metadata: dict) -> Iterator[str]:
    """``{"metadata": …, "organizations": [...]}``, the rows streamed like the CSV's; the
    metadata (licence, source, field names) is opendata.json_metadata's."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    yield '{"metadata": ' + encoder.encode(metadata) + ', "organizations": ['
    separator = "\n"
    records = organization_records(organizations)
    while batch := list(itertools.islice(records, CHUNK_SIZE)):
        yield separator + ",\n".join(map(encoder.encode, batch))
        separator = ",\n"
    yield "\n]}\n"


