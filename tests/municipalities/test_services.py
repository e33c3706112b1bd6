import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from municipalities.enums import MunicipalityKind
from municipalities.models import Municipality, Prefecture
from municipalities.services import LoadCounts, MunicipalityLoadError, municipalities_load
from organizations.models import Organization

from .conftest import FIXTURE


def _snapshot():
    return (
        list(Prefecture.objects.order_by("code").values_list()),
        list(Municipality.objects.order_by("code").values_list()),
    )


def _write_fixture(path, records):
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def _records_without(code):
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return [r for r in records if r["pk"] != code]


@pytest.mark.django_db
def test_municipalities_load_creates_every_row():
    result = municipalities_load(path=FIXTURE)

    assert result.prefectures == LoadCounts(created=47)
    assert result.municipalities == LoadCounts(created=1741 + 171)
    assert Municipality.objects.count() == 1912


@pytest.mark.django_db
def test_municipalities_load_twice_changes_nothing():
    municipalities_load(path=FIXTURE)
    before = _snapshot()

    result = municipalities_load(path=FIXTURE)

    assert result.prefectures == LoadCounts(unchanged=47)
    assert result.municipalities == LoadCounts(unchanged=1912)
    assert result.changed is False
    assert _snapshot() == before


def test_municipalities_load_updates_a_changed_name(master):
    Municipality.objects.filter(code="342149").update(name="旧名", name_kana="きゅうめい", latitude=None)
    Prefecture.objects.filter(code="34").update(name_en="Old")

    result = municipalities_load(path=FIXTURE)

    assert result.prefectures == LoadCounts(updated=1, unchanged=46)
    assert result.municipalities == LoadCounts(updated=1, unchanged=1911)
    city = Municipality.objects.get(code="342149")
    assert (city.name, city.name_kana, city.latitude is not None) == ("安芸高田市", "あきたかたし", True)
    assert Prefecture.objects.get(code="34").name_en == "Hiroshima"


def test_municipalities_load_keeps_and_reports_rows_missing_from_the_file(master, tmp_path):
    path = _write_fixture(tmp_path / "m.json", _records_without("063827"))

    result = municipalities_load(path=path)

    assert result.municipalities == LoadCounts(unchanged=1911, stale=("063827",))
    assert Municipality.objects.filter(code="063827").exists()


def test_municipalities_load_prune_deletes_rows_missing_from_the_file(master, tmp_path):
    records = [r for r in _records_without("063827") if r["fields"].get("parent") != "221309"]
    records = [r for r in records if r["pk"] != "221309"]
    path = _write_fixture(tmp_path / "m.json", records)

    result = municipalities_load(path=path, prune=True)

    assert result.municipalities == LoadCounts(
        unchanged=1912 - 5, deleted=5
    )  # 川西町, 浜松市 and its three wards
    assert Municipality.objects.filter(code__in=["063827", "221309", "221384"]).count() == 0


def test_municipalities_load_prune_refuses_a_referenced_row(master, tmp_path):
    Organization.objects.create(name="川西町まちづくり協議会", municipality_id="063827")
    path = _write_fixture(tmp_path / "m.json", _records_without("063827"))

    with pytest.raises(MunicipalityLoadError) as excinfo:
        municipalities_load(path=path, prune=True)

    assert str(excinfo.value.message) == "市区町村 063827 は他のデータから参照されているため削除できません。"
    assert Municipality.objects.filter(code="063827").exists()


@pytest.mark.django_db
def test_municipalities_load_rejects_a_wrong_check_digit(tmp_path):
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for record in records:
        if record["pk"] == "342149":
            record["pk"] = "342148"
    path = _write_fixture(tmp_path / "m.json", records)

    with pytest.raises(MunicipalityLoadError) as excinfo:
        municipalities_load(path=path)

    assert str(excinfo.value.message).startswith(f"ファイル {path} のレコード ")
    assert str(excinfo.value.message).endswith("が不正です（code 342148）。")
    assert Municipality.objects.count() == 0


@pytest.mark.django_db
def test_municipalities_load_rejects_a_missing_file(tmp_path):
    with pytest.raises(MunicipalityLoadError) as excinfo:
        municipalities_load(path=tmp_path / "none.json")

    assert str(excinfo.value.message) == f"ファイル {tmp_path / 'none.json'} がありません。"


@pytest.mark.django_db
def test_load_municipalities_command_prints_counts():
    out = StringIO()

    call_command("load_municipalities", stdout=out)
    call_command("load_municipalities", stdout=out)

    assert out.getvalue().splitlines() == [
        "都道府県: 新規 47、更新 0、変更なし 0、削除 0",
        "市区町村・行政区: 新規 1912、更新 0、変更なし 0、削除 0",
        "都道府県: 新規 0、更新 0、変更なし 47、削除 0",
        "市区町村・行政区: 新規 0、更新 0、変更なし 1912、削除 0",
    ]
    assert Municipality.objects.filter(kind=MunicipalityKind.WARD).count() == 171


@pytest.mark.django_db
def test_load_municipalities_command_fails_with_one_line_on_a_missing_file(tmp_path):
    with pytest.raises(CommandError) as excinfo:
        call_command("load_municipalities", path=tmp_path / "none.json")

    assert str(excinfo.value) == f"ファイル {tmp_path / 'none.json'} がありません。"


@pytest.mark.django_db
def test_fixture_loads_with_loaddata_too():
    call_command("loaddata", str(FIXTURE), verbosity=0)

    assert (Prefecture.objects.count(), Municipality.objects.count()) == (47, 1912)
