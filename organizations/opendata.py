"""The registry as government open data: its licence (公共データ利用規約 PDL1.0), how to cite
it, its dated snapshots and its catalogue entry (DCAT, as JSON-LD).

The exports themselves (CSV and JSON rows) are exports.py; this module says under what terms
they are published and keeps the immutable, dated copies researchers can cite.
"""

import datetime as dt
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from portal.deadlines import today_jst
from portal.structured_data import OFFICE_NAME

from . import exports, selectors

# デジタル庁「公共データ利用規約（第1.0版）」: the government standard terms, compatible with
# CC BY 4.0. LICENSE_CODE goes into HTTP headers, which must stay ASCII.
LICENSE_CODE = "PDL1.0"
LICENSE_NAME = _("公共データ利用規約（第1.0版）")
LICENSE_URL = "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0"
DATASET_TITLE = _("地域運営組織（RMO）ディレクトリ")
PUBLISHER = OFFICE_NAME
# The municipality codes and names come from 総務省「全国地方公共団体コード」, reshaped here.
SOURCE_NOTE = _("市区町村コード・名称は総務省「全国地方公共団体コード」を加工して作成しています。")
DEMO_NOTE = _("「デモデータ」が「はい」（JSONでは is_demo が true）の行はデモデータです。")
UPDATE_NOTE = _("掲載内容は、市区町村の申請を総務省が承認した時点で反映されます。日付付きスナップショットは毎日作成します。")
# EU Publications Office frequency vocabulary, which DCAT-AP (and DCAT-AP-JP) name.
ACCRUAL_PERIODICITY = "http://publications.europa.eu/resource/authority/frequency/UPDATE_CONT"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/JPN"
KEYWORDS = (_("地域運営組織"), "RMO", _("地域づくり"), _("市区町村"))

SNAPSHOT_FORMATS = {"csv": "text/csv", "json": "application/json"}
_SNAPSHOT_FILE = re.compile(r"^rmo_organizations_(\d{4}-\d{2}-\d{2})\.(csv|json)$")


def attribution(*, url: str, used_on: dt.date | None = None) -> str:
    """The 出典記載例 of PDL1.0 for this dataset, as a user of the data writes it."""
    text = _g("出典：「%(title)s」（%(publisher)s）（%(url)s）") % {
        "title": DATASET_TITLE,
        "publisher": PUBLISHER,
        "url": url,
    }
    if used_on:
        text += _g("（%(date)sに利用）") % {"date": _date_ja(used_on)}
    return text


def attribution_processed(*, url: str) -> str:
    """PDL1.0's wording when a user has edited or reshaped the data (加工)."""
    return _g("「%(title)s」（%(publisher)s）（%(url)s）を加工して作成") % {
        "title": DATASET_TITLE,
        "publisher": PUBLISHER,
        "url": url,
    }


def _date_ja(day: dt.date) -> str:
    return _g("%(year)d年%(month)d月%(day)d日") % {"year": day.year, "month": day.month, "day": day.day}


def open_data_url() -> str:
    return settings.SITE_URL + reverse("organizations:open_data")


def json_metadata(*, url: str) -> dict:
    """The "metadata" head of every JSON export: what the data is and on what terms."""
    return {
        "title": str(DATASET_TITLE),
        "publisher": str(PUBLISHER),
        "license": str(LICENSE_NAME),
        "license_code": LICENSE_CODE,
        "license_url": LICENSE_URL,
        "attribution": attribution(url=open_data_url()),
        "attribution_if_processed": attribution_processed(url=open_data_url()),
        "source_note": str(SOURCE_NOTE),
        "description_url": open_data_url(),
        "source_url": url,
        "generated_at": timezone.now().isoformat(),
        "note": str(DEMO_NOTE),
        "fields": {key: str(label) for key, label in exports.COLUMNS},
    }


def licence_headers(response) -> None:
    """Say the terms on the download itself (RFC 8288 links), for those who never see the page."""
    response["Link"] = f'<{LICENSE_URL}>; rel="license", <{open_data_url()}>; rel="describedby"'
    response["X-License"] = LICENSE_CODE


# ---------------------------------------------------------------- dated snapshots


def snapshot_url(day: dt.date, extension: str) -> str:
    return reverse("organizations:snapshot", kwargs={"day": day.isoformat(), "extension": extension})


@dataclass(frozen=True)
class SnapshotFile:
    day: dt.date
    extension: str
    path: Path
    size: int
    sha256: str

    @property
    def media_type(self) -> str:
        return SNAPSHOT_FORMATS[self.extension]

    @property
    def url(self) -> str:
        return snapshot_url(self.day, self.extension)


@dataclass(frozen=True)
class Snapshot:
    """The whole public registry as it was on one day: a CSV and a JSON file that never change."""

    day: dt.date
    files: dict[str, SnapshotFile]


def snapshot_root() -> Path:
    return Path(settings.OPEN_DATA_SNAPSHOT_ROOT)


def snapshot_filename(day: dt.date, extension: str) -> str:
    return f"rmo_organizations_{day.isoformat()}.{extension}"


def _checksums(root: Path) -> dict[str, str]:
    """File name -> SHA-256, from the sha256sum-style files written next to the snapshots."""
    sums = {}
    for path in root.glob("rmo_organizations_*.sha256"):
        for line in path.read_text(encoding="ascii").splitlines():
            digest, _sep, name = line.partition("  ")
            sums[name] = digest
    return sums


def snapshot_list() -> list[Snapshot]:
    """Every complete snapshot, newest first."""
    root = snapshot_root()
    if not root.is_dir():
        return []
    sums = _checksums(root)
    by_day: dict[dt.date, dict[str, SnapshotFile]] = {}
    for path in root.iterdir():
        match = _SNAPSHOT_FILE.match(path.name)
        if not match or path.name not in sums:  # a copy still being written has no checksum yet
            continue
        day = dt.date.fromisoformat(match[1])
        by_day.setdefault(day, {})[match[2]] = SnapshotFile(
            day=day, extension=match[2], path=path, size=path.stat().st_size, sha256=sums[path.name]
        )
    return [Snapshot(day=day, files=files) for day, files in sorted(by_day.items(), reverse=True)]


def snapshot_file(day: dt.date, extension: str) -> SnapshotFile | None:
    for snapshot in snapshot_list():
        if snapshot.day == day:
            return snapshot.files.get(extension)
    return None


def _write_atomically(path: Path, chunks: Iterable[str]) -> str:
    """Write the text to path (UTF-8) through a temporary file renamed into place, so a reader
    never sees half a file; returns the SHA-256 of what was written."""
    digest = hashlib.sha256()
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as file:
            for chunk in chunks:
                data = chunk.encode("utf-8")
                digest.update(data)
                file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest.hexdigest()


def snapshot_write(day: dt.date | None = None) -> Snapshot:
    """Write the day's snapshot of every published organization (overwriting that day's, if the
    command runs twice), then its checksum file, which makes it visible."""
    day = day or today_jst()
    root = snapshot_root()
    root.mkdir(parents=True, exist_ok=True)
    sums = {}
    for extension in SNAPSHOT_FORMATS:
        name = snapshot_filename(day, extension)
        organizations = selectors.organization_search()
        if extension == "csv":
            chunks: Iterator[str] = exports.csv_rows(organizations)
        else:
            metadata = json_metadata(url=settings.SITE_URL + snapshot_url(day, "json"))
            chunks = exports.json_chunks(organizations, metadata=metadata)
        sums[name] = _write_atomically(root / name, chunks)
    _write_atomically(
        root / f"rmo_organizations_{day.isoformat()}.sha256",
        [f"{digest}  {name}\n" for name, digest in sums.items()],
    )
    return next(s for s in snapshot_list() if s.day == day)


# ---------------------------------------------------------------- catalogue entry (DCAT)


def _distribution(*, title: str, url: str, media_type: str, description: str = "", size: int | None = None) -> dict:
    distribution = {
        "@type": "dcat:Distribution",
        "dct:title": title,
        "dcat:accessURL": {"@id": open_data_url()},
        "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{media_type}"},
        "dct:format": media_type.split("/")[-1].upper(),
        "dct:license": {"@id": LICENSE_URL},
    }
    if description:
        distribution["dct:description"] = description
    if size is not None:
        distribution["dcat:byteSize"] = {"@value": str(size), "@type": "xsd:nonNegativeInteger"}
    return distribution


def catalogue_entry(*, snapshots: list[Snapshot]) -> dict:
    """The dataset's DCAT description (the vocabulary DCAT-AP and DCAT-AP-JP build on), with the
    live exports and the newest snapshot as its distributions."""
    site = settings.SITE_URL
    entry = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@type": "dcat:Dataset",
        "@id": open_data_url(),
        "dct:title": str(DATASET_TITLE),
        "dct:description": _g(
            "全国の地域運営組織（RMO）の名称、所在市区町村、活動範囲、組織形態、活動内容、主な財源など。"
        ),
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": str(PUBLISHER), "foaf:homepage": {"@id": site + "/"}},
        "dct:license": {"@id": LICENSE_URL},
        "dct:accrualPeriodicity": {"@id": ACCRUAL_PERIODICITY},
        "dct:language": {"@id": LANGUAGE},
        "dct:spatial": _g("日本"),
        "dcat:keyword": [str(keyword) for keyword in KEYWORDS],
        "dcat:landingPage": {"@id": site + reverse("organizations:organization_list")},
        "dcat:distribution": [
            _distribution(
                title=_g("全件（CSV、Excelで開けるUTF-8 BOM付き）"),
                url=site + reverse("organizations:export_csv"),
                media_type="text/csv",
            ),
            _distribution(
                title=_g("全件（JSON、メタデータ付き）"),
                url=site + reverse("organizations:export_json"),
                media_type="application/json",
            ),
        ],
    }
    modified = selectors.registry_last_modified()
    if modified:
        entry["dct:modified"] = {"@value": timezone.localtime(modified).date().isoformat(), "@type": "xsd:date"}
    if snapshots:
        newest = snapshots[0]
        for extension, file in newest.files.items():
            entry["dcat:distribution"].append(
                _distribution(
                    title=_g("%(date)s時点のスナップショット（%(format)s）")
                    % {"date": newest.day.isoformat(), "format": extension.upper()},
                    url=site + file.url,
                    media_type=file.media_type,
                    size=file.size,
                )
            )
    return entry
