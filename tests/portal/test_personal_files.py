"""portal.personal_files: the 個人情報ファイル簿 is kept true to the models, and its pages."""

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from portal.models import PrivacyRequestDesk
from portal.personal_files import OFFICE_MODELS, STAFF_ONLY_MODELS, personal_data_files
from portal.services import privacy_request_desk_changed
from tests.portal.html import texts

pytestmark = pytest.mark.django_db


def _stored_models():
    return [stored for file in personal_data_files() for stored in file.stored_in]


@pytest.mark.parametrize("stored", _stored_models(), ids=lambda stored: stored.label)
def test_every_field_of_a_listed_model_is_classified_once(stored):
    fields = {field.name for field in stored.model._meta.concrete_fields}

    assert set(stored.personal) & set(stored.other) == set()
    assert sorted(fields - set(stored.personal) - set(stored.other)) == [], "new fields: list them in personal or other"
    assert sorted((set(stored.personal) | set(stored.other)) - fields) == [], "fields the model no longer has"


def _looks_personal(model) -> bool:
    """An address, a client address or a browser: what makes a row someone's."""
    return any(
        isinstance(field, models.EmailField | models.GenericIPAddressField) or field.name == "user_agent"
        for field in model._meta.concrete_fields
    )


def test_every_model_that_stores_an_address_is_in_the_file_register():
    listed = {stored.label.lower() for stored in _stored_models()} | {label.lower() for label in STAFF_ONLY_MODELS | OFFICE_MODELS}
    personal = {model._meta.label_lower for model in apps.get_models() if _looks_personal(model)}

    assert sorted(personal - listed) == []


def test_files_page_lists_each_file_with_the_item_names_the_models_have(client):
    response = client.get(reverse("portal:privacy_files"))

    assert response.status_code == 200
    assert texts(response.content, "h2") == [
        "地域運営組織 全国セミナー参加申込者ファイル",
        "全国市町村長サミット参加申込ファイル",
        "地域運営組織ディレクトリ 自治体担当者アカウントファイル",
    ]
    items = texts(response.content, "dd")
    assert any(item.startswith("氏名、ふりがな、メールアドレス、メールアドレス（正規化）、所属") for item in items)
    assert any("接続元アドレス、ブラウザの種類（User-Agent）" in item for item in items)
    assert any(item.startswith("開催終了日から180日を経過した後に削除") for item in items)


def test_requests_page_shows_only_what_staff_entered(client):
    without_desk = client.get(reverse("portal:privacy_requests")).content.decode()
    PrivacyRequestDesk.objects.create(office_name="総務省 地域力創造グループ 地域振興室", phone="03-0000-0000")
    privacy_request_desk_changed()  # what the admin's save does: the kept page is stale now
    with_desk = client.get(reverse("portal:privacy_requests"))

    assert "請求の窓口は、総務省 地域力創造グループ 地域振興室です。" in without_desk
    assert "電話番号" not in without_desk
    assert texts(with_desk.content, "dd") == ["総務省 地域力創造グループ 地域振興室", "03-0000-0000"]


def test_privacy_page_states_purpose_safety_leaks_and_links_the_register(client):
    response = client.get(reverse("portal:privacy"))

    headings = texts(response.content, "h2")
    assert headings[:2] == ["利用目的（法第61条・第62条）", "お預かりする情報と個人情報ファイル簿（法第75条）"]
    assert "安全管理のための措置（法第66条）" in headings and "漏えい等が生じたとき（法第68条）" in headings
    assert "開示・訂正・利用停止の請求（法第76条以下）" in headings
    page = response.content.decode()
    assert f'href="{reverse("portal:privacy_files")}#seminar-registrations"' in page
    assert "ログインの記録（接続元アドレス、ブラウザの種類、日時）は、180日を経過した後に削除します。" in page


def test_desk_admin_offers_add_only_while_there_is_none(admin_client):
    first = admin_client.get("/admin/portal/privacyrequestdesk/add/")
    PrivacyRequestDesk.objects.create(office_name="地域振興室")
    second = admin_client.get("/admin/portal/privacyrequestdesk/add/")

    assert (first.status_code, second.status_code) == (200, 403)
