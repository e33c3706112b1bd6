import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.test import Client

from seminars.enums import AttendanceMode, RegistrationStatus
from seminars.models import Registration, Seminar, SeminarMessage
from tests.seminars.factories import NOW, make_municipality, make_registration, make_seminar

pytestmark = pytest.mark.django_db


def staff(*codenames: str) -> Client:
    user = User.objects.create_user(f"staff-{len(codenames)}-{User.objects.count()}", password="x-very-long-pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="seminars", codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_seminars(db) -> Client:
    return staff(
        "view_seminar", "change_seminar", "add_seminar", "view_registration", "change_registration", "view_seminarmessage"
    )


def _export(client: Client, format_index: int, query: str = "") -> bytes:
    page = client.get(f"/admin/seminars/registration/export/{query}")
    form = page.context["form"]
    data = {"format": str(format_index), "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("registrationresource_")})
    response = client.post(f"/admin/seminars/registration/export/{query}", data)
    assert response.status_code == 200, response.content[:500]
    return response.content


def test_registration_changelist_requires_staff(client):
    response = client.get("/admin/seminars/registration/")

    assert response.status_code == 302


def test_registration_changelist_staff_without_permission_is_403():
    response = staff().get("/admin/seminars/registration/")

    assert response.status_code == 403


def test_registration_changelist_filters(admin_client_seminars):
    seminar = make_seminar()
    municipality = make_municipality()
    make_registration(seminar, municipality=municipality, checked_in_at=NOW)
    make_registration(seminar, mode=AttendanceMode.ONLINE)

    by_mode = admin_client_seminars.get("/admin/seminars/registration/", {"mode__exact": "online"})
    checked_in = admin_client_seminars.get("/admin/seminars/registration/", {"checked_in": "yes"})
    by_municipality = admin_client_seminars.get("/admin/seminars/registration/", {"municipality__code__exact": "202011"})

    assert by_mode.context["cl"].result_count == 1
    assert checked_in.context["cl"].result_count == 1
    assert by_municipality.context["cl"].result_count == 1


def test_registration_export_csv_has_japanese_headers_and_no_token(admin_client_seminars):
    seminar = make_seminar(title="CSVの回")
    registration = make_registration(seminar, name="出力 太郎", joins_exchange=True)

    content = _export(admin_client_seminars, 0).decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][:6] == ["セミナー", "受付番号", "氏名", "ふりがな", "メールアドレス", "所属"]
    assert rows[1][:3] == ["CSVの回", str(registration.pk), "出力 太郎"]
    assert rows[1][rows[0].index("参加方法")] == "会場"
    assert rows[1][rows[0].index("意見交換会")] == "参加"
    assert registration.token not in content


def test_registration_export_xlsx(admin_client_seminars):
    make_registration(make_seminar(), name="エクセル 花子")

    content = _export(admin_client_seminars, 1)

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet.cell(row=1, column=3).value == "氏名"
    assert sheet.cell(row=2, column=3).value == "エクセル 花子"


def test_seminar_change_page_shows_dashboard(admin_client_seminars):
    seminar = make_seminar(venue_capacity=2)
    make_registration(seminar)
    make_registration(seminar, status=RegistrationStatus.WAITLISTED)

    response = admin_client_seminars.get(f"/admin/seminars/seminar/{seminar.pk}/change/")

    assert response.status_code == 200
    assert response.context["dashboard"]["venue_confirmed"] == 1
    assert response.context["dashboard"]["venue_waitlisted"] == 1
    assert "申込状況" in response.content.decode()


def _change_post(client: Client, seminar: Seminar, **changes) -> None:
    page = client.get(f"/admin/seminars/seminar/{seminar.pk}/change/")
    data = {}
    for form in [page.context["adminform"].form, *[f for fs in page.context["inline_admin_formsets"] for f in [fs.formset.management_form, *fs.formset.forms]]]:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = value
    data.update(changes)
    response = client.post(f"/admin/seminars/seminar/{seminar.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response


def test_seminar_admin_entering_online_url_mails_online_registrants(admin_client_seminars, django_capture_on_commit_callbacks):
    seminar = make_seminar()
    make_registration(seminar, mode=AttendanceMode.ONLINE)
    make_registration(seminar, mode=AttendanceMode.ONLINE)

    _change_post(admin_client_seminars, seminar, online_url="https://meet.example.jp/new")

    from django_tasks_db.models import DBTaskResult

    kinds = [r.args_kwargs["args"][0] for r in DBTaskResult.objects.all()]
    assert kinds == ["seminars.online_url", "seminars.online_url"]
    seminar.refresh_from_db()
    assert seminar.online_url == "https://meet.example.jp/new"


def test_seminar_admin_close_action(admin_client_seminars):
    seminar = make_seminar()

    admin_client_seminars.post(
        "/admin/seminars/seminar/", {"action": "close_registration", "_selected_action": [seminar.pk]}
    )

    seminar.refresh_from_db()
    assert seminar.closed_by_staff is True
    assert seminar.is_registration_open(NOW) is False


def test_seminar_admin_message_to_one_mode(admin_client_seminars):
    seminar = make_seminar()
    make_registration(seminar)
    make_registration(seminar, mode=AttendanceMode.ONLINE)

    response = admin_client_seminars.post(
        f"/admin/seminars/seminar/{seminar.pk}/message/",
        {"mode": "online", "subject": "配信テスト", "body": "接続確認をお願いします。"},
    )

    assert response.status_code == 302
    message = SeminarMessage.objects.get()
    assert (message.mode, message.recipient_count) == ("online", 1)
    assert mail.outbox == []  # queued, sent by the worker


def test_seminar_admin_message_view_requires_registration_permission():
    seminar = make_seminar()

    response = staff("view_seminar", "change_seminar").get(f"/admin/seminars/seminar/{seminar.pk}/message/")

    assert response.status_code == 403


def test_registration_admin_cancel_action_promotes(admin_client_seminars):
    seminar = make_seminar(venue_capacity=1)
    confirmed = make_registration(seminar)
    waiting = make_registration(seminar, status=RegistrationStatus.WAITLISTED)

    admin_client_seminars.post(
        "/admin/seminars/registration/", {"action": "cancel_registrations", "_selected_action": [confirmed.pk]}
    )

    assert Registration.objects.get(pk=confirmed.pk).status == RegistrationStatus.CANCELLED
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED


def test_seminar_changelist_shows_seats_per_mode(admin_client_seminars):
    seminar = make_seminar(venue_capacity=80, online_capacity=None)
    make_registration(seminar)
    make_registration(seminar, mode=AttendanceMode.ONLINE)

    response = admin_client_seminars.get("/admin/seminars/seminar/")

    html = response.content.decode()
    assert '<td class="field-venue_seats">1 / 80</td>' in html
    assert '<td class="field-online_seats">1 / ∞</td>' in html
