import io

import pytest
from django.core.management import call_command

from municipalities.enums import MunicipalityKind
from organizations.generation import GENERATED_SOURCE
from organizations.models import Organization
from organizations.search import normalize
from tests.factories import ActivityCategoryFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db


def test_generate_organizations_spreads_over_municipalities_with_readings():
    ActivityCategoryFactory(slug="events", name="祭り・イベント")
    municipalities = [MunicipalityFactory() for _ in range(5)]
    city = MunicipalityFactory(code="141003", kind=MunicipalityKind.DESIGNATED_CITY, name="横浜市")
    MunicipalityFactory(code="141011", kind=MunicipalityKind.WARD, name="鶴見区", parent=city)
    out = io.StringIO()

    call_command("generate_organizations", count=300, municipalities=6, stdout=out)

    generated = Organization.objects.filter(source=GENERATED_SOURCE)
    assert generated.count() == 300
    assert generated.values("municipality").distinct().count() == 6
    assert not generated.filter(municipality=city).exists()  # a designated city's go to its wards
    assert generated.filter(is_demo=True, is_published=True).count() == 300
    sample = generated.first()
    assert sample.search_text.startswith(normalize(sample.name) + "\n" + normalize(sample.name_kana))
    assert "300 組織を 6 市区町村に生成しました" in out.getvalue()
    assert generated.filter(activities__slug="events").count() > 150  # 68.4 % in the survey
    assert municipalities


def test_generate_organizations_replace_starts_over():
    MunicipalityFactory()
    call_command("generate_organizations", count=20, municipalities=1, verbosity=0)

    call_command("generate_organizations", count=10, municipalities=1, replace=True, verbosity=0)

    assert Organization.objects.filter(source=GENERATED_SOURCE).count() == 10
