import pytest

from organizations.models import Organization
from tests.factories import ActivityCategoryFactory, MunicipalityFactory, OrganizationFactory, make_ikuwa

pytestmark = pytest.mark.django_db


def test_admin_changelist_search_is_kana_insensitive(admin_client):
    ikuwa = make_ikuwa()
    OrganizationFactory(name="鬼無里地区住民自治協議会")

    response = admin_client.get("/admin/organizations/organization/", {"q": "ｲｸﾜ"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [ikuwa]


def test_admin_save_maintains_search_text(admin_client):
    municipality = MunicipalityFactory(code="342149")
    activity = ActivityCategoryFactory()

    response = admin_client.post(
        "/admin/organizations/organization/add/",
        {
            "name": "生桑振興会",
            "name_kana": "イクワシンコウカイ",
            "municipality": municipality.code,
            "is_published": "on",
            "activities": [activity.pk],
            "case_study-TOTAL_FORMS": "0",
            "case_study-INITIAL_FORMS": "0",
            "case_study-MIN_NUM_FORMS": "0",
            "case_study-MAX_NUM_FORMS": "1",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    organization = Organization.objects.get()
    assert organization.search_text == "生桑振興会\nいくわしんこうかい\n広島県安芸高田市\nひろしまけんあきたかたし"
    assert list(organization.activities.all()) == [activity]


def test_admin_publish_action(admin_client):
    draft = OrganizationFactory(is_published=False)

    admin_client.post(
        "/admin/organizations/organization/", {"action": "publish", "_selected_action": [draft.pk]}
    )

    draft.refresh_from_db()
    assert draft.is_published is True
