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


def place_text(
    *, prefecture: tuple[str, str], city: tuple[str, str] | None, municipality: tuple[str, str]
) -> tuple[str, str]:
    """Where an organization is, as people type it: 「岡山県岡山市東区」 and its reading
    「おかやまけんおかやましひがしく」, so that 岡山市 (a designated city: its wards too),
    広島県 or あきたかた all find it as one substring. Each argument is (name, reading);
    ``city`` is a ward's designated city."""
    places = [prefecture, *([city] if city else []), municipality]
    return "".join(name for name, _reading in places), "".join(reading for _name, reading in places)


def municipality_place_text(municipality) -> tuple[str, str]:
    """place_text() of a Municipality (reads its prefecture and, for a ward, its parent)."""
    parent = municipality.parent if municipality.parent_id else None
    return place_text(
        prefecture=(municipality.prefecture.name, municipality.prefecture.name_kana),
        city=(parent.name, parent.name_kana) if parent else None,
        municipality=(municipality.name, municipality.name_kana),
    )


def build_search_text(*, name: str, name_kana: str, description: str, place: tuple[str, ...] = ()) -> str:
    """The stored search column: every field a visitor may type a part of, normalized, one a
    line. ``place`` is place_text() of the organization's municipality."""
    return "\n".join(normalize(part) for part in (name, name_kana, *place, description) if part)


def romaji_to_kana(query: str) -> str:
    """「ikuwa」→「いくわ」: a visitor who typed the reading in Latin letters is offered it in kana.
    Empty when the query is not all Latin letters and spaces (or gives no kana)."""
    if not query or not all(ch.isascii() and (ch.isalpha() or ch in " -'") for ch in query):
        return ""
    kana = jaconv.alphabet2kana(query.lower())
    return kana if kana != query.lower() and not any(ch.isascii() and ch.isalpha() for ch in kana) else ""
