import pytest

from municipalities.models import Municipality
from municipalities.selectors import (
    municipality_list,
    municipality_lookup,
    municipality_search,
    prefecture_list_with_counts,
    wards_of,
)


def test_prefecture_list_with_counts_counts_municipalities_not_wards(master, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = {p.name: p.municipality_count for p in prefecture_list_with_counts()}

    assert len(counts) == 47
    assert (counts["北海道"], counts["東京都"], counts["山形県"], counts["静岡県"]) == (179, 62, 35, 35)
    assert sum(counts.values()) == 1741


def test_municipality_list_of_a_prefecture_reads_full_names_in_one_query(master, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = [m.full_name for m in municipality_list(prefecture_code="22", include_wards=True)]

    assert names[:3] == ["静岡県静岡市", "静岡県静岡市葵区", "静岡県静岡市駿河区"]
    assert "静岡県浜松市浜名区" in names
    assert len(names) == 35 + 3 + 3


@pytest.mark.parametrize("q", ["ちゃたん", "チャタン", "ﾁｬﾀﾝ", "北谷", "47326", "４７３２６"])
def test_municipality_search_finds_by_name_reading_or_code(master, q):
    assert [m.code for m in municipality_search(q=q)] == ["473260"]


def test_municipality_search_finds_a_ward_by_city_and_ward_name(master):
    assert [m.display_name for m in municipality_search(q="札幌市中央")] == ["札幌市中央区"]


def test_municipality_search_with_blank_query_finds_nothing(master):
    assert list(municipality_search(q="  ")) == []


def test_wards_of_a_designated_city(master):
    city = Municipality.objects.get(code="221309")

    assert [w.display_name for w in wards_of(city=city)] == ["浜松市中央区", "浜松市浜名区", "浜松市天竜区"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        ("安芸高田市", ["342149"]),
        ("広島県安芸高田市", ["342149"]),
        ("あきたかたし", ["342149"]),
        ("ｱｷﾀｶﾀｼ", ["342149"]),
        ("３４２１４９", ["342149"]),
        ("34214", ["342149"]),  # the code without its check digit
        ("府中市", ["132063", "342084"]),  # both, for the visitor to choose
        ("広島県府中市", ["342084"]),
        ("存在しない町", []),
        ("", []),
    ],
)
def test_municipality_lookup_takes_codes_names_and_readings(typed, codes):
    from tests.factories import MunicipalityFactory, PrefectureFactory

    PrefectureFactory(code="13")
    MunicipalityFactory(code="342149")
    MunicipalityFactory(code="132063", name="府中市", name_kana="ふちゅうし")
    MunicipalityFactory(code="342084", name="府中市", name_kana="ふちゅうし")

    assert [m.code for m in municipality_lookup(text=typed)] == codes


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        ("宮城県仙台市", ["041009"]),
        (" 041009 ", ["041009"]),
        ("04100", ["041009"]),
        ("041017", []),  # 仙台市青葉区: a ward does not act for itself
        ("仙台市青葉区", []),
        ("０５２０１９", ["052019"]),
        ("秋田県　秋田市", ["052019"]),
        ("あきたし", ["052019"]),
        ("秋田", []),  # a part of a name is not enough for an application
        ("府中市", ["132063", "342084"]),
    ],
)
def test_municipality_lookup_exact_without_wards_is_what_an_application_accepts(master, typed, codes):
    found = municipality_lookup(text=typed, include_wards=False, exact=True)

    assert [m.code for m in found] == codes


def test_municipality_lookup_narrowed_to_a_prefecture_leaves_out_the_others(master):
    assert [m.code for m in municipality_lookup(text="府中市", prefecture_code="34", exact=True)] == ["342084"]
    assert municipality_lookup(text="052019", prefecture_code="34") == []
