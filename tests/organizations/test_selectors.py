import pytest

from municipalities.enums import MunicipalityKind
from organizations import selectors
from organizations.enums import AreaType, LegalForm, OrganizationSort
from organizations.models import SurveyTotal
from tests.factories import (
    ActivityCategoryFactory,
    CaseStudyFactory,
    MunicipalityFactory,
    OrganizationFactory,
    PrefectureFactory,
    SurveyTotalFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    """Three organizations in two prefectures, with activities, legal forms and area types."""
    shopping = ActivityCategoryFactory(slug="shopping_support", name="買い物支援", sort_order=1)
    watching = ActivityCategoryFactory(slug="watching", name="声かけ・見守りサービス", sort_order=2)
    hiroshima = MunicipalityFactory(code="342149")
    nagano = MunicipalityFactory(code="202011")
    a = OrganizationFactory(
        municipality=hiroshima, name="生桑振興会", name_kana="いくわしんこうかい",
        legal_form=LegalForm.VOLUNTARY, area_type=AreaType.ELEMENTARY_SCHOOL, activities=[shopping, watching],
    )  # fmt: skip
    b = OrganizationFactory(
        municipality=nagano, name="古牧地区住民自治協議会", name_kana="こまきちくじゅうみんじちきょうぎかい",
        legal_form=LegalForm.VOLUNTARY, area_type=AreaType.FORMER_ELEMENTARY_SCHOOL, activities=[watching],
    )  # fmt: skip
    c = OrganizationFactory(
        municipality=nagano, name="鬼無里地区住民自治協議会", name_kana="きなさちくじゅうみんじちきょうぎかい",
        legal_form=LegalForm.NPO, area_type=AreaType.ELEMENTARY_SCHOOL,
    )  # fmt: skip
    OrganizationFactory(municipality=nagano, name="下書きの会", is_published=False, activities=[shopping])
    return {"a": a, "b": b, "c": c, "shopping": shopping, "watching": watching}


def _facets(organizations, **selected):
    return selectors.organization_facets(
        organizations,
        prefectures=list(PrefectureFactory._meta.model.objects.order_by("code")),
        activities=list(ActivityCategoryFactory._meta.model.objects.order_by("sort_order")),
        selected=selected,
    )


def test_search_hides_drafts_and_orders_by_municipality_then_kana(registry):
    assert list(selectors.organization_search()) == [registry["c"], registry["b"], registry["a"]]


def test_search_sorts_by_kana(registry):
    assert list(selectors.organization_search(sort=OrganizationSort.KANA)) == [registry["a"], registry["c"], registry["b"]]


def test_search_filters_combine(registry):
    nagano = registry["b"].municipality

    assert list(selectors.organization_search(prefecture=nagano.prefecture)) == [registry["c"], registry["b"]]
    assert list(selectors.organization_search(municipality=nagano, legal_form=LegalForm.NPO)) == [registry["c"]]
    assert list(selectors.organization_search(activities=[registry["watching"]], area_type=AreaType.ELEMENTARY_SCHOOL)) == [
        registry["a"]
    ]
    assert list(selectors.organization_search(activities=[registry["watching"], registry["shopping"]])) == [registry["a"]]


def test_search_by_designated_city_includes_its_wards():
    city = MunicipalityFactory(code="141003", kind=MunicipalityKind.DESIGNATED_CITY, name="横浜市")
    ward = MunicipalityFactory(code="141011", kind=MunicipalityKind.WARD, name="鶴見区", parent=city)
    organization = OrganizationFactory(municipality=ward)

    assert list(selectors.organization_search(municipality=city)) == [organization]


def test_facets_count_within_the_result_set(registry):
    facets = _facets(selectors.organization_search())

    assert facets.total == 3
    assert [(f.label, f.count) for f in facets.prefectures] == [("長野県", 2), ("広島県", 1)]
    assert [(f.value, f.count) for f in facets.activities] == [("shopping_support", 1), ("watching", 2)]
    assert [(f.value, f.count) for f in facets.legal_forms] == [("voluntary", 2), ("npo", 1)]
    assert [(f.value, f.count) for f in facets.area_types] == [("elementary_school", 2), ("former_elementary_school", 1)]


def test_facets_after_an_activity_filter_still_count_other_activities(registry):
    organizations = selectors.organization_search(activities=[registry["watching"]])

    facets = _facets(organizations, activity=["watching"])

    assert [(f.value, f.count, f.selected) for f in facets.activities] == [
        ("shopping_support", 1, False),
        ("watching", 2, True),
    ]


def test_facets_cost_two_queries(registry, django_assert_num_queries):
    organizations = selectors.organization_search(q="会")
    prefectures = list(PrefectureFactory._meta.model.objects.all())
    activities = list(ActivityCategoryFactory._meta.model.objects.all())

    with django_assert_num_queries(2):
        facets = selectors.organization_facets(organizations, prefectures=prefectures, activities=activities, selected={})

    assert facets.total == 3


def test_case_studies_featured_only_published_and_featured(django_assert_num_queries):
    shown = CaseStudyFactory(sort_order=1)
    CaseStudyFactory(is_featured=False)
    CaseStudyFactory(organization=OrganizationFactory(is_published=False))
    second = CaseStudyFactory(sort_order=2)

    with django_assert_num_queries(1):
        featured = selectors.case_studies_featured(limit=3)
        names = [c.organization.municipality.prefecture.name for c in featured]

    assert featured == [shown, second]
    assert names == ["広島県", "広島県"]


def test_prefecture_coverage_counts_wards_for_their_city():
    city = MunicipalityFactory(code="141003", kind=MunicipalityKind.DESIGNATED_CITY, name="横浜市")
    ward_a = MunicipalityFactory(code="141011", kind=MunicipalityKind.WARD, name="鶴見区", parent=city)
    ward_b = MunicipalityFactory(code="141020", kind=MunicipalityKind.WARD, name="神奈川区", parent=city)
    MunicipalityFactory(code="142018", name="横須賀市")
    OrganizationFactory(municipality=ward_a)
    OrganizationFactory(municipality=ward_b)

    (kanagawa,) = [c for c in selectors.prefecture_coverage() if c.prefecture.code == "14"]

    assert (kanagawa.municipalities, kanagawa.covered, kanagawa.organizations) == (2, 1, 2)
    assert kanagawa.share == 0.5


def test_survey_totals_by_year_fills_gaps_with_empty_years():
    SurveyTotalFactory(fiscal_year=2022, organizations=7207, municipalities_with_rmo=853)
    SurveyTotalFactory(fiscal_year=2024, organizations=8193, municipalities_with_rmo=893)

    totals = selectors.survey_totals_by_year()

    assert [(t.fiscal_year, t.organizations) for t in totals] == [(2022, 7207), (2023, None), (2024, 8193)]
    assert SurveyTotal.objects.count() == 2
    assert selectors.survey_total_latest(totals).organizations == 8193


def test_facets_are_cached_until_the_registry_changes(registry, django_assert_num_queries, django_capture_on_commit_callbacks):
    organizations = selectors.organization_search(prefecture=registry["b"].municipality.prefecture)
    prefectures = list(PrefectureFactory._meta.model.objects.all())
    selectors.organization_facets(organizations, prefectures=prefectures, activities=[], selected={})

    with django_assert_num_queries(0):
        cached = selectors.organization_facets(organizations, prefectures=prefectures, activities=[], selected={})
    with django_capture_on_commit_callbacks(execute=True):
        OrganizationFactory(municipality=registry["b"].municipality)
    fresh = selectors.organization_facets(organizations, prefectures=prefectures, activities=[], selected={})

    assert (cached.total, fresh.total) == (2, 3)
