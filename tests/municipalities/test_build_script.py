"""scripts/build_municipalities.py: its checks, on the committed fixture (no download needed)."""

import importlib.util
import json
import sys

import pytest
from django.conf import settings

from .conftest import FIXTURE

_spec = importlib.util.spec_from_file_location(
    "build_municipalities", settings.BASE_DIR / "scripts" / "build_municipalities.py"
)
build = sys.modules.setdefault("build_municipalities", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(build)


def _built_rows():
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    prefectures = [
        {"code": r["pk"], **r["fields"]} for r in records if r["model"] == "municipalities.prefecture"
    ]
    municipalities = [
        {"code": r["pk"], **r["fields"]} for r in records if r["model"] == "municipalities.municipality"
    ]
    return prefectures, municipalities


def test_committed_fixture_passes_the_build_checks():
    prefectures, municipalities = _built_rows()

    assert build.verify(prefectures, municipalities) is None


def test_build_checks_fail_loudly_on_a_count_difference():
    prefectures, municipalities = _built_rows()
    municipalities = [m for m in municipalities if m["code"] != "221406"]  # 浜松市天竜区

    with pytest.raises(build.BuildError) as excinfo:
        build.verify(prefectures, municipalities)

    assert str(excinfo.value) == "verification failed:\n  ward: 170 rows, expected 171 as of 2024-01-01"


def test_build_checks_reject_a_katakana_reading():
    prefectures, municipalities = _built_rows()
    next(m for m in municipalities if m["code"] == "473260")["name_kana"] = "チャタンチョウ"

    with pytest.raises(build.BuildError) as excinfo:
        build.verify(prefectures, municipalities)

    assert str(excinfo.value) == (
        "verification failed:\n"
        "  reading of 473260 北谷町 is not hiragana: 'チャタンチョウ'\n"
        "  473260 北谷町 should read ちゃたんちょう"
    )


def test_halfwidth_kana_becomes_hiragana():
    assert build.halfwidth_kana_to_hiragana("ｻｯﾎﾟﾛｼ") == "さっぽろし"


def test_old_style_large_kana_is_recognised():
    assert build.is_old_style_large_kana("ちやたんちょう", "ちゃたんちょう") is True
    assert build.is_old_style_large_kana("まなつるまち", "まなづるまち") is False


def test_localgov_code_restores_the_leading_zero():
    row = {"pid": "6", "cid": "6382", "lgcode": "63827", "city": "川西町"}

    assert build.localgov_code(row) == "063827"


def test_every_prefecture_stands_where_the_town_hall_of_its_capital_does():
    prefectures, municipalities = _built_rows()
    by_code = {m["code"]: m for m in municipalities}

    located = {
        p["code"]: (p["latitude"], p["longitude"]) == (by_code[code]["latitude"], by_code[code]["longitude"])
        for p in prefectures
        for code, _name in [build.PREFECTURAL_CAPITALS[p["code"]]]
    }

    assert located == {p["code"]: True for p in prefectures} and len(located) == 47


def test_a_prefecture_whose_capital_is_not_in_the_master_stops_the_build():
    prefectures, municipalities = _built_rows()
    municipalities = {m["code"]: m for m in municipalities if m["code"] != "131041"}  # 新宿区

    with pytest.raises(build.BuildError) as excinfo:
        build.locate_prefecture(next(p for p in prefectures if p["code"] == "13"), municipalities)

    assert str(excinfo.value) == "prefecture 13 東京都: capital 131041 新宿区 is not in the master"


def test_build_checks_reject_a_prefecture_without_coordinates():
    prefectures, municipalities = _built_rows()
    prefectures[0]["latitude"] = None

    with pytest.raises(build.BuildError) as excinfo:
        build.verify(prefectures, municipalities)

    assert str(excinfo.value) == "verification failed:\n  prefecture 01 北海道: coordinates missing or outside Japan"
