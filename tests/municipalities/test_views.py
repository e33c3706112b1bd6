import pytest

from municipalities.enums import MunicipalityKind
from tests.factories import MunicipalityFactory, OrganizationFactory, PrefectureFactory
from tests.portal.html import find_all, texts

pytestmark = [pytest.mark.django_db]


def test_municipality_page_lists_its_published_organizations(client):
    nagano = MunicipalityFactory(code="202011")
    komaki = OrganizationFactory(municipality=nagano, name="古牧地区住民自治協議会", name_kana="こまき")
    OrganizationFactory(municipality=nagano, name="下書き", is_published=False)

    response = client.get("/municipalities/202011/")

    assert response.status_code == 200
    assert list(response.context["organizations"]) == [komaki]
    assert "長野県長野市" in response.content.decode()
    assert "出典：総務省『全国地方公共団体コード』を加工して作成" in response.content.decode()


def test_designated_city_page_includes_its_wards_organizations(client):
    city = MunicipalityFactory(code="141003", kind=MunicipalityKind.DESIGNATED_CITY, name="横浜市")
    ward = MunicipalityFactory(code="141011", kind=MunicipalityKind.WARD, name="鶴見区", parent=city)
    organization = OrganizationFactory(municipality=ward)

    response = client.get("/municipalities/141003/")

    assert list(response.context["organizations"]) == [organization]


def test_municipality_code_without_check_digit_or_in_full_width_redirects(client):
    MunicipalityFactory(code="202011")

    assert client.get("/municipalities/20201/").url == "/municipalities/202011/"
    assert client.get("/municipalities/２０２０１１/").url == "/municipalities/202011/"


def test_unknown_municipality_is_a_helpful_404(client):
    response = client.get("/municipalities/999999/")

    assert response.status_code == 404
    assert "「999999」に当たる市区町村はありません。" in response.content.decode()


def test_prefecture_page_splits_municipalities_with_and_without(client):
    nagano = MunicipalityFactory(code="202011")
    matsumoto = MunicipalityFactory(code="202029", name="松本市")
    OrganizationFactory(municipality=nagano)
    OrganizationFactory(municipality=nagano)

    response = client.get("/prefectures/20/")

    assert [(m.name, m.organization_count) for m in response.context["with_organizations"]] == [("長野市", 2)]
    assert response.context["without_organizations"] == [matsumoto]


def test_prefecture_one_digit_redirects_and_unknown_is_404(client):
    MunicipalityFactory(code="063827")

    assert client.get("/prefectures/6/").url == "/prefectures/06/"
    response = client.get("/prefectures/99/")
    assert response.status_code == 404
    assert "01（北海道）から47（沖縄県）までの2桁のコードで指定してください。" in response.content.decode()


def test_municipality_page_says_only_that_a_few_people_took_part(client):
    from summits.services import application_create
    from tests.seminars.factories import make_registration, make_seminar
    from tests.summits.factories import contact, make_summit, mayor

    nagano = MunicipalityFactory(code="202011", name="長野市")
    seminar = make_seminar(title="全国セミナー テスト")
    make_registration(seminar, municipality=nagano)
    make_registration(seminar, municipality=nagano)
    make_registration(seminar, municipality=nagano, status="cancelled")
    summit = make_summit(title="サミット テスト")
    application_create(summit=summit, municipality=nagano, contact=contact(), delegates=[mayor()], consent=True)

    response = client.get("/municipalities/202011/")

    assert [(s.title, s.participants) for s in response.context["seminars_attended"]] == [("全国セミナー テスト", 2)]
    assert [s.title for s in response.context["summits_attended"]] == ["サミット テスト"]
    page = response.content.decode()
    assert "（参加あり）" in page and "参加登録" not in page  # 2 people next to a town name identify them
    assert "参加 太郎" not in page  # never names


def test_municipality_page_counts_participants_from_five(client):
    from tests.seminars.factories import make_registration, make_seminar

    nagano = MunicipalityFactory(code="202011", name="長野市")
    seminar = make_seminar(title="全国セミナー テスト")
    for _ in range(5):
        make_registration(seminar, municipality=nagano)

    page = client.get("/municipalities/202011/").content.decode()

    assert "（参加登録 5名）" in page and "（参加あり）" not in page



@pytest.fixture
def okayama(db):
    PrefectureFactory(code="33", name="岡山県", name_kana="おかやまけん")
    city = MunicipalityFactory(code="331007", name="岡山市", name_kana="おかやまし", kind=MunicipalityKind.DESIGNATED_CITY)
    kita = MunicipalityFactory(code="331015", name="北区", name_kana="きたく", kind=MunicipalityKind.WARD, parent=city)
    higashi = MunicipalityFactory(code="331031", name="東区", name_kana="ひがしく", kind=MunicipalityKind.WARD, parent=city)
    return {"city": city, "kita": kita, "higashi": higashi}


def test_designated_city_page_lists_its_wards(client, okayama):
    response = client.get("/municipalities/331007/")

    wards = [(a.text, a.attrs["href"]) for a in find_all(response.content, "a") if a.attrs.get("href", "").startswith("/municipalities/3310") and "hreflang" not in a.attrs]
    assert wards == [("北区", "/municipalities/331015/"), ("東区", "/municipalities/331031/")]


def test_ward_page_names_the_ward_with_its_city_in_title_and_breadcrumbs(client, okayama):
    response = client.get("/municipalities/331031/")

    assert texts(response.content, "h1") == ["岡山県岡山市東区"]
    assert texts(response.content, "li", class_="breadcrumb-item") == ["ホーム", "岡山県", "岡山市"]
    assert texts(response.content, "li", class_="breadcrumb-item active") == ["東区"]


def test_ward_organizations_are_listed_with_their_city_in_the_name(client, okayama):
    OrganizationFactory(municipality=okayama["higashi"], name="上道地区まちづくり協議会")

    response = client.get("/organizations/")

    places = [a.text for a in find_all(response.content, "a") if a.attrs.get("href") == "/municipalities/331031/"]
    assert places == ["岡山県岡山市東区"]


@pytest.mark.parametrize("rows", [1, 3])
def test_directory_list_of_ward_organizations_costs_a_fixed_number_of_queries(client, okayama, rows, django_assert_num_queries):
    for number in range(rows):
        OrganizationFactory(municipality=okayama["kita" if number % 2 else "higashi"])

    # prefectures, activities, facets with the total, activity facet, page, page's activities
    with django_assert_num_queries(6):
        response = client.get("/organizations/")

    assert len(response.context["organizations"]) == rows


def test_prefecture_names_are_english_on_english_pages_and_japanese_elsewhere(client):
    OrganizationFactory(municipality=MunicipalityFactory(code="342149"))

    english = client.get("/en/prefectures/34/")
    japanese = client.get("/prefectures/34/")
    english_list = client.get("/en/organizations/")

    assert texts(english.content, "h1") == ["Hiroshima"]
    assert texts(japanese.content, "h1") == ["広島県"]
    assert [o.text for o in find_all(english_list.content, "option") if o.attrs.get("value") == "34"] == ["Hiroshima"]
