"""Geometry for the server-side SVG charts (readable without JavaScript, no external tiles)."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .models import SurveyTotal
from .selectors import PrefectureCoverage

# (column, row) of each prefecture in a 12 × 10 tile grid of Japan, north-east at the top right.
PREFECTURE_TILES = {
    "01": (11, 0), "02": (11, 1), "05": (10, 2), "03": (11, 2),
    "18": (6, 3), "17": (7, 3), "16": (8, 3), "15": (9, 3), "06": (10, 3), "04": (11, 3),
    "32": (2, 4), "31": (3, 4), "28": (4, 4), "26": (5, 4), "25": (6, 4), "21": (7, 4), "20": (8, 4),
    "10": (9, 4), "09": (10, 4), "07": (11, 4),
    "35": (1, 5), "34": (2, 5), "33": (3, 5), "27": (4, 5), "29": (5, 5), "24": (6, 5), "23": (7, 5),
    "19": (8, 5), "11": (9, 5), "08": (10, 5),
    "41": (0, 6), "40": (1, 6), "30": (5, 6), "22": (8, 6), "13": (9, 6), "12": (10, 6),
    "42": (0, 7), "43": (1, 7), "44": (2, 7), "38": (3, 7), "37": (4, 7), "14": (9, 7),
    "46": (0, 8), "45": (1, 8), "39": (3, 8), "36": (4, 8),
    "47": (0, 9),
}
TILE = 44
TILE_GAP = 4
# Five steps of coverage, lightest to darkest (colour-blind safe blues), and "no municipalities".
COVERAGE_STEPS = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA_FILL = "#e9ecef"


@dataclass(frozen=True)
class Tile:
    code: str
    label: str
    x: int
    y: int
    fill: str
    text_fill: str
    highlighted: bool
    title: str


def short_prefecture_name(name: str) -> str:
    """「広島県」→「広島」, 「東京都」→「東京」, 「北海道」 stays whole."""
    return name[:-1] if name[-1:] in ("県", "府") or name == "東京都" else name


def coverage_step(share: float | None) -> int | None:
    if share is None:
        return None
    return min(int(share * len(COVERAGE_STEPS)), len(COVERAGE_STEPS) - 1)


def tile_grid(coverage: Sequence[PrefectureCoverage], *, highlight: str = "") -> dict:
    tiles = []
    for item in coverage:
        column, row = PREFECTURE_TILES.get(item.prefecture.code, (0, 0))
        step = coverage_step(item.share)
        if highlight:
            fill = "#08519c" if item.prefecture.code == highlight else NO_DATA_FILL
            dark = item.prefecture.code == highlight
        else:
            fill = NO_DATA_FILL if step is None else COVERAGE_STEPS[step]
            dark = step is not None and step >= 3
        share_text = "—" if item.share is None else f"{item.share:.0%}"
        tiles.append(
            Tile(
                code=item.prefecture.code,
                label=short_prefecture_name(item.prefecture.name),
                x=column * (TILE + TILE_GAP),
                y=row * (TILE + TILE_GAP),
                fill=fill,
                text_fill="#ffffff" if dark else "#212529",
                highlighted=item.prefecture.code == highlight,
                title=f"{item.prefecture.local_name} {share_text} ({item.covered}/{item.municipalities})",
            )
        )
    return {
        "tiles": tiles,
        "tile": TILE,
        "width": 12 * (TILE + TILE_GAP),
        "height": 10 * (TILE + TILE_GAP),
        "legend": [
            {"fill": fill, "label": f"{i * 100 // len(COVERAGE_STEPS)}–{(i + 1) * 100 // len(COVERAGE_STEPS)}%"}
            for i, fill in enumerate(COVERAGE_STEPS)
        ],
    }


@dataclass(frozen=True)
class Bar:
    """One fiscal year's row: the organizations bar and, below it, the municipalities bar."""

    year: int
    label: str
    value: int | None
    municipalities: int | None
    y: float
    municipalities_y: float
    width: float
    municipalities_width: float
    center_y: float
    municipalities_center_y: float
    value_x: float
    municipalities_value_x: float


def _nice_ceiling(value: int) -> int:
    if value <= 0:
        return 1
    magnitude = 10 ** int(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return 10 * magnitude


# The chart is drawn about as wide as a phone's column (user units ≈ CSS px at 390 px), so its
# text keeps FONT_SIZE there instead of shrinking with a wide drawing; larger screens cap its width.
CHART_WIDTH = 360
FONT_SIZE = 13
LABEL_RIGHT = 70  # room for 「平成28年度」 at FONT_SIZE
BAR_LEFT = 76
VALUE_ROOM = 52  # 「10,000」 after the longest bar
ROW = 40
BAR = 16
MUNICIPALITIES_BAR = 10
BAR_GAP = 3
ALL_MUNICIPALITIES = 1741  # all 市区町村, the survey's denominator


def survey_bar_chart(totals: Sequence[SurveyTotal]) -> dict:
    """One row per fiscal year: organizations (scale up to a round ceiling) and, below,
    municipalities with an RMO (scale: all 1,741). Every bar carries its value as text."""
    top = 4
    plot_w = CHART_WIDTH - BAR_LEFT - VALUE_ROOM
    max_orgs = _nice_ceiling(max((t.organizations or 0) for t in totals) if totals else 0)
    bars = []
    for i, total in enumerate(totals):
        y = top + i * ROW
        width = plot_w * (total.organizations or 0) / max_orgs
        municipalities_width = plot_w * (total.municipalities_with_rmo or 0) / ALL_MUNICIPALITIES
        bars.append(
            Bar(
                year=total.fiscal_year,
                label=total.era_label or str(total.fiscal_year),
                value=total.organizations,
                municipalities=total.municipalities_with_rmo,
                y=y,
                municipalities_y=y + BAR + BAR_GAP,
                width=round(width, 1),
                municipalities_width=round(municipalities_width, 1),
                center_y=y + BAR / 2,
                municipalities_center_y=y + BAR + BAR_GAP + MUNICIPALITIES_BAR / 2,
                value_x=round(BAR_LEFT + width + 4, 1),
                municipalities_value_x=round(BAR_LEFT + municipalities_width + 4, 1),
            )
        )
    return {
        "width": CHART_WIDTH,
        "height": top + len(totals) * ROW,
        "font_size": FONT_SIZE,
        "label_right": LABEL_RIGHT,
        "bar_left": BAR_LEFT,
        "bar_height": BAR,
        "municipalities_bar_height": MUNICIPALITIES_BAR,
        "max_organizations": max_orgs,
        "all_municipalities": ALL_MUNICIPALITIES,
        "bars": bars,
    }
