import pytest
from django.core.exceptions import ValidationError

from municipalities.codes import check_digit, is_valid_code, validate_local_government_code, with_check_digit


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
