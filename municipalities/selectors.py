"""Shared reads of the municipality master."""

from collections.abc import Sequence

import jaconv
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat

from .codes import code_parse, typed_digits
from .enums import BASIC_MUNICIPALITY_KINDS, MunicipalityKind
from .models import Municipality, Prefecture


def prefecture_list_with_counts() -> QuerySet[Prefecture]:
    """The 47 prefectures, each annotated with ``municipality_count`` (市区町村, wards excluded)."""
    return Prefecture.objects.annotate(
        municipality_count=Count("municipalities", filter=Q(municipalities__kind__in=BASIC_MUNICIPALITY_KINDS))
    ).order_by("code")


def municipality_list(
    *, prefecture_code: str | None = None, include_wards: bool = False
) -> QuerySet[Municipality]:
    """Municipalities in code order (the 総務省 list's order), ready for ``full_name``."""
    queryset = Municipality.objects.select_related("prefecture", "parent").order_by("code")
    if prefecture_code is not None:
        queryset = queryset.filter(prefecture_id=prefecture_code)
    if not include_wards:
        queryset = queryset.exclude(kind=MunicipalityKind.WARD)
    return queryset


def municipality_search(
    *, q: str, prefecture_code: str | None = None, include_wards: bool = True
) -> QuerySet[Municipality]:
    """Match the start of the code, the name (「札幌市中央区」 for a ward), or the start of the
    reading. Katakana and half-width input match too: 「ﾁｬﾀﾝ」「チャタン」「ちゃたん」 find 北谷町."""
    q = jaconv.z2h(q.strip(), kana=False, ascii=False, digit=True)
    queryset = municipality_list(prefecture_code=prefecture_code, include_wards=include_wards)
    if not q:
        return queryset.none()
    kana = jaconv.kata2hira(jaconv.h2z(q, kana=True, ascii=False, digit=False))
    return queryset.annotate(
        search_name=Concat(Coalesce("parent__name", Value("")), "name"),
        search_kana=Concat(Coalesce("parent__name_kana", Value("")), "name_kana"),
    ).filter(
        Q(code__startswith=q)
        | Q(search_name__contains=q)
        | Q(name_kana__startswith=kana)
        | Q(search_kana__startswith=kana)
    )


def wards_of(*, city: Municipality) -> QuerySet[Municipality]:
    """The wards of a designated city, in code order (empty for any other municipality)."""
    return city.wards.select_related("prefecture", "parent").order_by("code")


#: At most this many candidates are offered when a typed name fits several municipalities.
LOOKUP_CANDIDATES = 10


def municipality_lookup(
    *,
    text: str,
    prefecture_code: str | None = None,
    prefectures: Sequence[Prefecture] | None = None,
    include_wards: bool = True,
    exact: bool = False,
) -> list[Municipality]:
    """The municipalities a visitor meant by what they typed in a municipality field.

    Accepts the 6-digit 全国地方公共団体コード, the 5 digits without the check digit, or a
    name as people write it: 「安芸高田市」, 「岡山市東区」, 「広島県府中市」 (a leading
    prefecture name narrows the search), a reading (「あきたかたし」, katakana and
    half-width too). An exact name or reading wins over partial matches; several exact
    matches (府中市 is in 東京都 and 広島県) are all returned, for the visitor to choose.
    ``exact``: no partial matches (a formal application names its municipality in full).
    ``include_wards``: False where only 市区町村 may act (a designated city, not its wards).
    ``prefectures``: the 47 rows if the caller has them (saves a query).
    """
    typed = typed_digits(text)  # NFKC: full-width letters and digits become ASCII
    if not typed:
        return []
    if typed.isascii() and typed.isdigit():
        code = code_parse(typed)
        if code is None:
            return []
        found = municipality_list(prefecture_code=prefecture_code or None, include_wards=include_wards)
        return list(found.filter(code=code))
    for prefecture in prefectures if prefectures is not None else Prefecture.objects.order_by("code"):
        if typed.startswith(prefecture.name) and len(typed) > len(prefecture.name):
            typed, prefecture_code = typed[len(prefecture.name) :], prefecture.code
            break
    candidates = list(
        municipality_search(q=typed, prefecture_code=prefecture_code or None, include_wards=include_wards)[
            : LOOKUP_CANDIDATES * 5
        ]
    )
    reading = jaconv.kata2hira(jaconv.h2z(typed, kana=True, ascii=False, digit=False))
    matches_exactly = [
        m
        for m in candidates
        if typed in (m.name, m.display_name) or reading in (m.name_kana, m.display_name_kana)
    ]
    return (matches_exactly if exact or matches_exactly else candidates)[:LOOKUP_CANDIDATES]
