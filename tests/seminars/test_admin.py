import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail

from municipalities.models import Municipality, Prefecture
from portal.deadlines import today_jst
from portal.models import PersonalDataAccessLog
from seminars.enums import AttendanceMode, RegistrationStatus
from seminars.models import Registration, Seminar, SeminarMessage
from tests.clients import PortalClient
from tests.seminars.factories import NOW, make_municipality, make_registration, make_seminar

pytestmark = pytest.mark.django_db


def staff(*codenames: str) -> PortalClient:
    user = User.objects.create_user(f"staff-{len(codenames)}-{User.objects.count()}", password="x-very-long-pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="seminars", codename__in=codenames))
    client = PortalClient()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_seminars(db) -> PortalClient:
    return staff(
        "view_seminar", "change_seminar", "add_seminar", "view_registration", "change_registration", "view_seminarmessage"
    )


def _export_response(client: PortalClient, format_index: int, query: str = ""):
    page = client.get(f"/admin/seminars/registration/export/{query}")
    form = page.context["form"]
    data = {"format": str(format_index), "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("registrationresource_")})
    response = client.post(f"/admin/seminars/registration/export/{query}", data)
    assert response.status_code == 200, response.content[:500]
    return response


def _export(client: PortalClient, format_index: int, query: str = "") -> bytes:
    return _export_response(client, format_index, query).content


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
    assert rows[1][:3] == ["CSVの回", str(registration.number), "出力 太郎"]
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


def _change_post(client: PortalClient, seminar: Seminar, **changes) -> None:
    page = client.get(f"/admin/seminars/seminar/{seminar.pk}/change/")
    data = {}
    for form in [page.context["adminform"].form, *[f for fs in page.context["inline_admin_formsets"] for f in [fs.formset.management_form, *fs.formset.forms]]]:
        for name in form.fields:
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


def test_seminar_admin_raising_the_capacity_promotes_the_waiting_in_order_before_any_newcomer(admin_client_seminars):
    seminar = make_seminar(venue_capacity=1)
    make_registration(seminar)
    first = make_registration(seminar, status=RegistrationStatus.WAITLISTED, created_at=NOW)
    second = make_registration(seminar, status=RegistrationStatus.WAITLISTED, created_at=NOW + dt.timedelta(minutes=1))
    third = make_registration(seminar, status=RegistrationStatus.WAITLISTED, created_at=NOW + dt.timedelta(minutes=2))

    _change_post(admin_client_seminars, seminar, venue_capacity="3")

    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in (first, second, third)] == [
        RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
    ]  # fmt: skip
    page = admin_client_seminars.get(f"/admin/seminars/seminar/{seminar.pk}/change/")
    assert "キャンセル待ちの2名を申込順に繰り上げ、確定のメールを送るよう予約しました。" in [str(m) for m in page.context["messages"]]


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
    citizen = PortalClient()
    citizen.force_login(User.objects.create_user("citizen", password="x-very-long-pw"))

    anonymous = client.post("/admin/seminars/registration/export/", {"format": "0", "resource": "0"})
    not_staff = citizen.post("/admin/seminars/registration/export/", {"format": "0", "resource": "0"})

    assert (anonymous.status_code, not_staff.status_code) == (302, 302)
    assert anonymous["Location"].startswith("/admin/login/")
    assert PersonalDataAccessLog.objects.count() == 0


def _erase(client: PortalClient, registration: Registration, *, confirm: bool):
    data = {"action": "erase_personal_data", "_selected_action": [registration.pk]}
    if confirm:
        data["confirm"] = "yes"
    return client.post("/admin/seminars/registration/", data)


@pytest.fixture
def eraser(db) -> PortalClient:
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


def test_registration_exports_neutralise_formulas_in_csv_and_excel(admin_client_seminars):
    make_registration(make_seminar(), name='=HYPERLINK("http://evil.example/","x")', affiliation="@SUM(A1:A9)")

    csv_rows = list(csv.reader(io.StringIO(_export(admin_client_seminars, 0).decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(_export(admin_client_seminars, 1))).active

    name_at, affiliation_at = csv_rows[0].index("氏名"), csv_rows[0].index("所属")
    assert (csv_rows[1][name_at], csv_rows[1][affiliation_at]) == ("'=HYPERLINK(\"http://evil.example/\",\"x\")", "'@SUM(A1:A9)")
    name_cell, affiliation_cell = sheet.cell(row=2, column=name_at + 1), sheet.cell(row=2, column=affiliation_at + 1)
    assert (name_cell.data_type, name_cell.value) == ("s", "'=HYPERLINK(\"http://evil.example/\",\"x\")")
    assert (affiliation_cell.data_type, affiliation_cell.value) == ("s", "'@SUM(A1:A9)")


def test_registration_admin_lists_and_finds_the_per_seminar_number_also_typed_full_width(admin_client_seminars):
    other = make_seminar(title="別の回")
    letters = "abcdefghijkl"
    for letter in letters:  # 12 registrations; names and addresses without digits
        make_registration(other, name=f"別 {letter}", kana="べつ", email=f"{letter}@example.jp")
    seminar = make_seminar(title="番号の回")
    make_registration(seminar, name="一番 さん", kana="いちばん", email="ichi@example.jp")
    make_registration(seminar, name="二番 さん", kana="にばん", email="ni@example.jp")

    by_full_width = admin_client_seminars.get("/admin/seminars/registration/", {"q": "１"})
    by_twelve = admin_client_seminars.get("/admin/seminars/registration/", {"q": "12"})

    # The list is ordered by seminar (別の回 was created first), then time of registration.
    assert [(r.seminar.title, r.number) for r in by_full_width.context["cl"].result_list] == [("別の回", 1), ("番号の回", 1)]
    assert [(r.seminar.title, r.number) for r in by_twelve.context["cl"].result_list] == [("別の回", 12)]
    assert '<th class="field-number">' in by_twelve.content.decode()


def test_registration_export_number_column_is_the_per_seminar_number(admin_client_seminars):
    other = make_seminar(title="先の回")
    for _ in range(3):
        make_registration(other)
    seminar = make_seminar(title="後の回")
    make_registration(seminar, name="後 一郎")

    content = _export(admin_client_seminars, 0, f"?seminar__id__exact={seminar.pk}").decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(content)))
    assert [row[:3] for row in rows[1:]] == [["後の回", "1", "後 一郎"]]


# ---------------------------------------------------------------- corrections and phone entries


def form_errors(response, field: str) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(field, [])]


def test_registration_correct_page_corrects_through_the_service_and_logs_field_names_only():
    from django.contrib.admin.models import LogEntry

    client = staff("view_registration", "change_registration")
    registration = make_registration(make_seminar(), name="田仲 美咲", kana="たなか みさき", email="m@example.jp")
    url = f"/admin/seminars/registration/{registration.pk}/correct/"

    page = client.get(url)
    response = client.post(url, {"name": "田中　美咲", "kana": "タナカ ミサキ", "email": "m@example.jp", "affiliation": ""})
    followed = client.get(response["Location"])

    assert page.context["form"].initial["name"] == "田仲 美咲"
    assert response.status_code == 302
    assert response["Location"] == f"/admin/seminars/registration/{registration.pk}/change/"
    assert [str(m) for m in followed.context["messages"]] == ["氏名を訂正しました。"]
    assert Registration.objects.get(pk=registration.pk).name == "田中 美咲"
    [entry] = LogEntry.objects.filter(object_id=str(registration.pk))
    assert entry.get_change_message() == "氏名 を変更しました。"
    assert "田中" not in entry.change_message and "田仲" not in entry.change_message


def test_registration_correct_page_shows_a_taken_address_next_to_the_field():
    client = staff("view_registration", "change_registration")
    seminar = make_seminar()
    make_registration(seminar, email="taken@example.jp")
    registration = make_registration(seminar, email="mine@example.jp")

    response = client.post(
        f"/admin/seminars/registration/{registration.pk}/correct/",
        {"name": registration.name, "kana": registration.kana, "email": "Taken@example.jp", "affiliation": ""},
    )

    assert response.status_code == 200
    assert form_errors(response, "email") == ["このメールアドレスでは、このセミナーに既にお申し込みがあります（受付番号 1）。"]
    assert Registration.objects.get(pk=registration.pk).email == "mine@example.jp"


def test_registration_correct_page_bad_kana_is_a_field_error():
    client = staff("view_registration", "change_registration")
    registration = make_registration(make_seminar())

    response = client.post(
        f"/admin/seminars/registration/{registration.pk}/correct/",
        {"name": "名前", "kana": "kana", "email": "x@example.jp", "affiliation": ""},
    )

    assert form_errors(response, "kana") == ["ふりがなは、ひらがなまたはカタカナで入力してください。"]


def test_registration_correct_and_phone_pages_need_change_and_add_permission():
    viewer = staff("view_registration")
    registration = make_registration(make_seminar())

    correct = viewer.get(f"/admin/seminars/registration/{registration.pk}/correct/")
    phone = viewer.get("/admin/seminars/registration/phone/")
    posted = viewer.post(
        f"/admin/seminars/registration/{registration.pk}/correct/",
        {"name": "変更 太郎", "kana": "へんこう", "email": "new@example.jp", "affiliation": ""},
    )

    assert (correct.status_code, phone.status_code, posted.status_code) == (403, 403, 403)
    assert Registration.objects.get(pk=registration.pk).name == registration.name


def test_registration_admin_offers_the_correct_and_phone_links_by_permission():
    registration = make_registration(make_seminar())
    adder = staff("view_registration", "change_registration", "add_registration")
    viewer = staff("view_registration")

    def links(client, path):
        html = client.get(path).content.decode()
        return [text for text in ("電話で受け付けた申込を登録", "氏名・連絡先を訂正") if text in html]

    change = f"/admin/seminars/registration/{registration.pk}/change/"
    assert 'class="export_link"' in adder.get("/admin/seminars/registration/").content.decode()
    assert links(adder, "/admin/seminars/registration/") == ["電話で受け付けた申込を登録"]
    assert links(adder, change) == ["氏名・連絡先を訂正"]
    assert links(viewer, "/admin/seminars/registration/") == []
    assert links(viewer, change) == []


def phone_data(seminar, **overrides) -> dict:
    data = {
        "seminar": str(seminar.pk),
        "mode": "venue",
        "when_full": "nothing",
        "name": "電話 一郎",
        "kana": "でんわ いちろう",
        "email": "phone@example.jp",
        "affiliation": "",
        "category": "rmo",
        "municipality": "",
        "accessibility_needs": "",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_phone_entry_registers_through_the_service_with_source_phone(queued_mails):
    client = staff("view_registration", "change_registration", "add_registration")
    seminar = make_seminar()
    make_registration(seminar)

    page = client.get("/admin/seminars/registration/phone/", {"seminar": seminar.pk})
    response = client.post("/admin/seminars/registration/phone/", phone_data(seminar))
    registration = Registration.objects.get(email_normalized="phone@example.jp")
    followed = client.get(response["Location"])

    assert page.status_code == 200
    assert response["Location"] == f"/admin/seminars/registration/{registration.pk}/change/"
    assert (registration.source, registration.number, registration.status) == ("phone", 2, RegistrationStatus.CONFIRMED)
    assert [str(m) for m in followed.context["messages"]] == ["電話での申込を登録しました（受付番号 2、参加確定）。確認のメールを送ります。"]
    assert queued_mails()[-1] == ("seminars.confirmation", registration.pk)


@pytest.mark.parametrize(
    ("seminar_fields", "data", "field", "message"),
    [
        ({"closed_by_staff": True}, {}, "seminar", "このセミナーの受付は終了しました。"),
        ({"venue_capacity": 0}, {}, "when_full", "会場参加は満席です。"),
        ({}, {"mode": "online", "joins_exchange": "on"}, "joins_exchange", "意見交換会は会場参加の方のみ参加できます。"),
        ({}, {"consent": ""}, "consent", "ご本人の同意を得てから登録してください。"),
        ({}, {"email": "taken@example.jp"}, "email", "このメールアドレスでは、このセミナーに既にお申し込みがあります（受付番号 1）。"),
    ],
)
def test_phone_entry_refusals_are_shown_next_to_the_field(seminar_fields, data, field, message):
    client = staff("view_registration", "add_registration")
    seminar = make_seminar(**seminar_fields)
    make_registration(seminar, email="taken@example.jp", status=RegistrationStatus.WAITLISTED)
    before = Registration.objects.count()

    response = client.post("/admin/seminars/registration/phone/", phone_data(seminar, **data))

    assert response.status_code == 200
    assert form_errors(response, field) == [message]
    assert Registration.objects.count() == before


def test_phone_entry_when_full_can_join_the_waiting_list():
    client = staff("view_registration", "add_registration")
    seminar = make_seminar(venue_capacity=1)
    make_registration(seminar)

    client.post("/admin/seminars/registration/phone/", phone_data(seminar, when_full="waitlist"))

    registration = Registration.objects.get(email_normalized="phone@example.jp")
    assert (registration.status, registration.number, registration.source) == (RegistrationStatus.WAITLISTED, 2, "phone")


# ---------------------------------------------------------------- export files as staff open them


def _okayama_higashi_ward() -> Municipality:
    okayama = Prefecture.objects.create(code="33", local_government_code="330001", name="岡山県", name_kana="おかやまけん", name_en="Okayama")
    city = Municipality.objects.create(code="331007", prefecture=okayama, name="岡山市", name_kana="おかやまし", kind="city")
    return Municipality.objects.create(
        code="331031", prefecture=okayama, name="東区", name_kana="ひがしく", kind="ward", parent=city
    )


def test_registration_csv_export_starts_with_a_bom_so_excel_reads_utf8(admin_client_seminars):
    make_registration(make_seminar(title="BOMの回"))

    response = _export_response(admin_client_seminars, 0)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeffセミナー,受付番号,氏名,".encode())


def test_registration_export_of_one_seminar_is_named_after_it_and_the_day_in_japan(admin_client_seminars):
    seminar = make_seminar(slug="rmo-2027")
    make_registration(seminar)
    make_registration(make_seminar())

    one = _export_response(admin_client_seminars, 0, f"?seminar__id__exact={seminar.pk}")
    both = _export_response(admin_client_seminars, 1)

    today = f"{today_jst():%Y%m%d}"
    assert one["Content-Disposition"] == f'attachment; filename="seminar-rmo-2027-registrations-{today}.csv"'
    assert both["Content-Disposition"] == f'attachment; filename="rmo-seminar-registrations-{today}.xlsx"'


def test_registration_excel_sheet_is_named_after_its_content(admin_client_seminars):
    make_registration(make_seminar())

    workbook = openpyxl.load_workbook(io.BytesIO(_export(admin_client_seminars, 1)))

    assert workbook.sheetnames == ["申込者"]


def test_registration_export_shows_a_wards_full_name(admin_client_seminars):
    make_registration(make_seminar(), municipality=_okayama_higashi_ward())

    rows = list(csv.reader(io.StringIO(_export(admin_client_seminars, 0).decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(_export(admin_client_seminars, 1))).active

    at = rows[0].index("市区町村")
    assert (rows[1][at], rows[1][at + 1]) == ("岡山県岡山市東区", "331031")
    assert sheet.cell(row=2, column=at + 1).value == "岡山県岡山市東区"


# The login, the rows, the access record with its seminar titles, and the file name's seminar.
EXPORT_QUERIES = 13


@pytest.mark.parametrize("rows", [1, 3])
def test_registration_export_reads_a_fixed_number_of_queries(admin_client_seminars, django_assert_num_queries, rows):
    seminar, ward = make_seminar(), _okayama_higashi_ward()
    for _ in range(rows):
        make_registration(seminar, municipality=ward)
    page = admin_client_seminars.get("/admin/seminars/registration/export/")
    data = {"format": "0", "resource": "0", **{name: "on" for name in page.context["form"].fields if name.startswith("registrationresource_")}}

    with django_assert_num_queries(EXPORT_QUERIES):
        admin_client_seminars.post("/admin/seminars/registration/export/", data)


def test_registration_export_page_is_japanese_and_labels_columns_by_header(admin_client_seminars):
    page = admin_client_seminars.get("/admin/seminars/registration/export/")

    body = page.content.decode()
    form = page.context["form"]
    assert str(form.fields["format"].label) == "ファイル形式"
    assert [str(form.fields[name].label) for name in ("registrationresource_name", "registrationresource_municipality")] == ["氏名", "市区町村"]
    assert "すべて選択" in body and "次の列をエクスポートします" in body
    assert "Select all" not in body and "This exporter" not in body


def test_registration_export_with_no_column_chosen_says_so_in_japanese(admin_client_seminars):
    response = admin_client_seminars.post("/admin/seminars/registration/export/", {"format": "0", "resource": "0"})

    assert response.context["form"].non_field_errors() == ["エクスポートする列を1つ以上選んでください。"]
