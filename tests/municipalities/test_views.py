import pytest

from municipalities.enums import MunicipalityKind
from tests.factories import MunicipalityFactory, OrganizationFactory

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


def test_municipality_page_shows_seminar_and_summit_participation_as_counts(client):
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
    assert "（参加登録 2名）" in page
    assert "参加 太郎" not in page  # counts only, never names

