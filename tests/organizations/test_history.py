"""Change history of organizations (django-simple-history) and restoring an earlier version."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from organizations import selectors, services
from organizations.models import Organization
from tests.factories import ActivityCategoryFactory, MunicipalityFactory, OrganizationFactory
from tests.portal.html import texts

pytestmark = pytest.mark.django_db


def _approved(editor, reviewer, organization, **values):
    values.setdefault("name", organization.name)
    revision = services.listing_draft_save(user=editor, organization=organization, municipality=organization.municipality, **values)
    services.listing_submit(user=editor, revision=revision)
    return services.listing_approve(user=reviewer, revision=revision)


def test_create_and_update_write_one_history_row_each_with_categories():
    first, second = ActivityCategoryFactory(), ActivityCategoryFactory()
    organization = OrganizationFactory(activities=[first])

    services.organization_update(organization=organization, description="更新", activities=[first, second])

    versions = list(organization.history.order_by("history_id"))
    assert [version.history_type for version in versions] == ["+", "~"]
    assert [sorted(v.activities.values_list("activitycategory_id", flat=True)) for v in versions] == [
        [first.pk],
        sorted([first.pk, second.pk]),
    ]


def test_approval_records_reviewer_reason_and_changed_fields(nagano, nagano_editor, ministry_user):
    watching = ActivityCategoryFactory(name="声かけ・見守りサービス")
    organization = OrganizationFactory(municipality=nagano, name="芋井地区住民自治協議会", description="旧")

    revision = _approved(nagano_editor, ministry_user, organization, name_kana=organization.name_kana, description="新", activities=[watching])

    latest, previous = organization.history.order_by("-history_id")[:2]
    delta = latest.diff_against(previous, excluded_fields=["activities", "funding_sources", "member_types"])
    assert latest.history_user == ministry_user
    assert latest.history_change_reason == f"承認: 申請#{revision.pk} by nagano-city"
    assert [(change.field, change.old, change.new) for change in delta.changes] == [("description", "旧", "新")]
    assert list(latest.activities.values_list("activitycategory_id", flat=True)) == [watching.pk]


def test_history_selector_lists_field_changes_newest_first(nagano, nagano_editor, ministry_user):
    watching = ActivityCategoryFactory(name="声かけ・見守りサービス")
    organization = OrganizationFactory(municipality=nagano, name="芋井地区住民自治協議会", description="旧")
    _approved(nagano_editor, ministry_user, organization, name_kana=organization.name_kana, description="新", activities=[watching])

    entries = selectors.organization_history(organization=organization)

    assert [entry.is_current for entry in entries] == [True, False]
    assert [(c.label, c.old, c.new) for c in entries[0].changes] == [
        ("活動内容", "", "声かけ・見守りサービス"),
        ("概要", "旧", "新"),
    ]
    assert entries[1].changes == []


def test_restore_writes_the_earlier_version_and_records_it(nagano, nagano_editor, ministry_user):
    watching = ActivityCategoryFactory()
    organization = OrganizationFactory(municipality=nagano, name="芋井地区住民自治協議会", activities=[watching])
    original = organization.history.get()
    _approved(nagano_editor, ministry_user, organization, name="誤った名称", activities=[])

    restored = services.listing_restore(user=ministry_user, version_id=original.history_id)

    restored.refresh_from_db()
    assert restored.name == "芋井地区住民自治協議会"
    assert list(restored.activities.all()) == [watching]
    assert restored.search_text.startswith("芋井地区住民自治協議会\n")
    latest = restored.history.order_by("-history_id").first()
    assert organization.history.count() == 3
    assert latest.history_user == ministry_user
    assert latest.history_change_reason.startswith(f"復元: 版#{original.history_id}（")
    assert latest.history_change_reason.endswith("） by honsho")


def test_restore_is_for_reviewers_only(nagano, nagano_editor):
    organization = OrganizationFactory(municipality=nagano)
    services.organization_update(organization=organization, description="変更後")

    with pytest.raises(PermissionDenied):
        services.listing_restore(user=nagano_editor, version_id=organization.history.earliest().history_id)

    organization.refresh_from_db()
    assert organization.description == "変更後"
    assert organization.history.count() == 2


def test_restore_of_unknown_version_is_a_domain_error(ministry_user):
    with pytest.raises(services.OrganizationError) as error:
        services.listing_restore(user=ministry_user, version_id=999999)

    assert str(error.value.message) == "指定された版は見つかりません。"


# ---------------------------------------------------------------- the history page


def test_history_page_shows_who_changed_what(client, nagano, nagano_editor, ministry_user):
    organization = OrganizationFactory(municipality=nagano, name="芋井地区住民自治協議会", description="旧")
    _approved(nagano_editor, ministry_user, organization, name_kana=organization.name_kana, description="<b>新</b>")
    client.force_login(nagano_editor)

    response = client.get(reverse("manage:organization_history", kwargs={"pk": organization.pk}))

    assert response.status_code == 200
    assert texts(response.content, "h1") == ["芋井地区住民自治協議会の変更履歴"]
    assert texts(response.content, "th", scope="row") == ["概要 （変更あり）"]
    assert texts(response.content, "td") == ["旧", "<b>新</b>"]  # shown as text: escaped in the HTML
    assert "&lt;b&gt;新&lt;/b&gt;" in response.content.decode()
    assert "/restore/" not in response.content.decode()  # editors see no restore button


def test_history_page_refuses_editor_of_another_municipality(client, akitakata, nagano_editor):
    organization = OrganizationFactory(municipality=akitakata)
    client.force_login(nagano_editor)

    response = client.get(reverse("manage:organization_history", kwargs={"pk": organization.pk}))

    assert response.status_code == 403


def test_restore_button_posts_and_redirects_to_history(client, nagano, ministry_user):
    organization = OrganizationFactory(municipality=nagano, description="元")
    original = organization.history.get()
    services.organization_update(organization=organization, description="変更")
    client.force_login(ministry_user)
    url = reverse("manage:organization_restore", kwargs={"pk": organization.pk, "history_id": original.history_id})

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("manage:organization_history", kwargs={"pk": organization.pk})
    assert Organization.objects.get().description == "元"


def test_restore_refuses_a_version_of_another_organization(client, nagano, ministry_user):
    organization, other = OrganizationFactory(municipality=nagano), OrganizationFactory(municipality=nagano)
    client.force_login(ministry_user)
    url = reverse("manage:organization_restore", kwargs={"pk": organization.pk, "history_id": other.history.get().history_id})

    response = client.post(url)

    assert response.status_code == 404
    assert organization.history.count() == 1


def test_publish_and_withdraw_in_bulk_are_recorded(ministry_user):
    activity = ActivityCategoryFactory()
    organization = OrganizationFactory(is_published=False, activities=[activity])
    OrganizationFactory(is_published=True)

    changed = services.organization_set_published(
        organizations=Organization.objects.all(), is_published=True, history_user=ministry_user
    )

    latest = organization.history.order_by("-history_id").first()
    assert changed == 1
    assert (latest.is_published, latest.history_user, latest.history_change_reason) == (True, ministry_user, "公開")
    assert list(latest.activities.values_list("activitycategory_id", flat=True)) == [activity.pk]


def test_admin_add_records_one_history_row_with_categories(admin_client, admin_user):
    municipality = MunicipalityFactory(code="342149")
    activity = ActivityCategoryFactory()

    admin_client.post(
        "/admin/organizations/organization/add/",
        {
            "name": "生桑振興会",
            "municipality": municipality.code,
            "activities": [activity.pk],
            "case_study-TOTAL_FORMS": "0",
            "case_study-INITIAL_FORMS": "0",
            "case_study-MIN_NUM_FORMS": "0",
            "case_study-MAX_NUM_FORMS": "1",
        },
    )

    version = Organization.objects.get().history.get()
    assert (version.history_type, version.history_user, version.history_change_reason) == ("+", admin_user, "管理画面で編集")
    assert list(version.activities.values_list("activitycategory_id", flat=True)) == [activity.pk]


def test_generated_organizations_get_a_created_row_with_categories():
    from organizations.generation import organizations_generate

    MunicipalityFactory()
    ActivityCategoryFactory(slug="events")

    organizations_generate(count=3, municipalities=1, seed=1)

    organizations = list(Organization.objects.prefetch_related("activities"))
    versions = {version.id: version for version in Organization.history.all()}
    assert len(organizations) == len(versions) == 3
    for organization in organizations:
        version = versions[organization.pk]
        assert (version.history_type, version.history_change_reason, version.name) == ("+", "デモデータの生成", organization.name)
        assert set(version.activities.values_list("activitycategory_id", flat=True)) == {a.pk for a in organization.activities.all()}


@pytest.mark.django_db
def test_update_that_changes_nothing_writes_no_history_row():
    from organizations.services import organization_update
    from tests.factories import ActivityCategoryFactory, OrganizationFactory

    activity = ActivityCategoryFactory()
    organization = OrganizationFactory(activities=[activity])
    rows_before = organization.history.count()

    organization_update(organization=organization, name=organization.name, activities=iter([activity]))

    assert organization.history.count() == rows_before
