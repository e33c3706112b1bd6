"""Geometry of the statistics chart: one row per year, bars to scale, every value inside the drawing."""

from organizations import charts
from organizations.models import SurveyTotal


def _totals() -> list[SurveyTotal]:
    return [
        SurveyTotal(fiscal_year=2016, era_label="平成28年度", organizations=3071, municipalities_with_rmo=609),
        SurveyTotal(fiscal_year=2017, era_label="平成29年度"),
        SurveyTotal(fiscal_year=2018, era_label="平成30年度", organizations=4787, municipalities_with_rmo=None),
    ]


def test_survey_bar_chart_draws_one_row_per_year_to_scale():
    chart = charts.survey_bar_chart(_totals())

    assert (chart["width"], chart["height"], chart["font_size"]) == (360, 124, 13)
    assert chart["max_organizations"] == 5000
    plot_width = 360 - 76 - 52
    assert [(bar.label, bar.value, bar.municipalities, bar.y, bar.municipalities_y) for bar in chart["bars"]] == [
        ("平成28年度", 3071, 609, 4, 23),
        ("平成29年度", None, None, 44, 63),
        ("平成30年度", 4787, None, 84, 103),
    ]
    assert [bar.width for bar in chart["bars"]] == [round(plot_width * 3071 / 5000, 1), 0, round(plot_width * 4787 / 5000, 1)]
    assert chart["bars"][0].municipalities_width == round(plot_width * 609 / 1741, 1)
    assert chart["bars"][0].value_x == round(76 + plot_width * 3071 / 5000 + 4, 1)


def test_survey_bar_chart_leaves_room_for_the_longest_value_and_label():
    chart = charts.survey_bar_chart(
        [SurveyTotal(fiscal_year=2024, era_label="令和6年度", organizations=10000, municipalities_with_rmo=1741)]
    )

    bar = chart["bars"][0]
    # 「10,000」 at 13 px: six characters of at most 0.6 em.
    assert bar.value_x + 6 * 0.6 * chart["font_size"] <= chart["width"]
    assert bar.municipalities_value_x == bar.value_x
    # 「平成28年度」: four full-width characters and two digits end at label_right.
    assert (4 + 2 * 0.6) * chart["font_size"] <= chart["label_right"] < chart["bar_left"]


def test_survey_bar_chart_keeps_rows_apart_at_its_font_size():
    chart = charts.survey_bar_chart(_totals())

    centers = [y for bar in chart["bars"] for y in (bar.center_y, bar.municipalities_center_y)]
    assert min(b - a for a, b in zip(centers, centers[1:], strict=False)) >= chart["font_size"]
