"""Shared reads of the municipality master."""

import jaconv
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat

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
