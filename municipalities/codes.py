"""全国地方公共団体コード: the 6-digit code of a prefecture, municipality or ward.

The first five digits identify the body (2 for the prefecture, 3 for the municipality); the
sixth is a check digit (総務省「全国地方公共団体コード」の検査数字, as in JIS X 0402):

1. multiply digits 1–5 by 6, 5, 4, 3, 2 and add the products;
2. take the remainder of the sum divided by 11;
3. the check digit is the last digit of 11 minus the remainder
   (remainder 0 → 11 → 1; remainder 1 → 10 → 0).

Verified against every code in the 総務省 list (e.g. 012131 苫小牧市 has remainder 0 and check
digit 1; 012050 室蘭市 has remainder 1 and check digit 0).
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(base: str) -> str:
    """Return the check digit for the first five digits of a code."""
    if len(base) != 5 or not base.isascii() or not base.isdigit():
        raise ValueError(f"expected five ASCII digits, got {base!r}")
    remainder = sum(int(digit) * weight for digit, weight in zip(base, WEIGHTS, strict=True)) % 11
    return str((11 - remainder) % 10)


def with_check_digit(base: str) -> str:
    """「01100」→「011002」."""
    return base + check_digit(base)


def is_valid_code(code: str) -> bool:
    """True for six ASCII digits whose last digit is the right check digit."""
    return (
        isinstance(code, str)
        and len(code) == 6
        and code.isascii()
        and code.isdigit()
        and check_digit(code[:5]) == code[5]
    )


def typed_digits(text: object) -> str:
    """What a person typed or a cell held, with full-width digits made ASCII and every space
    (also 全角) removed: 「０５２０１９」「 05 2019 」→「052019」. Not checked to be digits."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())


def code_parse(text: object, *, from_spreadsheet: bool = False) -> str | None:
    """The 6-digit municipality code ``text`` stands for, or None if it is not written as one.

    Five digits are the code without its check digit (the 5-digit form people also use), but
    from a spreadsheet they are a code whose leading zero the number cell dropped (11002 for
    011002). The check digit is not verified here: see ``is_valid_code``.
    """
    digits = typed_digits(text)
    if not (digits.isascii() and digits.isdigit()):
        return None
    if len(digits) == 5:
        return "0" + digits if from_spreadsheet else with_check_digit(digits)
    return digits if len(digits) == 6 else None


def prefecture_code_parse(text: object) -> str | None:
    """The 2-digit prefecture code ``text`` stands for (「1」「０１」→「01」), or None."""
    digits = typed_digits(text)
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 2:
        return None
    return digits.zfill(2)


def validate_local_government_code(value: str) -> None:
    """Model and form field validator for a 6-digit 全国地方公共団体コード."""
    if not (isinstance(value, str) and len(value) == 6 and value.isascii() and value.isdigit()):
        raise ValidationError(_("全国地方公共団体コードは6桁の数字です。"), code="invalid_format")
    expected = check_digit(value[:5])
    if value[5] != expected:
        raise ValidationError(
            _("全国地方公共団体コード %(code)s の検査数字が正しくありません（正しくは %(expected)s）。"),
            code="invalid_check_digit",
            params={"code": value, "expected": expected},
        )
