import pytest

from municipalities.enums import MunicipalityKind
from organizations.search import MAX_QUERY_LENGTH, build_search_text, normalize, place_text, query_terms, romaji_to_kana
from organizations.selectors import organization_search
from tests.factories import ActivityCategoryFactory, MunicipalityFactory, OrganizationFactory, PrefectureFactory, make_ikuwa


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("ｲｸﾜ", "いくわ"),  # half-width katakana
        ("イクワ", "いくわ"),  # full-width katakana
        ("いくわ", "いくわ"),  # hiragana
        ("生桑", "生桑"),  # kanji unchanged
        ("ｶﾞｿﾘﾝｽﾀﾝﾄﾞ", "がそりんすたんど"),  # half-width voiced marks compose
        ("ＮＰＯ法人", "npo法人"),  # full-width ASCII, lower case
        ("NPO", "npo"),
        ("　生桑　 振興会 ", "生桑 振興会"),  # ideographic space, runs collapsed
        ("生\x00桑\x1f", "生 桑"),  # control characters become separators
        ("ヴ", "ゔ"),
        ("１２３", "123"),
    ],
)
def test_normalize_table(typed, normalized):
    assert normalize(typed) == normalized


def test_build_search_text_joins_normalized_fields():
    place = place_text(prefecture=("広島県", "ひろしまけん"), city=None, municipality=("安芸高田市", "あきたかたし"))
    text = build_search_text(name="生桑振興会", name_kana="イクワシンコウカイ", description="", place=place)
    assert text == "生桑振興会\nいくわしんこうかい\n広島県安芸高田市\nひろしまけんあきたかたし"


def test_place_text_of_a_ward_reads_prefecture_city_and_ward():
    place = place_text(prefecture=("岡山県", "おかやまけん"), city=("岡山市", "おかやまし"), municipality=("東区", "ひがしく"))
    assert place == ("岡山県岡山市東区", "おかやまけんおかやましひがしく")


@pytest.mark.parametrize(("typed", "kana"), [("ikuwa", "いくわ"), ("Akitakata", "あきたかた"), ("生桑", ""), ("ikuwa 1", ""), ("", "")])
def test_romaji_to_kana_only_for_latin_letters(typed, kana):
    assert romaji_to_kana(typed) == kana


def test_query_terms_cut_at_the_limit():
    assert len("".join(query_terms("あ" * 500))) == MAX_QUERY_LENGTH


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["ｲｸﾜ", "いくわ", "イクワ", "生桑", "生桑振興会", "ｲｸﾜｼﾝｺｳｶｲ", "いくわ 振興会", "安芸高田"])
def test_search_finds_ikuwa_however_typed(query):
    ikuwa = make_ikuwa()
    OrganizationFactory(name="鬼無里地区住民自治協議会", name_kana="きなさちくじゅうみんじちきょうぎかい")

    assert list(organization_search(q=query)) == [ikuwa]


@pytest.mark.django_db
def test_search_one_and_two_characters_still_match():
    ikuwa = make_ikuwa()
    OrganizationFactory(name="鬼無里地区住民自治協議会", name_kana="きなさちくじゅうみんじちきょうぎかい")

    assert list(organization_search(q="桑")) == [ikuwa]
    assert list(organization_search(q="ｲｸ")) == [ikuwa]


@pytest.mark.django_db
def test_search_every_term_must_match():
    make_ikuwa()

    assert list(organization_search(q="生桑 鬼無里")) == []


@pytest.mark.django_db
def test_search_treats_like_wildcards_literally():
    OrganizationFactory(name="百%振興会")
    OrganizationFactory(name="百_振興会")
    OrganizationFactory(name="百円振興会")

    assert [o.name for o in organization_search(q="%")] == ["百%振興会"]
    assert [o.name for o in organization_search(q="_")] == ["百_振興会"]



@pytest.fixture
def okayama_wards(db):
    """岡山市 (a designated city) with an organization in its ward 東区, and one in 札幌市白石区."""
    PrefectureFactory(code="33", name="岡山県", name_kana="おかやまけん")
    okayama = MunicipalityFactory(code="331007", name="岡山市", name_kana="おかやまし", kind=MunicipalityKind.DESIGNATED_CITY)
    higashi = MunicipalityFactory(code="331031", name="東区", name_kana="ひがしく", kind=MunicipalityKind.WARD, parent=okayama)
    PrefectureFactory(code="01", name="北海道", name_kana="ほっかいどう")
    sapporo = MunicipalityFactory(code="011002", name="札幌市", name_kana="さっぽろし", kind=MunicipalityKind.DESIGNATED_CITY)
    shiroishi = MunicipalityFactory(code="011045", name="白石区", name_kana="しろいしく", kind=MunicipalityKind.WARD, parent=sapporo)
    return {
        "okayama": OrganizationFactory(municipality=higashi, name="上道地区まちづくり協議会", name_kana="じょうとうちくまちづくりきょうぎかい"),
        "sapporo": OrganizationFactory(municipality=shiroishi, name="白石地区連合会", name_kana="しろいしちくれんごうかい"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("岡山市", ["okayama"]),  # a designated city finds the organizations of its wards
        ("岡山市東区", ["okayama"]),
        ("岡山県", ["okayama"]),
        ("おかやま", ["okayama"]),  # readings of the places
        ("ｵｶﾔﾏｼ", ["okayama"]),
        ("札幌市", ["sapporo"]),
        ("北海道 白石区", ["sapporo"]),
        ("さっぽろ", ["sapporo"]),
        ("東区", ["okayama"]),
    ],
)
def test_search_finds_organizations_by_where_they_are(okayama_wards, query, expected):
    assert [o.pk for o in organization_search(q=query)] == [okayama_wards[key].pk for key in expected]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["広島県", "安芸高田市", "あきたかた", "アキタカタ", "ひろしま"])
def test_search_finds_ikuwa_by_its_municipality_and_prefecture(query):
    ikuwa = make_ikuwa()
    OrganizationFactory(name="古牧地区住民自治協議会", municipality=MunicipalityFactory(code="202011"))

    assert list(organization_search(q=query)) == [ikuwa]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["買い物支援", "買い物", "防災", "防災 生桑"])
def test_search_finds_organizations_by_activity_name(query):
    shopping = ActivityCategoryFactory(slug="shopping_support", name="買い物支援")
    disaster = ActivityCategoryFactory(slug="disaster_prevention", name="防災")
    ikuwa = make_ikuwa()
    ikuwa.activities.set([shopping, disaster])
    OrganizationFactory(name="古牧地区住民自治協議会", municipality=MunicipalityFactory(code="202011"))

    assert list(organization_search(q=query)) == [ikuwa]


@pytest.mark.django_db
def test_search_by_activity_name_with_the_pages_catalog_costs_one_query(django_assert_num_queries):
    shopping = ActivityCategoryFactory(slug="shopping_support", name="買い物支援")
    make_ikuwa().activities.set([shopping])
    catalog = [shopping]

    with django_assert_num_queries(1):
        assert len(list(organization_search(q="買い物支援", activity_catalog=catalog))) == 1
