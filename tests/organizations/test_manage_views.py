"""/manage/ pages: who reaches what (table-driven), the workflow through the pages, attacks, query counts."""

import time

import pytest
from django.urls import reverse

from accounts.sessions import LAST_SEEN_KEY
from organizations import services
from organizations.enums import RevisionStatus
from organizations.models import ListingRevision, Organization
from tests.clients import PortalClient
from tests.factories import ActivityCategoryFactory, OrganizationFactory
from tests.portal.html import find_all, texts

from .conftest import make_editor

pytestmark = pytest.mark.django_db


def _form(municipality_code: str, **values) -> dict:
    data = {
        "municipality": municipality_code,
        "name": "芋井地区住民自治協議会",
        "name_kana": "いもいちくじゅうみんじちきょうぎかい",
        "area_type": "",
        "legal_form": "",
        "organization_type": "",
        "founded_year": "",
        "has_base": "unknown",
        "base_is_public_facility": "unknown",
        "contact": "",
        "website": "",
        "description": "",
    }
    data.update(values)
    return data


def test_url_names_resolve_to_the_manage_paths():
    assert reverse("manage:dashboard") == "/manage/"
    assert reverse("manage:organization_create") == "/manage/organizations/new/"
    assert reverse("manage:organization_edit", kwargs={"pk": 3}) == "/manage/organizations/3/edit/"
    assert reverse("manage:organization_history", kwargs={"pk": 3}) == "/manage/organizations/3/history/"
    assert reverse("manage:organization_restore", kwargs={"pk": 3, "history_id": 9}) == "/manage/organizations/3/history/9/restore/"
    assert reverse("manage:revision_detail", kwargs={"pk": 5}) == "/manage/revisions/5/"
    assert reverse("manage:revision_edit", kwargs={"pk": 5}) == "/manage/revisions/5/edit/"
    assert reverse("manage:revision_submit", kwargs={"pk": 5}) == "/manage/revisions/5/submit/"
    assert reverse("manage:revision_revise", kwargs={"pk": 5}) == "/manage/revisions/5/revise/"
    assert reverse("manage:revision_approve", kwargs={"pk": 5}) == "/manage/revisions/5/approve/"
    assert reverse("manage:revision_return", kwargs={"pk": 5}) == "/manage/revisions/5/return/"
    assert reverse("manage:review_queue") == "/manage/review/"


# ---------------------------------------------------------------- the permission table

ROLES = ["ministry", "event", "city_editor", "prefecture_editor", "anonymous"]
ACTIONS = ["dashboard", "edit_own", "edit_other", "review_queue", "approve"]
# "own" is a listing of 長野市 (inside 長野県), "other" one of 安芸高田市 (広島県).
EXPECTED = {
    "ministry": {"dashboard": 200, "edit_own": 200, "edit_other": 200, "review_queue": 200, "approve": 302},
    "event": {"dashboard": 403, "edit_own": 403, "edit_other": 403, "review_queue": 403, "approve": 403},
    "city_editor": {"dashboard": 200, "edit_own": 200, "edit_other": 403, "review_queue": 403, "approve": 403},
    "prefecture_editor": {"dashboard": 200, "edit_own": 200, "edit_other": 403, "review_queue": 403, "approve": 403},
    "anonymous": {action: 302 for action in ACTIONS},
}


@pytest.fixture
def world(nagano, akitakata, ministry_user, event_user, nagano_editor, prefecture_editor):
    own = OrganizationFactory(municipality=nagano, name="芋井地区住民自治協議会")
    other = OrganizationFactory(municipality=akitakata, name="生桑振興会")
    proposed = OrganizationFactory(municipality=nagano, name="鬼無里地区住民自治協議会")
    revision = services.listing_draft_save(
        user=nagano_editor, organization=proposed, municipality=nagano, name=proposed.name, description="案"
    )
    services.listing_submit(user=nagano_editor, revision=revision)
    users = {
        "ministry": ministry_user,
        "event": event_user,
        "city_editor": nagano_editor,
        "prefecture_editor": prefecture_editor,
        "anonymous": None,
    }
    return {"own": own, "other": other, "revision": revision, "users": users}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_permission_table(client, world, role, action):
    own, other, revision = world["own"], world["other"], world["revision"]
    if world["users"][role] is not None:
        client.force_login(world["users"][role])
    url, method = {
        "dashboard": (reverse("manage:dashboard"), "get"),
        "edit_own": (reverse("manage:organization_edit", kwargs={"pk": own.pk}), "get"),
        "edit_other": (reverse("manage:organization_edit", kwargs={"pk": other.pk}), "get"),
        "review_queue": (reverse("manage:review_queue"), "get"),
        "approve": (reverse("manage:revision_approve", kwargs={"pk": revision.pk}), "post"),
    }[action]

    response = getattr(client, method)(url)

    assert response.status_code == EXPECTED[role][action]
    if role == "anonymous":
        assert response["Location"] == f"/accounts/login/?next={url}"
    revision.refresh_from_db()
    approved = (role, action) == ("ministry", "approve")
    assert revision.status == (RevisionStatus.PUBLISHED if approved else RevisionStatus.SUBMITTED)


@pytest.mark.parametrize("role", ["ministry", "city_editor", "prefecture_editor"])
def test_edit_form_is_prefilled_from_the_published_listing(client, world, role):
    client.force_login(world["users"][role])

    response = client.get(reverse("manage:organization_edit", kwargs={"pk": world["own"].pk}))

    assert find_all(response.content, "input", name="name")[0].attrs["value"] == "芋井地区住民自治協議会"


def test_403_page_is_the_sites_own(client, world):
    client.force_login(world["users"]["city_editor"])

    response = client.get(reverse("manage:review_queue"))

    assert response.status_code == 403
    assert response.templates[0].name == "403.html"


# ---------------------------------------------------------------- the workflow through the pages


def test_editor_submits_and_reviewer_approves_through_the_pages(client, nagano, nagano_editor, ministry_user):
    activity = ActivityCategoryFactory(name="声かけ・見守りサービス")
    organization = OrganizationFactory(municipality=nagano, name="芋井地区住民自治協議会", description="旧")
    client.force_login(nagano_editor)
    edit_url = reverse("manage:organization_edit", kwargs={"pk": organization.pk})

    saved = client.post(
        edit_url,
        _form("202011", name_kana=organization.name_kana, description="新しい概要", activities=[activity.pk], save="1"),
    )
    revision = ListingRevision.objects.get()
    continued = client.get(edit_url)
    submitted = client.post(reverse("manage:revision_submit", kwargs={"pk": revision.pk}))
    status_page = client.get(reverse("manage:revision_detail", kwargs={"pk": revision.pk}))
    client.force_login(ministry_user)
    queue = client.get(reverse("manage:review_queue"))
    review = client.get(reverse("manage:revision_detail", kwargs={"pk": revision.pk}))
    approved = client.post(reverse("manage:revision_approve", kwargs={"pk": revision.pk}), {"comment": ""})

    assert saved.status_code == 302
    assert saved["Location"] == f"/manage/revisions/{revision.pk}/"
    assert continued["Location"] == f"/manage/revisions/{revision.pk}/edit/"
    assert submitted["Location"] == f"/manage/revisions/{revision.pk}/"
    assert texts(status_page.content, "span", class_="badge text-bg-secondary") == ["審査待ち"]
    assert texts(queue.content, "td")[:3] == [f"#{revision.pk}", "長野県長野市", "芋井地区住民自治協議会"]
    assert [row.text.split()[0] for row in find_all(review.content, "tr", class_="table-warning")] == ["活動内容", "概要"]
    assert approved["Location"] == "/manage/review/"
    organization.refresh_from_db()
    assert (organization.description, list(organization.activities.all())) == ("新しい概要", [activity])
    assert ListingRevision.objects.get().status == RevisionStatus.PUBLISHED


def test_editor_adds_a_new_rmo_and_submits_it_in_one_step(client, nagano, nagano_editor):
    client.force_login(nagano_editor)

    response = client.post(reverse("manage:organization_create"), _form("202011", name="新設振興会", submit="1"))

    revision = ListingRevision.objects.get()
    assert response["Location"] == f"/manage/revisions/{revision.pk}/"
    assert (revision.status, revision.organization, revision.municipality, revision.name) == (
        RevisionStatus.SUBMITTED, None, nagano, "新設振興会",
    )  # fmt: skip
    assert Organization.objects.count() == 0


def test_reviewer_returns_with_comment_and_editor_revises(client, nagano, nagano_editor, ministry_user):
    organization = OrganizationFactory(municipality=nagano)
    revision = services.listing_submit(
        user=nagano_editor,
        revision=services.listing_draft_save(user=nagano_editor, organization=organization, municipality=nagano, name="誤記"),
    )
    client.force_login(ministry_user)
    returned = client.post(reverse("manage:revision_return", kwargs={"pk": revision.pk}), {"comment": "正式名称は？"})
    client.force_login(nagano_editor)
    dashboard = client.get(reverse("manage:dashboard"))
    revised = client.post(reverse("manage:revision_revise", kwargs={"pk": revision.pk}))

    draft = ListingRevision.objects.get(status=RevisionStatus.DRAFT)
    assert returned["Location"] == "/manage/review/"
    assert ListingRevision.objects.get(pk=revision.pk).review_comment == "正式名称は？"
    assert "差し戻し" in texts(dashboard.content, "a")
    assert revised["Location"] == f"/manage/revisions/{draft.pk}/edit/"
    assert (draft.name, draft.previous_id) == ("誤記", revision.pk)


def test_return_without_comment_is_refused_with_a_message(client, world, ministry_user):
    client.force_login(ministry_user)
    url = reverse("manage:revision_return", kwargs={"pk": world["revision"].pk})

    response = client.post(url, {"comment": ""}, follow=True)

    assert [str(message) for message in response.context["messages"]] == ["差し戻す理由を入力してください。"]
    assert ListingRevision.objects.get(pk=world["revision"].pk).status == RevisionStatus.SUBMITTED


def test_form_error_for_public_facility_without_base(client, nagano, nagano_editor):
    client.force_login(nagano_editor)

    response = client.post(
        reverse("manage:organization_create"), _form("202011", has_base="false", base_is_public_facility="true", save="1")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"base_is_public_facility": ["活動拠点が「はい」のときだけ選べます。"]}
    assert ListingRevision.objects.count() == 0


# ---------------------------------------------------------------- bad input and attacks


def test_editor_posting_to_another_municipalitys_rmo_by_id_gets_403(client, world, nagano_editor):
    other = world["other"]
    client.force_login(nagano_editor)

    response = client.post(
        reverse("manage:organization_edit", kwargs={"pk": other.pk}), _form("342149", name="乗っ取り", submit="1")
    )

    assert response.status_code == 403
    assert ListingRevision.objects.filter(organization=other).count() == 0
    assert Organization.objects.get(pk=other.pk).name == "生桑振興会"


def test_editor_moving_own_rmo_to_another_municipality_in_the_form_gets_403(client, world, nagano_editor):
    own = world["own"]
    client.force_login(nagano_editor)

    response = client.post(reverse("manage:organization_edit", kwargs={"pk": own.pk}), _form("342149", submit="1"))

    assert response.status_code == 403
    assert ListingRevision.objects.filter(organization=own).count() == 0
    assert Organization.objects.get(pk=own.pk).municipality_id == "202011"


def test_editor_adding_an_rmo_in_another_municipality_gets_403(client, world, nagano_editor):
    client.force_login(nagano_editor)
    before = ListingRevision.objects.count()

    response = client.post(reverse("manage:organization_create"), _form("342149", name="他市の新設", submit="1"))

    assert response.status_code == 403
    assert ListingRevision.objects.count() == before


def test_editor_cannot_touch_another_municipalitys_draft(client, akitakata, nagano_editor, ministry_user):
    draft = services.listing_draft_save(user=ministry_user, municipality=akitakata, name="生桑振興会")
    client.force_login(nagano_editor)

    page = client.get(reverse("manage:revision_detail", kwargs={"pk": draft.pk}))
    edit = client.post(reverse("manage:revision_edit", kwargs={"pk": draft.pk}), _form("202011", name="書き換え", save="1"))
    submit = client.post(reverse("manage:revision_submit", kwargs={"pk": draft.pk}))

    assert (page.status_code, edit.status_code, submit.status_code) == (403, 403, 403)
    draft.refresh_from_db()
    assert (draft.status, draft.name, draft.municipality) == (RevisionStatus.DRAFT, "生桑振興会", akitakata)


def test_editor_cannot_approve_or_return_own_submission(client, world, nagano_editor):
    client.force_login(nagano_editor)
    revision = world["revision"]

    approve = client.post(reverse("manage:revision_approve", kwargs={"pk": revision.pk}))
    send_back = client.post(reverse("manage:revision_return", kwargs={"pk": revision.pk}), {"comment": "自分で"})

    assert (approve.status_code, send_back.status_code) == (403, 403)
    revision.refresh_from_db()
    assert (revision.status, revision.reviewed_by) == (RevisionStatus.SUBMITTED, None)


def test_script_in_every_field_is_shown_as_text_on_the_public_page(client, nagano, nagano_editor, ministry_user):
    script = '<script>alert("x")</script>'
    client.force_login(nagano_editor)
    client.post(
        reverse("manage:organization_create"),
        _form("202011", name=f"{script}振興会", name_kana=script, contact=script, description=script, submit="1"),
    )
    services.listing_approve(user=ministry_user, revision=ListingRevision.objects.get())
    organization = Organization.objects.get()

    review = PortalClient()
    review.force_login(ministry_user)
    pages = [
        client.get(organization.get_absolute_url()),
        review.get(reverse("manage:revision_detail", kwargs={"pk": ListingRevision.objects.get().pk})),
        review.get(reverse("manage:organization_history", kwargs={"pk": organization.pk})),
    ]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert 'alert("x")</script>' not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert texts(pages[0].content, "h1") == [f"{script}振興会"]


def test_post_without_csrf_token_is_refused(nagano, nagano_editor, world):
    browser = PortalClient(enforce_csrf_checks=True)
    browser.force_login(nagano_editor)

    edit = browser.post(reverse("manage:organization_edit", kwargs={"pk": world["own"].pk}), _form("202011", submit="1"))
    browser.force_login(world["users"]["ministry"])
    approve = browser.post(reverse("manage:revision_approve", kwargs={"pk": world["revision"].pk}))

    assert (edit.status_code, approve.status_code) == (403, 403)
    assert ListingRevision.objects.filter(organization=world["own"]).count() == 0
    assert ListingRevision.objects.get(pk=world["revision"].pk).status == RevisionStatus.SUBMITTED


def test_unknown_revision_is_404(client, ministry_user):
    client.force_login(ministry_user)

    assert client.get(reverse("manage:revision_detail", kwargs={"pk": 999999})).status_code == 404


# ---------------------------------------------------------------- query counts


@pytest.mark.parametrize("rows", [1, 3])
def test_dashboard_query_count_is_fixed(client, django_assert_num_queries, nagano, rows):
    editor = make_editor("counted", municipality=nagano)
    for n in range(rows):
        organization = OrganizationFactory(municipality=nagano)
        services.listing_draft_save(user=editor, organization=organization, municipality=nagano, name=organization.name)
        services.listing_draft_save(user=editor, municipality=nagano, name=f"新設{n}")
    client.force_login(editor)

    # session, session epoch, user, TOTP device, groups (rules), editor scope, the model
    # permissions (asked because "may review?" is no for an editor), municipalities,
    # organizations with their latest proposal, proposals of new RMOs
    with django_assert_num_queries(11):
        response = client.get(reverse("manage:dashboard"))

    assert len(response.context["groups"][0].organizations) == rows
    assert len(response.context["groups"][0].new_revisions) == rows
    assert texts(response.content, "td").count("下書き") == 2 * rows


@pytest.mark.parametrize("rows", [1, 3])
def test_review_queue_query_count_is_fixed(client, django_assert_num_queries, nagano, nagano_editor, ministry_user, rows):
    for n in range(rows):
        revision = services.listing_draft_save(user=nagano_editor, municipality=nagano, name=f"新設{n}")
        services.listing_submit(user=nagano_editor, revision=revision)
    client.force_login(ministry_user)

    # session, session epoch, user, TOTP device, groups (rules), submitted proposals with
    # municipality and submitter
    with django_assert_num_queries(6):
        response = client.get(reverse("manage:review_queue"))

    assert len(response.context["revisions"]) == rows


# ---------------------------------------------------------------- a form sent after the idle timeout


def _idle(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 1801
    session.save()


def test_a_form_sent_after_the_idle_timeout_comes_back_after_logging_in_again(client, nagano, nagano_editor, settings):
    organization = OrganizationFactory(municipality=nagano, name="芋井地区住民自治協議会", description="")
    client.force_login(nagano_editor)
    _idle(client, settings)
    long_text = "長い概要。" * 400

    sent = client.post(
        reverse("manage:organization_edit", kwargs={"pk": organization.pk}),
        _form("202011", description=long_text, activities=[]),
    )
    client.force_login(nagano_editor)
    page = client.get(reverse("manage:organization_edit", kwargs={"pk": organization.pk}))
    again = client.get(reverse("manage:organization_edit", kwargs={"pk": organization.pk}))

    assert sent.status_code == 302 and sent["Location"].startswith("/accounts/login/")
    assert ListingRevision.objects.count() == 0  # nothing was saved behind the editor's back
    assert page.context["form"]["description"].value() == long_text
    assert [str(m) for m in page.context["messages"]][-1].startswith("ログアウトされる前に入力していた内容を戻しました。")
    assert again.context["form"]["description"].value() == ""  # given back once


def test_a_kept_form_is_not_given_to_another_user_of_the_browser(client, nagano, nagano_editor, ministry_user, settings):
    organization = OrganizationFactory(municipality=nagano, description="公開中の概要")
    client.force_login(nagano_editor)
    _idle(client, settings)

    client.post(reverse("manage:organization_edit", kwargs={"pk": organization.pk}), _form("202011", description="下書き"))
    client.force_login(ministry_user)
    page = client.get(reverse("manage:organization_edit", kwargs={"pk": organization.pk}))

    assert page.context["form"]["description"].value() == "公開中の概要"
    assert "accounts_kept_form" not in client.session


def test_a_form_of_another_page_is_not_kept(client, nagano, nagano_editor, settings):
    client.force_login(nagano_editor)
    _idle(client, settings)

    client.post(reverse("accounts:logout_everywhere"))

    assert "accounts_kept_form" not in client.session


def test_approval_of_an_unpublished_listing_says_it_stays_off_the_site(client, nagano, nagano_editor, ministry_user):
    organization = OrganizationFactory(municipality=nagano, is_published=False)
    revision = services.listing_submit(
        user=nagano_editor,
        revision=services.listing_draft_save(user=nagano_editor, organization=organization, municipality=nagano, name="新名称"),
    )
    client.force_login(ministry_user)

    response = client.post(reverse("manage:revision_approve", kwargs={"pk": revision.pk}), {"comment": ""}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "承認し、登録内容を更新しました。この組織は非公開のため、公開ページには表示されません。編集者にメールで知らせます。"
    ]
    organization.refresh_from_db()
    assert (organization.name, organization.is_published) == ("新名称", False)


def test_approval_of_a_new_rmo_says_it_is_published(client, nagano, nagano_editor, ministry_user):
    revision = services.listing_submit(
        user=nagano_editor, revision=services.listing_draft_save(user=nagano_editor, municipality=nagano, name="新設会")
    )
    client.force_login(ministry_user)

    response = client.post(reverse("manage:revision_approve", kwargs={"pk": revision.pk}), {"comment": ""}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["承認し、公開しました。編集者にメールで知らせます。"]


def test_dashboard_shows_why_a_proposal_was_returned(client, nagano, nagano_editor, ministry_user):
    edited = OrganizationFactory(municipality=nagano, name="既存の会")
    for organization in (edited, None):
        draft = services.listing_draft_save(
            user=nagano_editor, organization=organization, municipality=nagano, name="新設会" if organization is None else "既存の会"
        )
        services.listing_return(
            user=ministry_user, revision=services.listing_submit(user=nagano_editor, revision=draft), comment="正式名称は？\n出典も。"
        )
    client.force_login(nagano_editor)

    response = client.get(reverse("manage:dashboard"))

    assert texts(response.content, "div", class_="rmo-review-comment small mt-1") == ["差し戻しの理由：正式名称は？出典も。"] * 2
