import base64
import csv
import datetime as dt
import hashlib
import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from organizations import opendata
from tests.factories import OrganizationFactory, make_ikuwa
from tests.portal.html import find_all, texts

pytestmark = pytest.mark.django_db

PAGE = "/organizations/open-data/"
PDL = "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0"
DAY = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def snapshot_root(settings, tmp_path):
    settings.OPEN_DATA_SNAPSHOT_ROOT = tmp_path / "snapshots"
    return settings.OPEN_DATA_SNAPSHOT_ROOT


def _catalogue(body: bytes) -> dict:
    scripts = re.findall(rb'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


# ---------------------------------------------------------------- citing the data


def test_attribution_follows_the_pdl_examples():
    url = "https://rmo.example.go.jp/organizations/open-data/"

    assert opendata.attribution(url=url, used_on=dt.date(2026, 12, 6)) == (
        "出典：「地域運営組織（RMO）ディレクトリ」（総務省 地域力創造グループ 地域振興室）"
        "（https://rmo.example.go.jp/organizations/open-data/）（2026年12月6日に利用）"
    )
    assert opendata.attribution_processed(url=url) == (
        "「地域運営組織（RMO）ディレクトリ」（総務省 地域力創造グループ 地域振興室）"
        "（https://rmo.example.go.jp/organizations/open-data/）を加工して作成"
    )


# ---------------------------------------------------------------- snapshots


def test_snapshot_holds_every_published_organization_with_checksums(snapshot_root):
    make_ikuwa()
    OrganizationFactory(name="下書きの会", is_published=False)

    snapshot = opendata.snapshot_write(DAY)

    assert snapshot.day == DAY
    assert sorted(path.name for path in snapshot_root.iterdir()) == [
        "rmo_organizations_2026-12-01.csv",
        "rmo_organizations_2026-12-01.json",
        "rmo_organizations_2026-12-01.sha256",
    ]
    csv_file, json_file = snapshot.files["csv"], snapshot.files["json"]
    assert [row["名称"] for row in csv.DictReader(io.StringIO(csv_file.path.read_text("utf-8-sig")))] == ["生桑振興会"]
    data = json.loads(json_file.path.read_bytes())
    assert [o["name"] for o in data["organizations"]] == ["生桑振興会"]
    assert data["metadata"]["source_url"] == "http://testserver/organizations/snapshots/rmo_organizations_2026-12-01.json"
    assert data["metadata"]["license_code"] == "PDL1.0"
    for file in (csv_file, json_file):
        assert file.sha256 == hashlib.sha256(file.path.read_bytes()).hexdigest()
        assert file.size == file.path.stat().st_size
    assert (snapshot_root / "rmo_organizations_2026-12-01.sha256").read_text() == (
        f"{csv_file.sha256}  rmo_organizations_2026-12-01.csv\n{json_file.sha256}  rmo_organizations_2026-12-01.json\n"
    )


def test_snapshot_list_is_newest_first_and_skips_files_without_a_checksum(snapshot_root):
    opendata.snapshot_write(dt.date(2026, 11, 30))
    opendata.snapshot_write(DAY)
    # A copy being written by hand, or left by a crash, is not listed until its checksum exists.
    (snapshot_root / "rmo_organizations_2026-12-02.csv").write_text("half")

    assert [s.day for s in opendata.snapshot_list()] == [DAY, dt.date(2026, 11, 30)]
    assert opendata.snapshot_file(dt.date(2026, 12, 2), "csv") is None


def test_snapshot_list_is_empty_before_the_first_snapshot(snapshot_root):
    assert opendata.snapshot_list() == []
    assert not snapshot_root.exists()


def test_export_snapshot_command_writes_the_day_asked_for(snapshot_root):
    out = io.StringIO()

    call_command("export_snapshot", "--date", "2026-12-01", stdout=out)

    assert [s.day for s in opendata.snapshot_list()] == [DAY]
    assert out.getvalue().splitlines()[-1] == "2026-12-01 のスナップショットを書き出しました（csv, json）。"


def test_export_snapshot_command_refuses_a_malformed_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("export_snapshot", "--date", "2026/12/01")


def test_snapshot_download_is_the_file_with_its_digest_and_licence(client):
    make_ikuwa()
    file = opendata.snapshot_write(DAY).files["csv"]

    response = client.get("/organizations/snapshots/rmo_organizations_2026-12-01.csv")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == file.path.read_bytes()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="rmo_organizations_2026-12-01.csv"'
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-License"] == "PDL1.0"
    digest = response["Repr-Digest"].removeprefix("sha-256=:").removesuffix(":")
    assert base64.b64decode(digest).hex() == file.sha256


@pytest.mark.parametrize("day", ["2026-12-02", "2026-13-01"])
def test_snapshot_of_a_day_without_one_is_a_404_that_points_to_the_list(client, day):
    opendata.snapshot_write(DAY)

    response = client.get(f"/organizations/snapshots/rmo_organizations_{day}.json")

    assert response.status_code == 404
    assert f"{day} のスナップショットはありません。作成済みの日付はオープンデータのページに一覧があります。" in response.content.decode()


# ---------------------------------------------------------------- the page and its catalogue entry


def test_open_data_page_states_the_licence_the_citation_and_lists_snapshots(client):
    make_ikuwa()
    opendata.snapshot_write(DAY)

    response = client.get(PAGE)

    assert response.status_code == 200
    body = response.content.decode()
    assert [a.attrs["href"] for a in find_all(body, "a", rel="license")] == [PDL]
    assert texts(body, "code", **{"class": "open-data-digest"}) == [
        f.sha256 for f in opendata.snapshot_list()[0].files.values()
    ]
    assert "出典：「地域運営組織（RMO）ディレクトリ」（総務省 地域力創造グループ 地域振興室）（http://testserver/organizations/open-data/）" in body
    assert "を加工して作成" in body
    assert 'href="/organizations/snapshots/rmo_organizations_2026-12-01.csv"' in body


def test_open_data_page_carries_a_dcat_catalogue_entry(client):
    make_ikuwa()
    opendata.snapshot_write(DAY)

    entry = _catalogue(client.get(PAGE).content)

    assert entry["@type"] == "dcat:Dataset"
    assert entry["@id"] == "http://testserver/organizations/open-data/"
    assert entry["dct:license"] == {"@id": PDL}
    assert entry["dct:publisher"]["foaf:name"] == "総務省 地域力創造グループ 地域振興室"
    assert entry["dct:accrualPeriodicity"] == {"@id": "http://publications.europa.eu/resource/authority/frequency/UPDATE_CONT"}
    assert entry["dct:modified"]["@type"] == "xsd:date"
    assert [(d["dct:format"], d["dcat:downloadURL"]["@id"]) for d in entry["dcat:distribution"]] == [
        ("CSV", "http://testserver/organizations/export.csv"),
        ("JSON", "http://testserver/organizations/export.json"),
        ("CSV", "http://testserver/organizations/snapshots/rmo_organizations_2026-12-01.csv"),
        ("JSON", "http://testserver/organizations/snapshots/rmo_organizations_2026-12-01.json"),
    ]
    assert all(d["dct:license"] == {"@id": PDL} for d in entry["dcat:distribution"])


def test_open_data_page_without_snapshots_says_so(client):
    response = client.get(PAGE)

    assert "まだスナップショットはありません。" in response.content.decode()
    assert len(_catalogue(response.content)["dcat:distribution"]) == 2


def test_catalogue_entry_escapes_what_could_end_the_script(client, monkeypatch):
    monkeypatch.setattr(opendata, "DATASET_TITLE", "</script><b>x</b>")

    body = client.get(PAGE).content

    assert b"</script><b>" not in body
    assert _catalogue(body)["dct:title"] == "</script><b>x</b>"


def test_readme_is_plain_text_with_the_terms_and_every_column(client):
    response = client.get("/organizations/open-data/README.txt")

    text = response.content.decode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert text.splitlines()[:3] == [
        "地域運営組織（RMO）ディレクトリ",
        "総務省 地域力創造グループ 地域振興室",
        "http://testserver/organizations/open-data/",
    ]
    assert PDL in text
    assert "名称 / name" in text and "デモデータ / is_demo" in text
    assert "&quot;" not in text and "&#x27;" not in text
