import csv
import io
import json

import pytest
from django.urls import reverse

from organizations.enums import LegalForm
from tests.factories import (
    ActivityCategoryFactory,
    CaseStudyFactory,
    MunicipalityFactory,
    OrganizationFactory,
    SurveyTotalFactory,
    make_ikuwa,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/organizations/"


def test_url_names_resolve_to_the_public_paths():
    assert reverse("organizations:organization_list") == "/organizations/"
    assert reverse("organizations:organization_detail", kwargs={"pk": 7}) == "/organizations/7/"
    assert reverse("organizations:stats") == "/stats/"
    assert reverse("organizations:export_csv") == "/organizations/export.csv"
    assert reverse("organizations:export_json") == "/organizations/export.json"
    assert reverse("municipalities:municipality_detail", kwargs={"code": "202011"}) == "/municipalities/202011/"
    assert reverse("municipalities:prefecture_detail", kwargs={"code": "20"}) == "/prefectures/20/"


@pytest.mark.parametrize("query", ["ｲｸﾜ", "いくわ", "イクワ", "生桑"])
def test_list_search_finds_ikuwa(client, query):
    ikuwa = make_ikuwa()
    OrganizationFactory(name="鬼無里地区住民自治協議会")

    response = client.get(LIST_URL, {"q": query})

    assert response.status_code == 200
    assert list(response.context["organizations"]) == [ikuwa]
    assert response.context["page_obj"].paginator.count == 1


def _rows(n):
    activity = ActivityCategoryFactory(slug="watching", name="声かけ・見守りサービス")
    for _ in range(n):
        OrganizationFactory(activities=[activity], legal_form=LegalForm.NPO)


@pytest.mark.parametrize("rows", [1, 3])
def test_list_query_count_is_fixed(client, django_assert_num_queries, rows):
    _rows(rows)

    # prefectures, activities, facets with the total, activity facet, page, page's activities
    with django_assert_num_queries(6):
        response = client.get(LIST_URL, {"q": "テスト", "activity": "watching", "pref": "34"})

    assert len(response.context["organizations"]) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_municipality_page_query_count_is_fixed(client, django_assert_num_queries, rows):
    municipality = MunicipalityFactory(code="202011")
    activity = ActivityCategoryFactory()
    for _ in range(rows):
        OrganizationFactory(municipality=municipality, activities=[activity])

    # municipality, count, page, page's activities, seminars attended, summits attended
    with django_assert_num_queries(6):
        response = client.get("/municipalities/202011/")

    assert len(response.context["organizations"]) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_prefecture_page_query_count_is_fixed(client, django_assert_num_queries, rows):
    for _ in range(rows):
        OrganizationFactory(municipality=MunicipalityFactory(prefecture_code="20"))
    MunicipalityFactory(prefecture_code="20")

    # prefecture, counts, municipalities
    with django_assert_num_queries(3):
        response = client.get("/prefectures/20/")

    assert len(response.context["with_organizations"]) == rows
    assert len(response.context["without_organizations"]) == 1


@pytest.mark.parametrize("rows", [1, 3])
def test_stats_query_count_is_fixed(client, django_assert_num_queries, rows):
    SurveyTotalFactory()
    for _ in range(rows):
        OrganizationFactory(municipality=MunicipalityFactory(prefecture_code="20"))

    # totals, coverage, municipality totals, prefectures, demo count
    with django_assert_num_queries(5):
        response = client.get("/stats/")

    assert response.context["registered"] == rows


def test_list_ignores_unknown_filters_with_notices(client):
    ikuwa = make_ikuwa()

    response = client.get(
        LIST_URL, {"pref": "99", "municipality": "999999", "activity": "nope", "legal_form": "x", "sort": "y"}
    )

    assert response.status_code == 200
    assert list(response.context["organizations"]) == [ikuwa]
    assert response.context["notices"] == [
        "活動内容の指定に登録されていない値があるため、その値を条件から外しました。",
        "都道府県の指定が正しくないため、条件から外しました。",
        "市区町村：市区町村コード「999999」は見つかりません。 条件から外しました。",
        "組織形態の指定が正しくないため、条件から外しました。",
        "並び順の指定が正しくないため、条件から外しました。",
    ]


def test_list_page_past_the_end_shows_the_last_page(client):
    for _ in range(21):
        OrganizationFactory()

    response = client.get(LIST_URL, {"page": "99"})

    assert response.context["page_obj"].number == 2
    assert len(response.context["organizations"]) == 1


def test_list_page_not_a_number_shows_the_first_page(client):
    OrganizationFactory()

    response = client.get(LIST_URL, {"page": "abc"})

    assert response.context["page_obj"].number == 1


def test_list_long_query_is_cut_with_a_notice(client):
    response = client.get(LIST_URL, {"q": "あ" * 500})

    assert response.status_code == 200
    assert response.context["notices"] == ["キーワードが長すぎるため、先頭の100文字で検索しました。"]


def test_list_control_characters_are_dropped(client):
    ikuwa = make_ikuwa()

    response = client.get(LIST_URL, {"q": "\x00生桑\x1b"})

    assert response.status_code == 200
    assert list(response.context["organizations"]) == [ikuwa]


def test_list_shows_the_demo_badge_and_the_license(client):
    OrganizationFactory(name="デモの会", is_demo=True)

    body = client.get(LIST_URL).content.decode()

    assert '<span class="badge text-bg-warning"' in body
    assert "ライセンス：CC BY 4.0" in body
    assert "出典：総務省『全国地方公共団体コード』を加工して作成" in body


def test_detail_page_shows_municipality_activities_case_study_and_map(client):
    ikuwa = make_ikuwa()
    ikuwa.activities.add(ActivityCategoryFactory(name="店舗・ガソリンスタンド運営"))
    CaseStudyFactory(organization=ikuwa, title="複合施設", body="一段落目。\n二段落目。")

    response = client.get(f"/organizations/{ikuwa.pk}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "広島県安芸高田市" in body
    assert "店舗・ガソリンスタンド運営" in body
    assert "<p>一段落目。</p>" in body and "<p>二段落目。</p>" in body
    assert body.count("<rect") == 1  # only the prefectures present in the test database, here 広島
    assert 'aria-current="true"' in body
    assert "https://" not in body.split("<svg")[1].split("</svg>")[0].replace("http://www.w3.org/2000/svg", "")


def test_detail_map_is_drawn_once_per_prefecture(client, settings, django_assert_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # fresh pages, so that only the map is kept
    ikuwa = make_ikuwa()
    neighbour = OrganizationFactory(municipality=ikuwa.municipality, name="川根振興協議会")
    first = client.get(f"/organizations/{ikuwa.pk}/").content.decode()

    # The organization with its relations (4 queries): the prefectures for the map are not read.
    with django_assert_num_queries(4):
        second = client.get(f"/organizations/{neighbour.pk}/").content.decode()

    assert _tile_map(second) == _tile_map(first)
    assert 'aria-current="true"' in _tile_map(second)


def _tile_map(body: str) -> str:
    return body.split('<figure class="rmo-tile-map')[1].split("</figure>")[0]


def test_detail_of_a_draft_is_a_helpful_404(client):
    draft = OrganizationFactory(is_published=False)

    response = client.get(f"/organizations/{draft.pk}/")

    assert response.status_code == 404
    assert f"番号 {draft.pk} の地域運営組織は登録されていないか、公開されていません。" in response.content.decode()


def test_detail_of_a_draft_is_visible_to_staff(admin_client):
    draft = OrganizationFactory(is_published=False)

    response = admin_client.get(f"/organizations/{draft.pk}/")

    assert response.status_code == 200
    assert "非公開（下書き）" in response.content.decode()


def test_detail_unknown_id_is_404(client):
    assert client.get("/organizations/123456/").status_code == 404
    assert client.get("/organizations/abc/").status_code == 404


def test_stats_page_shows_chart_table_and_registered_share(client):
    SurveyTotalFactory(fiscal_year=2022, era_label="令和4年度", organizations=7207, municipalities_with_rmo=853)
    SurveyTotalFactory(fiscal_year=2024, era_label="令和6年度", organizations=8193, municipalities_with_rmo=893)
    make_ikuwa()

    response = client.get("/stats/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "このディレクトリに登録済み：8,193組織（令和6年度調査）のうち 1組織" in body
    assert "うちデモデータ" not in body
    assert [bar.value for bar in response.context["chart"]["bars"]] == [7207, None, 8193]
    assert "データなし" in body
    assert "<table" in body and "7,207" in body
    assert "<script" not in body.split("<main")[1]


def test_home_include_renders_case_study_cards(client):
    from django.template.loader import render_to_string

    from organizations.selectors import case_studies_featured

    CaseStudyFactory(organization=make_ikuwa(), title="複合施設を地域で守る")

    html = render_to_string("organizations/includes/case_study_cards.html", {"case_studies": case_studies_featured()})

    assert "生桑振興会" in html and "複合施設を地域で守る" in html and "広島県安芸高田市" in html


# ---------------------------------------------------------------- exports


def _seed_export():
    activity = ActivityCategoryFactory(slug="watching", name="声かけ・見守りサービス")
    ikuwa = make_ikuwa()
    ikuwa.activities.add(activity)
    OrganizationFactory(municipality=MunicipalityFactory(code="202011"), name="古牧地区住民自治協議会", is_demo=True)
    OrganizationFactory(name="下書き", is_published=False)
    return ikuwa


def test_export_csv_has_bom_and_parses_back_with_filters(client):
    _seed_export()

    response = client.get("/organizations/export.csv", {"pref": "34"})

    content = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/deed.ja>; rel="license"'
    assert content.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(content.removeprefix("\ufeff"))))
    assert len(rows) == 1
    assert rows[0]["名称"] == "生桑振興会"
    assert rows[0]["市区町村コード"] == "342149"
    assert rows[0]["活動内容"] == "声かけ・見守りサービス"
    assert rows[0]["デモデータ"] == "0"


def test_export_json_parses_back_with_license_metadata(client):
    _seed_export()

    response = client.get("/organizations/export.json")

    data = json.loads(b"".join(response.streaming_content))
    assert data["metadata"]["license"] == "CC BY 4.0"
    assert "全国地方公共団体コード" in data["metadata"]["attribution"]
    assert [(o["name"], o["is_demo"]) for o in data["organizations"]] == [
        ("古牧地区住民自治協議会", True),
        ("生桑振興会", False),
    ]
    assert data["organizations"][1]["activities"] == ["声かけ・見守りサービス"]


def test_export_json_empty_result_is_valid_json(client):
    data = json.loads(b"".join(client.get("/organizations/export.json", {"q": "該当なし"}).streaming_content))

    assert data["organizations"] == []
