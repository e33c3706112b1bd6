"""Factories for the municipality master and the RMO directory (importable by every app's tests).

Prefectures and municipalities are get-or-create on their codes, so several tests (or apps)
asking for 長野市 share one row. Organizations are written through the service, so their
``search_text`` is what production would store.
"""

import itertools

import factory

from municipalities.codes import with_check_digit
from municipalities.enums import MunicipalityKind
from municipalities.models import Municipality, Prefecture
from organizations import services
from organizations.models import ActivityCategory, CaseStudy, FundingCategory, MemberType, Organization, SurveyTotal

PREFECTURES = {
    "06": ("山形県", "やまがたけん", "Yamagata"),
    "13": ("東京都", "とうきょうと", "Tokyo"),
    "20": ("長野県", "ながのけん", "Nagano"),
    "34": ("広島県", "ひろしまけん", "Hiroshima"),
}
MUNICIPALITIES = {
    "063827": ("川西町", "かわにしまち", MunicipalityKind.TOWN),
    "202011": ("長野市", "ながのし", MunicipalityKind.CITY),
    "342149": ("安芸高田市", "あきたかたし", MunicipalityKind.CITY),
}
_municipality_numbers = itertools.count(1)


class PrefectureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prefecture
        django_get_or_create = ("code",)

    code = "34"
    local_government_code = factory.LazyAttribute(lambda o: with_check_digit(f"{o.code}000"))
    name = factory.LazyAttribute(lambda o: PREFECTURES.get(o.code, (f"テスト県{o.code}",))[0])
    name_kana = factory.LazyAttribute(lambda o: PREFECTURES.get(o.code, ("", f"てすとけん{o.code}"))[1])
    name_en = factory.LazyAttribute(lambda o: PREFECTURES.get(o.code, ("", "", f"Test {o.code}"))[2])


def _next_code(prefecture_code: str) -> str:
    return with_check_digit(f"{prefecture_code}{500 + next(_municipality_numbers) % 499:03d}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    """``MunicipalityFactory(code="202011")`` gives 長野市; without a code, a new valid one."""

    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    class Params:
        prefecture_code = "34"

    code = factory.LazyAttribute(lambda o: _next_code(o.prefecture_code))
    prefecture = factory.LazyAttribute(lambda o: PrefectureFactory(code=o.code[:2]))
    name = factory.LazyAttribute(lambda o: MUNICIPALITIES.get(o.code, (f"テスト市{o.code}",))[0])
    name_kana = factory.LazyAttribute(lambda o: MUNICIPALITIES.get(o.code, ("", f"てすとし{o.code}"))[1])
    kind = factory.LazyAttribute(lambda o: MUNICIPALITIES.get(o.code, ("", "", MunicipalityKind.CITY))[2])


class ActivityCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityCategory
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"activity-{n}")
    name = factory.Sequence(lambda n: f"活動{n}")


class FundingCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingCategory
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"funding-{n}")
    name = factory.Sequence(lambda n: f"財源{n}")


class MemberTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberType
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"member-{n}")
    name = factory.Sequence(lambda n: f"構成団体{n}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    """Published by default; pass ``activities=[...]`` for the many-to-many."""

    class Meta:
        model = Organization

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"テスト{n}地区振興会")
    name_kana = factory.Sequence(lambda n: f"てすと{n}ちくしんこうかい")
    is_published = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.organization_create(**kwargs)


class CaseStudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseStudy

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"事例{n}")
    body = "一段落目。\n二段落目。"


class SurveyTotalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyTotal
        django_get_or_create = ("fiscal_year",)

    fiscal_year = 2024
    era_label = "令和6年度"
    organizations = 8193
    municipalities_with_rmo = 893


def make_ikuwa() -> Organization:
    """生桑振興会 (安芸高田市) as the seed document describes it."""
    return OrganizationFactory(
        municipality=MunicipalityFactory(code="342149"),
        name="生桑振興会",
        name_kana="いくわしんこうかい",
        description="ガソリンスタンドと食料品店舗の複合施設を運営。",
    )
