import pytest

from organizations.search import MAX_QUERY_LENGTH, build_search_text, normalize, query_terms
from organizations.selectors import organization_search
from tests.factories import OrganizationFactory, make_ikuwa


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
    text = build_search_text(name="生桑振興会", name_kana="イクワシンコウカイ", description="", municipality_name="安芸高田市")
    assert text == "生桑振興会\nいくわしんこうかい\n安芸高田市"


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
