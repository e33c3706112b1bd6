"""Normalization for Japanese search, applied alike to the stored text and to the query.

Users type the same name in many ways: ｲｸﾜ (half-width katakana), イクワ, いくわ, Ｉｋｕｗａ.
Both sides are folded to one form: NFKC (half-width katakana and full-width ASCII to their
standard forms), katakana to hiragana, lower case, control characters dropped and runs of
white space collapsed. Kanji are left alone, so 生桑 matches the name and いくわ the reading.
"""

import unicodedata

import jaconv

#: Longest query searched; longer input is cut here (the view says so).
MAX_QUERY_LENGTH = 100


def normalize(text: str) -> str:
    text = jaconv.h2z(text, kana=True, ascii=False, digit=False)
    text = unicodedata.normalize("NFKC", text)
    text = jaconv.kata2hira(text)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    return " ".join(text.lower().split())


def query_terms(query: str) -> list[str]:
    """Split a normalized query into the terms that must all match."""
    return normalize(query)[:MAX_QUERY_LENGTH].split()


def build_search_text(*, name: str, name_kana: str, description: str, municipality_name: str = "") -> str:
    """The stored search column: every field a visitor may type a part of, normalized."""
    return "\n".join(normalize(part) for part in (name, name_kana, municipality_name, description) if part)
