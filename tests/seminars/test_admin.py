import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.test import Client

from seminars.enums import AttendanceMode, RegistrationStatus
from portal.models import PersonalDataAccessLog
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


# ---------------------------------------------------------------- personal data (個人情報保護法)


def test_registration_export_writes_one_access_log_row_with_user_count_and_address(admin_client_seminars):
    seminar = make_seminar(title="記録の回")
    make_registration(seminar)
    make_registration(seminar)
    user = User.objects.get(pk=admin_client_seminars.session["_auth_user_id"])

    admin_client_seminars.get("/admin/seminars/registration/export/")  # the form alone is no export
    _export(admin_client_seminars, 0)

    log = PersonalDataAccessLog.objects.get()
    assert (log.user, log.username, log.action, log.data, log.file_format) == (
        user,
        user.username,
        "export",
        "seminars.registration",
        "csv",
    )
    assert (log.row_count, log.target, log.client_address) == (2, "記録の回", "127.0.0.1")


def test_registration_export_xlsx_of_a_filtered_list_records_the_count_and_filters(admin_client_seminars):
    seminar = make_seminar()
    make_registration(seminar)
    make_registration(seminar, mode=AttendanceMode.ONLINE)

    _export(admin_client_seminars, 1, "?mode__exact=online&q=%E5%B1%B1%E7%94%B0")

    log = PersonalDataAccessLog.objects.get()
    assert (log.file_format, log.row_count) == ("xlsx", 0)  # the search word matches nobody
    assert log.filters == "mode__exact=online&q=***"


def test_registration_export_refused_to_staff_without_view_permission():
    make_registration(make_seminar())
    client = staff("view_seminar")

    page = client.get("/admin/seminars/registration/export/")
    post = client.post("/admin/seminars/registration/export/", {"format": "0", "resource": "0"})

    assert (page.status_code, post.status_code) == (403, 403)
    assert PersonalDataAccessLog.objects.count() == 0


def test_registration_export_redirects_anonymous_and_non_staff_to_login(client):
    make_registration(make_seminar())
    citizen = Client()
    citizen.force_login(User.objects.create_user("citizen", password="x-very-long-pw"))

    anonymous = client.post("/admin/seminars/registration/export/", {"format": "0", "resource": "0"})
    not_staff = citizen.post("/admin/seminars/registration/export/", {"format": "0", "resource": "0"})

    assert (anonymous.status_code, not_staff.status_code) == (302, 302)
    assert anonymous["Location"].startswith("/admin/login/")
    assert PersonalDataAccessLog.objects.count() == 0


def _erase(client: Client, registration: Registration, *, confirm: bool):
    data = {"action": "erase_personal_data", "_selected_action": [registration.pk]}
    if confirm:
        data["confirm"] = "yes"
    return client.post("/admin/seminars/registration/", data)


@pytest.fixture
def eraser(db) -> Client:
    return staff("view_registration", "change_registration", "delete_registration")


def test_registration_erase_action_asks_for_confirmation_first(eraser):
    registration = make_registration(make_seminar(), name="確認 太郎")

    response = _erase(eraser, registration, confirm=False)

    assert response.status_code == 200
    assert response.templates[0].name == "seminars/registration_confirm_erase.html"
    assert Registration.objects.get(pk=registration.pk).name == "確認 太郎"


def test_registration_erase_action_promotes_anonymizes_and_records(eraser):
    seminar = make_seminar(venue_capacity=1, title="削除の回")
    confirmed = make_registration(seminar)
    waiting = make_registration(seminar, status=RegistrationStatus.WAITLISTED)

    response = _erase(eraser, confirmed, confirm=True)

    confirmed.refresh_from_db()
    assert response.status_code == 302
    assert (confirmed.status, confirmed.name, confirmed.email) == (RegistrationStatus.CANCELLED, "", "")
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED
    log = PersonalDataAccessLog.objects.get()
    assert (log.action, log.data, log.row_count, log.target) == ("erasure", "seminars.registration", 1, "削除の回")


def test_registration_erase_action_needs_the_delete_permission():
    registration = make_registration(make_seminar(), name="権限 太郎")

    _erase(staff("view_registration", "change_registration"), registration, confirm=True)

    assert Registration.objects.get(pk=registration.pk).name == "権限 太郎"


def test_anonymized_registration_change_page_is_read_only(admin_client_seminars, eraser):
    registration = make_registration(make_seminar())
    _erase(eraser, registration, confirm=True)

    response = admin_client_seminars.get(f"/admin/seminars/registration/{registration.pk}/change/")

    assert response.status_code == 200
    assert "accessibility_needs" not in response.context["adminform"].form.fields
