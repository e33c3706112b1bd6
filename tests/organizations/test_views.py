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
    PrefectureFactory,
    SurveyTotalFactory,
    make_ikuwa,
)
from tests.portal.html import find_all, texts

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

    # prefectures, activities, facets with the total, activity facet, page, page's activities,
    # and the chosen prefecture's municipalities for the municipality field's suggestions
    with django_assert_num_queries(7):
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

    # totals, coverage, municipality totals, prefectures, registry counts
    with django_assert_num_queries(5):
        response = client.get("/stats/")

    assert response.context["registry"].published == rows


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
        "市区町村：「999999」に当たる市区町村は見つかりません。 条件から外しました。",
        "組織形態の指定が正しくないため、条件から外しました。",
        "並び順の指定が正しくないため、条件から外しました。",
    ]


def test_list_links_carry_each_valid_filter_once_and_nothing_else_from_the_address(client):
    """The hole: every repeated or unknown parameter was copied into every facet link (a 4 KB
    address gave a page of half a megabyte)."""
    bousai = ActivityCategoryFactory(slug="bousai", name="防災")
    OrganizationFactory(name="生桑振興会").activities.add(bousai)
    address = "/organizations/?" + "&".join(["activity=bousai"] * 200 + ["junk=" + "x" * 20] * 100 + ["q=%E7%94%9F%E6%A1%91"])

    response = client.get(address)

    links = [a.attrs["href"] for a in find_all(response.content, "a") if a.attrs.get("href", "").startswith("?")]
    assert links and all("junk" not in link for link in links)
    assert max(link.count("activity=bousai") for link in links) == 1
    export = next(a.attrs["href"] for a in find_all(response.content, "a") if a.attrs.get("href", "").startswith("/organizations/export.csv"))
    assert export == "/organizations/export.csv?q=%E7%94%9F%E6%A1%91&activity=bousai"
    assert len(response.content) < 60_000


def _result_names(response) -> list[str]:
    return [organization.name for organization in response.context["organizations"]]


@pytest.mark.parametrize("query", ["安芸高田市", "広島県", "あきたかた", "アキタカタ"])
def test_a_citizen_typing_their_city_or_prefecture_finds_its_organizations(client, query):
    make_ikuwa()

    response = client.get(LIST_URL, {"q": query})

    assert _result_names(response) == ["生桑振興会"]


def test_romaji_search_that_finds_nothing_offers_the_reading_in_kana(client):
    make_ikuwa()

    response = client.get(LIST_URL, {"q": "ikuwa"})

    assert _result_names(response) == []
    links = [(a.text, a.attrs["href"]) for a in find_all(response.content, "a") if a.text.startswith("かなの")]
    assert links == [("かなの「いくわ」で探す", "/organizations/?q=%E3%81%84%E3%81%8F%E3%82%8F")]


def test_search_for_a_municipality_without_organizations_offers_its_page(client):
    make_ikuwa()
    nagano = MunicipalityFactory(code="202011")

    response = client.get(LIST_URL, {"q": "長野市"})

    assert _result_names(response) == []
    links = [(a.text, a.attrs["href"]) for a in find_all(response.content, "a") if a.text.endswith("のページを見る")]
    assert links == [("長野県長野市のページを見る", nagano.get_absolute_url())]


def test_search_narrowed_to_nothing_offers_the_same_words_without_the_filters(client):
    make_ikuwa()

    response = client.get(LIST_URL, {"q": "生桑", "legal_form": "npo"})

    links = [(a.text, a.attrs["href"]) for a in find_all(response.content, "a") if a.text.startswith("絞り込みを外して")]
    assert links == [("絞り込みを外して「生桑」で探す（1件）", "/organizations/?q=%E7%94%9F%E6%A1%91")]


@pytest.mark.parametrize("typed", ["安芸高田市", "広島県安芸高田市", "あきたかたし", "342149", "34214"])
def test_municipality_filter_takes_a_name_or_a_code(client, typed):
    make_ikuwa()
    OrganizationFactory(name="古牧地区住民自治協議会", municipality=MunicipalityFactory(code="202011"))

    response = client.get(LIST_URL, {"municipality": typed})

    assert _result_names(response) == ["生桑振興会"]
    assert find_all(response.content, "input", name="municipality")[0].attrs["value"] == "広島県安芸高田市"
    assert response.context["query"]["municipality"] == "342149"


def test_municipality_name_shared_by_two_prefectures_asks_which(client):
    PrefectureFactory(code="13")
    tokyo_fuchu = MunicipalityFactory(code="132063", name="府中市", name_kana="ふちゅうし")
    hiroshima_fuchu = MunicipalityFactory(code="342084", name="府中市", name_kana="ふちゅうし")

    response = client.get(LIST_URL, {"municipality": "府中市"})

    assert response.context["notices"] == [
        "市区町村：「府中市」に当たる市区町村が2件あります。下の候補から選んでください。 条件から外しました。"
    ]
    choices = [(a.text, a.attrs["href"]) for a in find_all(response.content, "a") if a.text.endswith("府中市")]
    assert choices == [
        ("東京都府中市", f"?municipality={tokyo_fuchu.code}"),
        ("広島県府中市", f"?municipality={hiroshima_fuchu.code}"),
    ]


def test_results_come_before_the_facets_and_the_filters_are_behind_a_disclosure(client):
    make_ikuwa()

    html = client.get(LIST_URL).content.decode()

    assert html.index('id="rmo-results-heading"') < html.index('class="col-12 col-lg-3 rmo-facets')
    assert html.index("<details class=\"rmo-filters mt-2\">") < html.index('id="rmo-pref"')


def test_filters_disclosure_is_open_when_a_filter_is_set(client):
    make_ikuwa()

    html = client.get(LIST_URL, {"pref": "34"}).content.decode()

    assert '<details class="rmo-filters mt-2" open>' in html


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
    assert "ライセンス：公共データ利用規約（第1.0版）（PDL1.0）" in body
    assert '<a href="/organizations/open-data/">出典の記載例・日付付きスナップショット・項目の説明</a>' in body


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


def test_draft_shown_to_staff_carries_a_banner_saying_the_public_cannot_see_it(admin_client):
    draft = OrganizationFactory(is_published=False)

    response = admin_client.get(f"/organizations/{draft.pk}/")

    banner = find_all(response.content, "div", class_="alert alert-danger")
    assert len(banner) == 1 and banner[0].attrs["role"] == "status"
    assert texts(response.content, "p", class_="mb-1 fw-bold") == ["この組織は公開されていません。"]
    assert f'href="/admin/organizations/organization/{draft.pk}/change/"' in response.content.decode()


def test_published_organization_shows_no_draft_banner_to_staff(admin_client):
    published = OrganizationFactory(is_published=True)

    response = admin_client.get(f"/organizations/{published.pk}/")

    assert find_all(response.content, "div", class_="alert alert-danger") == []


def test_draft_is_a_404_for_event_staff_who_do_not_keep_the_registry(client):
    from django.contrib.auth.models import Group, User

    from portal.roles import EVENT_STAFF

    event_staff = User.objects.create_user("event-only", is_staff=True)
    event_staff.groups.add(Group.objects.get(name=EVENT_STAFF))
    client.force_login(event_staff)
    draft = OrganizationFactory(is_published=False)

    assert client.get(f"/organizations/{draft.pk}/").status_code == 404


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
    assert "調査（令和6年度）で把握された組織数：8,193" in body
    assert "このポータルに登録されている組織：1（うち公開 1）" in body
    assert "デモデータ" not in body
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
    assert response["Link"] == (
        '<https://www.digital.go.jp/resources/open_data/public_data_license_v1.0>; rel="license", '
        '<http://testserver/organizations/open-data/>; rel="describedby"'
    )
    assert response["X-License"] == "PDL1.0"
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
    assert {key: data["metadata"][key] for key in ("license", "license_code", "license_url", "attribution")} == {
        "license": "公共データ利用規約（第1.0版）",
        "license_code": "PDL1.0",
        "license_url": "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0",
        "attribution": "出典：「地域運営組織（RMO）ディレクトリ」（総務省 地域力創造グループ 地域振興室）"
        "（http://testserver/organizations/open-data/）",
    }
    assert data["metadata"]["attribution_if_processed"] == (
        "「地域運営組織（RMO）ディレクトリ」（総務省 地域力創造グループ 地域振興室）"
        "（http://testserver/organizations/open-data/）を加工して作成"
    )
    assert data["metadata"]["source_note"] == "市区町村コード・名称は総務省「全国地方公共団体コード」を加工して作成しています。"
    assert [(o["name"], o["is_demo"]) for o in data["organizations"]] == [
        ("古牧地区住民自治協議会", True),
        ("生桑振興会", False),
    ]
    assert data["organizations"][1]["activities"] == ["声かけ・見守りサービス"]


@pytest.mark.parametrize(
    ("query", "reasons"),
    [
        ({"pref": "99"}, ["都道府県：正しく選択してください。 99 は候補にありません。"]),
        (
            {"prefecture": "34"},
            ["「prefecture」は使えない条件です（使える条件：q, pref, municipality, activity, legal_form, area_type, sort）。"],
        ),
        ({"activity": ["watching", "nope"]}, ["活動内容：登録されていない値です（nope）。"]),
        ({"municipality": "存在しない市"}, ["市区町村：「存在しない市」に当たる市区町村は見つかりません。"]),
        ({"pref": ["34", "20"]}, ["都道府県が複数指定されています。1つにしてください。"]),
        ({"q": "あ" * 101}, ["キーワード：100文字以内で指定してください。"]),
    ],
)
def test_export_with_an_unusable_filter_is_refused_with_the_reason_not_the_whole_registry(client, query, reasons):
    _seed_export()

    as_json = client.get("/organizations/export.json", query)
    as_csv = client.get("/organizations/export.csv", query)

    assert (as_json.status_code, as_json["Content-Type"], as_json.json()) == (400, "application/json", {"errors": reasons})
    assert (as_csv.status_code, as_csv["Content-Type"]) == (400, "text/html; charset=utf-8")
    assert texts(as_csv.content, "li", class_="export-refusal") == reasons
    assert "Content-Disposition" not in as_csv


def test_export_json_empty_result_is_valid_json(client):
    data = json.loads(b"".join(client.get("/organizations/export.json", {"q": "該当なし"}).streaming_content))

    assert data["organizations"] == []
