"""The listing workflow in organizations/services.py: draft → submitted → published | returned."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from organizations import services
from organizations.enums import LegalForm, RevisionStatus
from organizations.models import ListingRevision, Organization
from tests.factories import ActivityCategoryFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def _draft(user, organization=None, *, municipality=None, **values):
    values.setdefault("name", organization.name if organization else "鬼無里地区住民自治協議会")
    return services.listing_draft_save(
        user=user, organization=organization, municipality=municipality or organization.municipality, **values
    )


def _submitted(user, organization=None, **values):
    return services.listing_submit(user=user, revision=_draft(user, organization, **values))


# ---------------------------------------------------------------- transitions


def test_draft_save_leaves_published_organization_unchanged(nagano, nagano_editor):
    organization = OrganizationFactory(municipality=nagano, name="芋井地区住民自治協議会", description="公開中の概要")

    revision = _draft(nagano_editor, organization, description="新しい概要")

    organization.refresh_from_db()
    assert (revision.status, revision.organization, revision.created_by) == (RevisionStatus.DRAFT, organization, nagano_editor)
    assert revision.description == "新しい概要"
    assert organization.description == "公開中の概要"


def test_draft_save_twice_updates_the_one_open_draft(nagano, nagano_editor):
    organization = OrganizationFactory(municipality=nagano)

    first = _draft(nagano_editor, organization, description="一回目")
    second = _draft(nagano_editor, organization, description="二回目")

    assert second.pk == first.pk
    assert list(ListingRevision.objects.values_list("description", flat=True)) == ["二回目"]


def test_submit_moves_draft_to_submitted(nagano, nagano_editor):
    revision = _draft(nagano_editor, municipality=nagano)

    submitted = services.listing_submit(user=nagano_editor, revision=revision)

    assert submitted.status == RevisionStatus.SUBMITTED
    assert submitted.submitted_by == nagano_editor
    assert submitted.submitted_at is not None
    assert Organization.objects.count() == 0


def test_submitted_revision_cannot_be_edited_or_submitted_again(nagano, nagano_editor):
    organization = OrganizationFactory(municipality=nagano)
    revision = _submitted(nagano_editor, organization)

    with pytest.raises(services.OrganizationError) as edit_error:
        _draft(nagano_editor, organization, description="審査中の変更")
    with pytest.raises(services.OrganizationError) as submit_error:
        services.listing_submit(user=nagano_editor, revision=revision)

    assert str(edit_error.value.message) == "この組織の変更は審査中です。審査が終わるまでお待ちください。"
    assert str(submit_error.value.message) == "下書きの申請だけを提出できます。"


def test_approve_applies_revision_through_the_write_service(nagano, nagano_editor, ministry_user):
    watching = ActivityCategoryFactory(slug="watching", name="声かけ・見守りサービス")
    organization = OrganizationFactory(municipality=nagano, name="旧名称協議会", name_kana="きゅう")
    revision = _submitted(
        nagano_editor, organization, name="新名称協議会", name_kana="しんめいしょう", legal_form=LegalForm.NPO, activities=[watching]
    )

    approved = services.listing_approve(user=ministry_user, revision=revision, comment="確認しました")

    organization.refresh_from_db()
    assert (approved.status, approved.reviewed_by, approved.review_comment) == (
        RevisionStatus.PUBLISHED, ministry_user, "確認しました",
    )  # fmt: skip
    assert (organization.name, organization.legal_form) == ("新名称協議会", LegalForm.NPO)
    assert list(organization.activities.all()) == [watching]
    assert organization.search_text == "新名称協議会\nしんめいしょう\n長野県長野市\nながのけんながのし"


def test_approve_of_a_new_rmo_creates_it_published(nagano, nagano_editor, ministry_user):
    revision = _submitted(nagano_editor, municipality=nagano, name="新設振興会")

    approved = services.listing_approve(user=ministry_user, revision=revision)

    organization = Organization.objects.get()
    assert approved.organization == organization
    assert (organization.name, organization.municipality, organization.is_published) == ("新設振興会", nagano, True)


def test_return_keeps_published_data_and_stores_comment(nagano, nagano_editor, ministry_user):
    organization = OrganizationFactory(municipality=nagano, name="芋井地区住民自治協議会")
    revision = _submitted(nagano_editor, organization, name="誤った名称")

    returned = services.listing_return(user=ministry_user, revision=revision, comment="正式名称を確認してください。")

    organization.refresh_from_db()
    assert (returned.status, returned.reviewed_by, returned.review_comment) == (
        RevisionStatus.RETURNED, ministry_user, "正式名称を確認してください。",
    )  # fmt: skip
    assert organization.name == "芋井地区住民自治協議会"


def test_return_needs_a_comment(nagano, nagano_editor, ministry_user):
    revision = _submitted(nagano_editor, municipality=nagano)

    with pytest.raises(services.OrganizationError) as error:
        services.listing_return(user=ministry_user, revision=revision, comment="  ")

    revision.refresh_from_db()
    assert str(error.value.message) == "差し戻す理由を入力してください。"
    assert revision.status == RevisionStatus.SUBMITTED


@pytest.mark.parametrize("status", [RevisionStatus.DRAFT, RevisionStatus.PUBLISHED, RevisionStatus.RETURNED])
def test_only_submitted_revisions_can_be_reviewed(nagano, nagano_editor, ministry_user, status):
    revision = _draft(nagano_editor, municipality=nagano)
    ListingRevision.objects.filter(pk=revision.pk).update(status=status)

    with pytest.raises(services.OrganizationError) as approve_error:
        services.listing_approve(user=ministry_user, revision=revision)
    with pytest.raises(services.OrganizationError) as return_error:
        services.listing_return(user=ministry_user, revision=revision, comment="理由")

    assert str(approve_error.value.message) == str(return_error.value.message) == "審査待ちの申請ではありません。"
    assert ListingRevision.objects.get().status == status


def test_revise_starts_a_new_draft_from_the_returned_one(nagano, nagano_editor, ministry_user):
    activity = ActivityCategoryFactory()
    organization = OrganizationFactory(municipality=nagano)
    returned = services.listing_return(
        user=ministry_user, revision=_submitted(nagano_editor, organization, description="案", activities=[activity]), comment="理由"
    )

    draft = services.listing_revise(user=nagano_editor, revision=returned)
    again = services.listing_revise(user=nagano_editor, revision=returned)

    returned.refresh_from_db()
    assert (draft.status, draft.previous, draft.organization, draft.description) == (
        RevisionStatus.DRAFT, returned, organization, "案",
    )  # fmt: skip
    assert list(draft.activities.all()) == [activity]
    assert again.pk == draft.pk
    assert (returned.status, returned.review_comment) == (RevisionStatus.RETURNED, "理由")


def test_submit_refuses_a_name_taken_in_the_municipality(nagano, nagano_editor):
    OrganizationFactory(municipality=nagano, name="芋井地区住民自治協議会")
    revision = _draft(nagano_editor, municipality=nagano, name="芋井地区住民自治協議会")

    with pytest.raises(services.OrganizationError) as error:
        services.listing_submit(user=nagano_editor, revision=revision)

    assert str(error.value.message) == "長野市には「芋井地区住民自治協議会」がすでに登録されています。"
    assert ListingRevision.objects.get().status == RevisionStatus.DRAFT


def test_database_allows_one_open_revision_per_organization(nagano, nagano_editor):
    organization = OrganizationFactory(municipality=nagano)
    _draft(nagano_editor, organization)

    with pytest.raises(IntegrityError), transaction.atomic():
        ListingRevision.objects.create(
            organization=organization, municipality=nagano, name="二つ目", status=RevisionStatus.SUBMITTED
        )

    ListingRevision.objects.create(organization=organization, municipality=nagano, name="過去", status=RevisionStatus.RETURNED)
    assert ListingRevision.objects.filter(organization=organization).count() == 2


# ---------------------------------------------------------------- permissions live in the services


def test_editor_cannot_draft_for_another_municipality(nagano_editor, akitakata):
    organization = OrganizationFactory(municipality=akitakata, name="生桑振興会")

    with pytest.raises(PermissionDenied):
        _draft(nagano_editor, organization, description="書き換え")
    with pytest.raises(PermissionDenied):
        _draft(nagano_editor, municipality=akitakata, name="新設")

    assert ListingRevision.objects.count() == 0


def test_editor_cannot_move_own_listing_to_another_municipality(nagano, nagano_editor, akitakata):
    organization = OrganizationFactory(municipality=nagano)

    with pytest.raises(PermissionDenied):
        _draft(nagano_editor, organization, municipality=akitakata)

    assert ListingRevision.objects.count() == 0


def test_prefecture_editor_may_draft_for_municipalities_of_the_prefecture(prefecture_editor, nagano, akitakata):
    revision = _draft(prefecture_editor, municipality=nagano, name="長野県内の新設")

    with pytest.raises(PermissionDenied):
        _draft(prefecture_editor, municipality=akitakata, name="広島県内の新設")

    assert list(ListingRevision.objects.all()) == [revision]


def test_editor_and_event_staff_cannot_review(nagano, nagano_editor, event_user):
    revision = _submitted(nagano_editor, municipality=nagano)

    for user in (nagano_editor, event_user):
        with pytest.raises(PermissionDenied):
            services.listing_approve(user=user, revision=revision)
        with pytest.raises(PermissionDenied):
            services.listing_return(user=user, revision=revision, comment="理由")

    revision.refresh_from_db()
    assert revision.status == RevisionStatus.SUBMITTED
    assert Organization.objects.count() == 0


def test_editor_cannot_submit_or_revise_another_municipalitys_revision(nagano_editor, akitakata, prefecture_editor, ministry_user):
    hiroshima_editor_revision = _draft(ministry_user, municipality=akitakata, name="生桑振興会")

    with pytest.raises(PermissionDenied):
        services.listing_submit(user=nagano_editor, revision=hiroshima_editor_revision)
    with pytest.raises(PermissionDenied):
        services.listing_draft_save(
            user=prefecture_editor, revision=hiroshima_editor_revision, municipality=akitakata, name="書き換え"
        )

    hiroshima_editor_revision.refresh_from_db()
    assert (hiroshima_editor_revision.status, hiroshima_editor_revision.name) == (RevisionStatus.DRAFT, "生桑振興会")


# ---------------------------------------------------------------- mail to the editor


@pytest.mark.django_db(transaction=True)  # the worker commits and reconnects, as in production
def test_approval_and_return_mail_the_editor(nagano, nagano_editor, ministry_user, run_queued_tasks, mailoutbox):
    organization = OrganizationFactory(municipality=nagano, name="芋井地区住民自治協議会")
    services.listing_approve(user=ministry_user, revision=_submitted(nagano_editor, organization, description="承認される案"))
    returned = services.listing_return(
        user=ministry_user, revision=_submitted(nagano_editor, organization, description="差し戻される案"), comment="出典を添えてください。"
    )

    run_queued_tasks()

    assert [message.to for message in mailoutbox] == [["nagano-city@example.jp"], ["nagano-city@example.jp"]]
    assert [message.subject for message in mailoutbox] == [
        "【地域運営組織ポータル】掲載内容が承認されました：芋井地区住民自治協議会",
        "【地域運営組織ポータル】掲載内容の申請が差し戻されました：芋井地区住民自治協議会",
    ]
    assert f"/organizations/{organization.pk}/" in mailoutbox[0].body
    assert "出典を添えてください。" in mailoutbox[1].body
    assert f"/manage/revisions/{returned.pk}/" in mailoutbox[1].body


# ---------------------------------------------------------------- two tabs at once


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_drafts_of_one_organization_make_one_revision(nagano, nagano_editor):
    """The organization's row is locked while its open draft is looked up: the second save
    waits, then finds and updates the first one (without the lock one of them would hit the
    UniqueConstraint)."""
    import threading

    from django.db import connection

    organization = OrganizationFactory(municipality=nagano)
    barrier = threading.Barrier(2)
    errors = []

    def save(description):
        try:
            barrier.wait()
            _draft(nagano_editor, organization, description=description)
        except Exception as error:  # noqa: BLE001  (collected for the assertion)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(text,)) for text in ("タブ1", "タブ2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    revisions = list(ListingRevision.objects.filter(organization=organization))
    assert len(revisions) == 1
    assert revisions[0].description in {"タブ1", "タブ2"}


@pytest.mark.django_db(transaction=True)
def test_approving_an_edit_of_an_unpublished_listing_mails_what_really_happened(
    nagano, nagano_editor, ministry_user, run_queued_tasks, mailoutbox
):
    organization = OrganizationFactory(municipality=nagano, name="取り下げ中の会", is_published=False)
    revision = services.listing_approve(user=ministry_user, revision=_submitted(nagano_editor, organization, description="案"))

    run_queued_tasks()

    [message] = mailoutbox
    assert message.body.splitlines()[0] == (
        "申請いただいた地域運営組織の掲載内容を承認し、登録内容を更新しました。この組織は現在非公開のため、"
        "公開ページには表示されません。公開について確認したい場合は、地域振興室へお問い合わせください。"
    )
    assert f"/organizations/{organization.pk}/" not in message.body
    assert f"http://testserver/manage/revisions/{revision.pk}/" in message.body.splitlines()
