import pytest
from django.db import connection

from organizations.checks import check_trigram_ctype, database_ctype, is_utf8_ctype


@pytest.mark.parametrize(
    ("ctype", "expected"),
    [("C.UTF-8", True), ("ja_JP.utf8", True), ("en_US.UTF-8", True), ("C", False), ("POSIX", False), ("ja_JP.eucJP", False)],
)
def test_is_utf8_ctype(ctype, expected):
    assert is_utf8_ctype(ctype) is expected


@pytest.mark.django_db
def test_test_database_has_a_utf8_ctype_so_trigrams_index_japanese():
    assert is_utf8_ctype(database_ctype(connection))
    assert check_trigram_ctype(databases=["default"]) == []


@pytest.mark.django_db
def test_trigram_index_exists_and_splits_japanese_into_trigrams():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'org_search_text_trgm'")
        (indexdef,) = cursor.fetchone()
        cursor.execute("SELECT show_trgm('いくわ')")
        (trigrams,) = cursor.fetchone()

    assert "gin_trgm_ops" in indexdef
    # 「  い」「 いく」「いくわ」「くわ 」 (multibyte trigrams are shown hashed); under a "C"
    # ctype Japanese letters are separators and there would be none.
    assert len(trigrams) == 4
