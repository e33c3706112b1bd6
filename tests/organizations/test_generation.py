import io
import random
from collections import Counter

import pytest
from django.core.management import call_command

from municipalities.enums import MunicipalityKind
from municipalities.services import municipalities_load
from organizations.generation import GENERATED_SOURCE, _distribute, municipality_cap
from organizations.models import Organization
from organizations.search import normalize
from tests.factories import ActivityCategoryFactory, MunicipalityFactory
from tests.municipalities.conftest import FIXTURE

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


def test_distribution_at_survey_scale_keeps_every_municipality_to_a_plausible_share():
    kinds = [MunicipalityKind.CITY] * 400 + [MunicipalityKind.TOWN] * 350 + [MunicipalityKind.VILLAGE] * 123
    kinds += [MunicipalityKind.DESIGNATED_CITY] * 20

    counts = _distribute(random.Random(2024), 8193, kinds)

    assert (len(counts), sum(counts), min(counts)) == (893, 8193, 1)
    assert max(counts) <= municipality_cap(8193, 893) == 82
    # Larger places hold more: the designated cities' mean is above the villages'.
    assert sum(counts[-20:]) / 20 > sum(counts[750:873]) / 123
    assert _distribute(random.Random(2024), 8193, kinds) == counts  # deterministic with a seed


def test_distribution_with_few_municipalities_still_places_every_organization():
    counts = _distribute(random.Random(1), 300, [MunicipalityKind.TOWN] * 6)

    assert sum(counts) == 300
    assert max(counts) <= municipality_cap(300, 6) == 150


def test_generated_registry_on_the_real_master_has_no_dominant_municipality():
    municipalities_load(path=FIXTURE)

    call_command("generate_organizations", count=8193, municipalities=893, verbosity=0)

    per_municipality = Counter(Organization.objects.values_list("municipality__parent_id", "municipality_id"))
    by_basic = Counter()
    for (parent, code), n in per_municipality.items():
        by_basic[parent or code] += n
    assert (sum(by_basic.values()), len(by_basic)) == (8193, 893)
    assert max(by_basic.values()) <= 82
