"""Writes to the municipality master: loading fixtures/municipalities.json."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import Model, ProtectedError
from django.utils.translation import gettext_lazy as _

from portal.errors import DomainError

from .codes import is_valid_code
from .enums import MunicipalityKind
from .models import Municipality, Prefecture

PREFECTURE_FIELDS = ("local_government_code", "name", "name_kana", "name_en", "latitude", "longitude")
MUNICIPALITY_FIELDS = ("prefecture_id", "name", "name_kana", "kind", "parent_id", "latitude", "longitude")


class MunicipalityLoadError(DomainError):
    """The fixture cannot be loaded; ``message`` is translated and names the bad record."""


@dataclass(frozen=True)
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: tuple[str, ...] = field(default=())  # codes in the database but not in the file
    deleted: int = 0


@dataclass(frozen=True)
class LoadResult:
    prefectures: LoadCounts
    municipalities: LoadCounts

    @property
    def changed(self) -> bool:
        return any(
            (counts.created, counts.updated, counts.deleted) != (0, 0, 0)
            for counts in (self.prefectures, self.municipalities)
        )


def municipalities_load(*, path: Path | str, prune: bool = False) -> LoadResult:
    """Bring the master in line with the fixture at ``path``: insert new rows, update changed ones.

    Idempotent: a second run with the same file writes nothing. Everything happens in one
    transaction, so readers never see half a master. Rows missing from the file (an abolished
    municipality) are reported as stale and kept, because organizations and registrations may
    refer to them; ``prune=True`` deletes them, and fails if anything still refers to one.
    """
    prefectures, municipalities = _read_fixture(Path(path))
    with transaction.atomic():
        prefecture_counts = _upsert(Prefecture, prefectures, PREFECTURE_FIELDS)
        municipality_counts = _upsert(Municipality, municipalities, MUNICIPALITY_FIELDS)
        if prune:
            municipality_counts = _prune(Municipality, municipality_counts)
            prefecture_counts = _prune(Prefecture, prefecture_counts)
    return LoadResult(prefectures=prefecture_counts, municipalities=municipality_counts)


def _upsert(model: type[Model], rows: list[Model], fields: tuple[str, ...]) -> LoadCounts:
    existing = {values[0]: values[1:] for values in model.objects.values_list("pk", *fields)}
    created = updated = 0
    to_write = []
    for row in rows:
        values = tuple(getattr(row, name) for name in fields)
        if row.pk not in existing:
            created += 1
        elif existing[row.pk] != values:
            updated += 1
        else:
            continue
        to_write.append(row)
    # One statement for inserts and updates alike (INSERT … ON CONFLICT DO UPDATE), so a row
    # another process inserted meanwhile is updated, not a duplicate-key error.
    model.objects.bulk_create(
        to_write,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["pk"],
        update_fields=[name.removesuffix("_id") for name in fields],
    )
    in_file = {row.pk for row in rows}
    return LoadCounts(
        created=created,
        updated=updated,
        unchanged=len(rows) - created - updated,
        stale=tuple(sorted(code for code in existing if code not in in_file)),
    )


def _prune(model: type[Model], counts: LoadCounts) -> LoadCounts:
    if not counts.stale:
        return counts
    stale = model.objects.filter(pk__in=counts.stale)
    try:
        if model is Municipality:
            # Wards first: a city is PROTECTed while a ward points at it.
            stale.filter(kind=MunicipalityKind.WARD).delete()
        stale.delete()
    except ProtectedError as error:
        raise MunicipalityLoadError(
            _("%(model)s %(codes)s は他のデータから参照されているため削除できません。")
            % {"model": model._meta.verbose_name, "codes": ", ".join(counts.stale)}
        ) from error
    return replace(counts, stale=(), deleted=len(counts.stale))


def _read_fixture(path: Path) -> tuple[list[Prefecture], list[Municipality]]:
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as file:
            records = json.load(file)
    except FileNotFoundError as error:
        raise MunicipalityLoadError(_("ファイル %(path)s がありません。") % {"path": path}) from error
    except (OSError, ValueError) as error:
        raise MunicipalityLoadError(
            _("ファイル %(path)s を読めません: %(error)s") % {"path": path, "error": error}
        ) from error

    prefectures: list[Prefecture] = []
    municipalities: list[Municipality] = []
    for record in records:
        try:
            model, pk, fields = record["model"], record["pk"], record["fields"]
            if model == "municipalities.prefecture":
                prefectures.append(_prefecture(pk, fields))
            elif model == "municipalities.municipality":
                municipalities.append(_municipality(pk, fields))
            else:
                raise ValueError(model)
        except (KeyError, TypeError, ValueError, InvalidOperation) as error:
            raise MunicipalityLoadError(
                _("ファイル %(path)s のレコード %(record)s が不正です（%(error)s）。")
                % {"path": path, "record": json.dumps(record, ensure_ascii=False)[:200], "error": error}
            ) from error
    for rows in (prefectures, municipalities):
        seen: set[str] = set()
        for row in rows:
            if row.pk in seen:
                raise MunicipalityLoadError(_("コード %(code)s が重複しています。") % {"code": row.pk})
            seen.add(row.pk)
    # Designated cities before their wards, so the parent exists even where foreign keys are
    # checked per statement.
    municipalities.sort(key=lambda m: (m.kind == MunicipalityKind.WARD, m.pk))
    return prefectures, municipalities


def _prefecture(pk: str, fields: dict) -> Prefecture:
    code = fields["local_government_code"]
    if not (is_valid_code(code) and code[:2] == pk and code[2:5] == "000"):
        raise ValueError(f"local_government_code {code}")
    return Prefecture(
        code=pk,
        local_government_code=code,
        name=fields["name"],
        name_kana=fields["name_kana"],
        name_en=fields["name_en"],
        latitude=_decimal(fields["latitude"]),
        longitude=_decimal(fields["longitude"]),
    )


def _municipality(pk: str, fields: dict) -> Municipality:
    if not is_valid_code(pk):
        raise ValueError(f"code {pk}")
    if fields["kind"] not in MunicipalityKind.values:
        raise ValueError(f"kind {fields['kind']}")
    return Municipality(
        code=pk,
        prefecture_id=fields["prefecture"],
        name=fields["name"],
        name_kana=fields["name_kana"],
        kind=fields["kind"],
        parent_id=fields["parent"],
        latitude=_decimal(fields["latitude"]),
        longitude=_decimal(fields["longitude"]),
    )


def _decimal(value) -> Decimal | None:
    # Six places, as the columns hold them, so an unchanged row compares equal.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))
