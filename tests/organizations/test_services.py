import csv
import io

import pytest
from django.core.management import call_command

from organizations import services
from organizations.models import ActivityCategory, CaseStudy, Organization, SurveyTotal
from tests.factories import MunicipalityFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_organization_create_stores_normalized_search_text():
    organization = services.organization_create(
        municipality=MunicipalityFactory(code="342149"), name=" 生桑振興会 ", name_kana="イクワシンコウカイ"
    )

    assert organization.name == "生桑振興会"
    assert organization.search_text == "生桑振興会\nいくわしんこうかい\n広島県安芸高田市\nひろしまけんあきたかたし"


def test_organization_update_refreshes_search_text():
    organization = OrganizationFactory(name="旧名称振興会", name_kana="きゅう")

    services.organization_update(organization=organization, name="新名称振興会", name_kana="しん")

    organization.refresh_from_db()
    assert organization.search_text.splitlines()[:2] == ["新名称振興会", "しん"]


def test_organization_create_refuses_duplicate_name_in_municipality():
    existing = OrganizationFactory(name="生桑振興会")

    with pytest.raises(services.OrganizationError) as error:
        services.organization_create(municipality=existing.municipality, name="生桑振興会")

    assert str(error.value.message) == f"{existing.municipality.name}には「生桑振興会」がすでに登録されています。"


def test_organization_create_refuses_empty_name():
    with pytest.raises(services.OrganizationError) as error:
        services.organization_create(municipality=MunicipalityFactory(), name="  ")

    assert str(error.value.message) == "名称を入力してください。"


def test_organization_set_published_counts_changes():
    OrganizationFactory(is_published=False)
    OrganizationFactory(is_published=True)

    changed = services.organization_set_published(organizations=Organization.objects.all(), is_published=True)

    assert changed == 1
    assert Organization.objects.filter(is_published=True).count() == 2


def test_search_text_rebuild_fixes_stale_rows():
    organization = OrganizationFactory(name="生桑振興会")
    Organization.objects.filter(pk=organization.pk).update(search_text="stale")

    assert services.organization_search_text_rebuild() == 1
    organization.refresh_from_db()
    assert organization.search_text.startswith("生桑振興会\n")


def test_survey_totals_load_keeps_staff_figures_for_gap_years():
    rows = [
        {"fiscal_year": "2019", "era_label": "令和元年度", "organizations": "5236", "municipalities_with_rmo": "742"},
        {"fiscal_year": "2021", "era_label": "令和3年度", "organizations": "6064", "municipalities_with_rmo": "814"},
    ]
    services.survey_totals_load(rows=rows)
    SurveyTotal.objects.filter(fiscal_year=2020).update(organizations=5500)

    services.survey_totals_load(rows=rows)

    assert list(SurveyTotal.objects.values_list("fiscal_year", "era_label", "organizations")) == [
        (2019, "令和元年度", 5236),
        (2020, "令和2年度", 5500),
        (2021, "令和3年度", 6064),
    ]


@pytest.fixture
def seed_municipalities():
    for code in ("342149", "202011", "063827"):
        MunicipalityFactory(code=code)


def test_load_demo_organizations_loads_the_seed_facts_and_is_idempotent(seed_municipalities):
    call_command("load_demo_organizations", verbosity=0)
    call_command("load_demo_organizations", verbosity=0)

    names = list(Organization.objects.order_by("municipality_id", "name").values_list("municipality_id", "name"))
    assert names == [
        ("063827", "特定非営利活動法人きらりよしじまネットワーク"),
        ("202011", "古牧地区住民自治協議会"),
        ("202011", "鬼無里地区住民自治協議会"),
        ("342149", "生桑振興会"),
    ]
    assert Organization.objects.filter(is_demo=True, is_published=True).count() == 4
    ikuwa = Organization.objects.get(name="生桑振興会")
    assert ikuwa.name_kana == "いくわしんこうかい"
    assert [a.name for a in ikuwa.activities.all()] == ["店舗・ガソリンスタンド運営"]
    assert ikuwa.founded_year is None and ikuwa.legal_form == "" and ikuwa.website == ""
    assert ikuwa.case_study.paragraphs == [
        "地域にあったガソリンスタンドと日用品店舗が閉鎖されることとなったが、生桑振興会が中心となりガソリンスタンドと食料品店舗の複合施設の更新等を実施。",
        "食料品店舗内には交流や談話できるサロンスペースがあり、地域住民が気軽に立ち寄れる拠点にもなっている。",
    ]
    assert CaseStudy.objects.count() == 1
    assert Organization.objects.get(name__startswith="特定非営利活動法人").legal_form == "npo"
    assert ActivityCategory.objects.filter(name="公共ライドシェア・移動支援").exists()
    assert list(SurveyTotal.objects.values_list("fiscal_year", "organizations")) == [
        (2016, 3071), (2017, 4177), (2018, 4787), (2019, 5236), (2020, None),
        (2021, 6064), (2022, 7207), (2023, None), (2024, 8193),
    ]  # fmt: skip


def test_load_demo_organizations_without_master_warns_and_loads_the_rest():
    err = io.StringIO()

    call_command("load_demo_organizations", verbosity=0, stderr=err)

    assert Organization.objects.count() == 0
    assert SurveyTotal.objects.filter(fiscal_year=2024, organizations=8193).exists()
    assert "342149" in err.getvalue()


def test_repository_copy_of_survey_totals_matches_the_shared_data():
    from organizations.management.commands.load_demo_organizations import SURVEY_TOTALS_CANDIDATES

    repo_copy, shared = SURVEY_TOTALS_CANDIDATES
    if not shared.exists():
        pytest.skip("shared data folder not present")
    assert list(csv.reader(repo_copy.open(encoding="utf-8"))) == list(csv.reader(shared.open(encoding="utf-8")))
