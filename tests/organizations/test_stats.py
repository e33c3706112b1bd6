"""The public statistics page /stats/: the survey table and chart, their source notes, and the
survey's count stated beside what this portal holds."""

import csv
import re
from pathlib import Path

import pytest
from django.conf import settings

from organizations import services
from organizations.survey_sources import SOURCE_NOTES
from tests.factories import MunicipalityFactory, OrganizationFactory, SurveyTotalFactory
from tests.portal.html import find_all, texts

pytestmark = pytest.mark.django_db

# The repository's copy; tests/organizations/test_services.py checks it equals the shared data.
SURVEY_CSV = Path(settings.BASE_DIR) / "fixtures" / "rmo_survey_totals.csv"
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _load_survey_csv() -> None:
    with SURVEY_CSV.open(encoding="utf-8-sig", newline="") as handle:
        services.survey_totals_load(rows=csv.DictReader(handle))


def _totals_rows(body: str) -> list[str]:
    table = body.split('<table class="table table-sm rmo-totals">')[1].split("</table>")[0]
    return texts(table.split("<tbody>")[1], "tr")


def _counts(body: str) -> str:
    return body.split('<ul class="list-unstyled lead rmo-counts">')[1].split("</ul>")[0]


def _chart(body: str) -> str:
    return body.split('<figure class="rmo-chart">')[1].split("</figure>")[0]


def test_stats_table_shows_a_dash_for_years_without_figures(client):
    _load_survey_csv()

    body = client.get("/stats/").content.decode()

    assert "None" not in body
    rows = _totals_rows(body)
    assert len(rows) == 9
    # The dash is hidden from screen readers, which hear the words instead.
    assert rows[4] == "令和2年度（2020） —数値なし —数値なし —出典なし"
    assert rows[7] == "令和5年度（2023） —数値なし —数値なし —出典なし"
    assert texts(body, "caption")[0] == "年度別の調査結果（「—」は検証済みの数値がない年度）"


def test_stats_chart_labels_years_without_figures_and_titles_only_drawn_bars(client):
    _load_survey_csv()

    chart = _chart(client.get("/stats/").content.decode())

    assert "None" not in chart
    assert texts(chart, "text", fill="#6c757d") == ["データなし", "データなし"]
    assert texts(chart, "title")[1:] == [
        f"{year}の{series}：{value}"
        for year, organizations, municipalities in [
            ("平成28年度", "3,071", "609"),
            ("平成29年度", "4,177", "675"),
            ("平成30年度", "4,787", "711"),
            ("令和元年度", "5,236", "742"),
            ("令和3年度", "6,064", "814"),
            ("令和4年度", "7,207", "853"),
            ("令和6年度", "8,193", "893"),
        ]
        for series, value in [("組織数", organizations), ("形成市区町村数", municipalities)]
    ]


def test_stats_chart_marks_a_single_missing_series_in_its_own_row(client):
    SurveyTotalFactory(fiscal_year=2023, era_label="令和5年度", organizations=7900, municipalities_with_rmo=None)
    SurveyTotalFactory(fiscal_year=2024, era_label="令和6年度", organizations=8193, municipalities_with_rmo=893)

    response = client.get("/stats/")

    chart = _chart(response.content.decode())
    first = response.context["chart"]["bars"][0]
    missing = find_all(chart, "text", fill="#6c757d")
    assert [(element.text, element.attrs["y"]) for element in missing] == [("データなし", str(first.municipalities_center_y))]
    assert texts(chart, "title")[1:] == ["令和5年度の組織数：7,900", "令和6年度の組織数：8,193", "令和6年度の形成市区町村数：893"]


def test_stats_source_notes_are_japanese_and_name_the_csv_sources(client):
    _load_survey_csv()

    rows = _totals_rows(client.get("/stats/").content.decode())

    sources = [row.split(" ", 3)[3] for row in rows]
    assert [LATIN_WORD.findall(source) for source in sources] == [[]] * 9
    assert sources[1] == (
        "平成30年度の4,787組織（711市町村）が平成29年度より610組織（36市町村）多いとする報道"
        "（日本農業新聞 2019年3月、総務省調査の報道）から算出"
    )
    assert sources[2] == "総務省調査（日本農業新聞の報道による。1,741市区町村対象、1,722回答）"
    assert sources[3] == "総務省「令和元年度地域運営組織の活動状況におけるアンケート調査結果」（1,741市区町村対象、1,694回答）"
    assert sources[8] == "総務省地域振興室 事業説明資料（令和8年度概算要求）：8,193組織、893団体（令和6年度総務省調査）"


def test_every_source_in_the_survey_csv_has_a_japanese_note():
    with SURVEY_CSV.open(encoding="utf-8-sig", newline="") as handle:
        sources = [row["source"] for row in csv.DictReader(handle)]

    assert [source for source in sources if source not in SOURCE_NOTES] == []
    assert [str(SOURCE_NOTES[source]) for source in sources if LATIN_WORD.search(str(SOURCE_NOTES[source]))] == []


def test_stats_source_typed_by_staff_is_shown_as_typed(client):
    SurveyTotalFactory(source="総務省 令和6年度調査（速報値）")

    rows = _totals_rows(client.get("/stats/").content.decode())

    assert rows == ["令和6年度（2024） 8,193 893 総務省 令和6年度調査（速報値）"]


def test_stats_states_the_survey_count_beside_the_registry_count(client):
    SurveyTotalFactory(fiscal_year=2022, era_label="令和4年度", organizations=7207, municipalities_with_rmo=853)
    SurveyTotalFactory(fiscal_year=2024, era_label="令和6年度", organizations=8193, municipalities_with_rmo=893)
    city = MunicipalityFactory(code="342149")
    OrganizationFactory(municipality=city)
    OrganizationFactory(municipality=city, is_demo=True)
    OrganizationFactory(municipality=MunicipalityFactory(code="202011"))
    OrganizationFactory(municipality=MunicipalityFactory(code="202029"), is_published=False)

    body = client.get("/stats/").content.decode()

    assert texts(_counts(body), "li") == [
        "調査（令和6年度）で把握された組織数：8,193（形成市区町村数：893）",
        "このポータルに登録されている組織：4（うち公開 3）",
        "公開中の組織がある市区町村：2",
        "公開中の組織のうちデモデータ：1",
    ]
    assert texts(body, "p", class_="small text-body-secondary")[0] == (
        "調査の数は総務省が全国の市区町村を対象に行った調査で把握した組織の数、"
        "このポータルの数はここに登録された組織の数で、数え方が異なります。"
    )


def test_stats_without_survey_totals_still_states_the_registry_count(client):
    OrganizationFactory()

    response = client.get("/stats/")

    body = response.content.decode()
    assert response.context["chart"] is None
    assert texts(_counts(body), "li") == ["このポータルに登録されている組織：1（うち公開 1）", "公開中の組織がある市区町村：1"]
    assert _totals_rows(body) == ["調査結果はまだ登録されていません。"]
    assert "None" not in body
