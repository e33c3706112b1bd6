import pytest
from django.core.exceptions import ValidationError

from municipalities.codes import (
    check_digit,
    code_parse,
    is_valid_code,
    prefecture_code_parse,
    typed_digits,
    validate_local_government_code,
    with_check_digit,
)


@pytest.mark.parametrize(
    "code",
    [
        "131016",  # 千代田区
        "011002",  # 札幌市
        "342149",  # 安芸高田市
        "202011",  # 長野市
        "052019",  # 秋田市
        "121002",  # 千葉市
        "402311",  # 那珂川市
        "063827",  # 川西町（山形県）
        "063819",  # 高畠町
        "130001",  # 東京都
        "221384",  # 浜松市中央区
    ],
)
def test_check_digit_matches_real_codes(code):
    assert check_digit(code[:5]) == code[5]
    assert is_valid_code(code) is True


def test_check_digit_remainder_zero_is_one():
    # 苫小牧市 01213: 0*6 + 1*5 + 2*4 + 1*3 + 3*2 = 22, remainder 0 → 11 → 1.
    assert with_check_digit("01213") == "012131"


def test_check_digit_remainder_one_is_zero():
    # 室蘭市 01205: 0*6 + 1*5 + 2*4 + 0*3 + 5*2 = 23, remainder 1 → 10 → 0.
    assert with_check_digit("01205") == "012050"


@pytest.mark.parametrize("code", ["131017", "063828", "13101", "1310166", "13101a", "１３１０１６", "", None])
def test_is_valid_code_rejects(code):
    assert is_valid_code(code) is False


@pytest.mark.parametrize("base", ["0110", "011000", "0110a", "０１１００"])
def test_check_digit_rejects_malformed_base(base):
    with pytest.raises(ValueError):
        check_digit(base)


def test_validator_accepts_valid_code():
    assert validate_local_government_code("342149") is None


def test_validator_rejects_wrong_check_digit():
    with pytest.raises(ValidationError) as excinfo:
        validate_local_government_code("342148")

    assert excinfo.value.code == "invalid_check_digit"
    assert excinfo.value.messages == ["全国地方公共団体コード 342148 の検査数字が正しくありません（正しくは 9）。"]


@pytest.mark.parametrize("value", ["34214", "34214x", "３４２１４９"])
def test_validator_rejects_malformed_code(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_local_government_code(value)

    assert excinfo.value.code == "invalid_format"
    assert excinfo.value.messages == ["全国地方公共団体コードは6桁の数字です。"]


def test_typed_digits_makes_full_width_ascii_and_drops_every_space():
    assert typed_digits("０５ ２０１９\u3000") == "052019"
    assert typed_digits(None) == ""
    assert typed_digits(52019) == "52019"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("052019", "052019"),
        ("０５２０１９", "052019"),
        (" 05 2019 ", "052019"),
        ("05201", "052019"),  # five digits: the check digit is added
        ("052018", "052018"),  # the shape only: is_valid_code judges the check digit
        ("5201", None),
        ("0520190", None),
        ("秋田市", None),
        ("", None),
    ],
)
def test_code_parse_of_what_a_person_typed(typed, code):
    assert code_parse(typed) == code


def test_code_parse_from_a_spreadsheet_puts_back_the_leading_zero():
    assert code_parse(11002, from_spreadsheet=True) == "011002"
    assert code_parse("11002", from_spreadsheet=True) == "011002"
    assert code_parse("011002", from_spreadsheet=True) == "011002"


@pytest.mark.parametrize(("typed", "code"), [("1", "01"), ("０１", "01"), ("47", "47"), ("047", None), ("東京", None), ("", None)])
def test_prefecture_code_parse(typed, code):
    assert prefecture_code_parse(typed) == code
