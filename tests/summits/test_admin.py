import csv
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from municipalities.models import Municipality
from portal.deadlines import today_jst
from portal.models import PersonalDataAccessLog
from summits.enums import ApplicationStatus
from summits.models import Application, Delegate
from summits.services import application_create
from tests.clients import PortalClient

from .factories import contact, make_course, make_municipality, make_prefecture, make_summit, make_track, mayor

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser(username="admin", password="x" * 12))
    return client


@pytest.fixture
def application():
    summit = make_summit()
    track = make_track(summit, capacity=5)
    course = make_course(summit, capacity=5)
    make_track(make_summit(), number=7, theme="他のサミットの分科会")
    return application_create(
        summit=summit, municipality=make_municipality(), contact=contact(), delegates=[mayor(track=track, course=course)], consent=True
    )


@pytest.mark.parametrize("model", ["summit", "application", "delegate", "breakouttrack"])
def test_admin_changelists_load(admin_client, application, model):
    response = admin_client.get(reverse(f"admin:summits_{model}_changelist"))

    assert response.status_code == 200


def test_admin_summit_change_page_loads(admin_client, application):
    response = admin_client.get(reverse("admin:summits_summit_change", args=[application.summit_id]))

    assert response.status_code == 200


def test_admin_application_inline_offers_only_own_summit_tracks(admin_client, application):
    response = admin_client.get(reverse("admin:summits_application_change", args=[application.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "他のサミットの分科会" not in html


def test_admin_delegate_export_page_loads(admin_client, application):
    response = admin_client.get(reverse("admin:summits_delegate_export"))

    assert response.status_code == 200


# ---------------------------------------------------------------- personal data (個人情報保護法)


def _staff_with(*codenames: str) -> PortalClient:
    user = get_user_model().objects.create_user(username=f"staff-{'-'.join(codenames)}", password="x" * 12, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="summits", codename__in=codenames))
    client = PortalClient()
    client.force_login(user)
    return client


def _export_delegates(client: PortalClient, format_index: int = 0):
    url = reverse("admin:summits_delegate_export")
    form = client.get(url).context["form"]
    data = {"format": str(format_index), "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("delegateresource_")})
    return client.post(url, data)


def test_admin_delegate_export_writes_one_access_log_row(admin_client, application):
    response = _export_delegates(admin_client, 1)

    assert response.status_code == 200
    log = PersonalDataAccessLog.objects.get()
    assert (log.username, log.action, log.data, log.file_format, log.row_count, log.target) == (
        "admin",
        "export",
        "summits.delegate",
        "xlsx",
        1,
        application.summit.title,
    )


def test_admin_delegate_export_needs_both_view_permissions(application):
    delegates_only = _staff_with("view_delegate")
    both = _staff_with("view_delegate", "view_application")

    refused = delegates_only.get(reverse("admin:summits_delegate_export"))
    allowed = _export_delegates(both)

    assert (refused.status_code, allowed.status_code) == (403, 200)
    assert PersonalDataAccessLog.objects.get().username == "staff-view_delegate-view_application"


ERASERS = ("view_application", "change_application", "delete_application", "view_delegate", "change_delegate", "delete_delegate")


def test_admin_application_erase_action_confirms_then_withdraws_anonymizes_and_records(application):
    client = _staff_with(*ERASERS)
    url = reverse("admin:summits_application_changelist")
    data = {"action": "erase_personal_data", "_selected_action": [application.pk]}

    confirm_page = client.post(url, data)
    done = client.post(url, {**data, "confirm": "yes"})

    application.refresh_from_db()
    assert confirm_page.templates[0].name == "summits/application_confirm_erase.html"
    assert done.status_code == 302
    assert (application.status, application.contact_name, application.delegates.get().name) == (
        ApplicationStatus.CANCELLED,
        "",
        "",
    )
    log = PersonalDataAccessLog.objects.get()
    assert (log.action, log.data, log.row_count) == ("erasure", "summits.application", 1)


def test_admin_delegate_erase_action_anonymizes_one_person(application):
    client = _staff_with(*ERASERS)
    delegate = application.delegates.get()

    client.post(
        reverse("admin:summits_delegate_changelist"),
        {"action": "erase_personal_data", "_selected_action": [delegate.pk], "confirm": "yes"},
    )

    delegate.refresh_from_db()
    assert (delegate.name, delegate.role, delegate.anonymized_at is not None) == ("", "mayor", True)
    assert Application.objects.get().contact_name == "担当 花子"
    assert PersonalDataAccessLog.objects.get().data == "summits.delegate"


def test_admin_erase_action_is_not_offered_without_delete_permissions(application):
    client = _staff_with("view_application", "change_application", "view_delegate", "change_delegate")

    client.post(
        reverse("admin:summits_application_changelist"),
        {"action": "erase_personal_data", "_selected_action": [application.pk], "confirm": "yes"},
    )

    assert Application.objects.get().contact_name == "担当 花子"
    assert Delegate.objects.get().name == "秋田 太郎"


def test_admin_anonymized_application_is_read_only(admin_client, application):
    admin_client.post(
        reverse("admin:summits_application_changelist"),
        {"action": "erase_personal_data", "_selected_action": [application.pk], "confirm": "yes"},
    )

    response = admin_client.get(reverse("admin:summits_application_change", args=[application.pk]))

    assert response.status_code == 200
    assert response.context["adminform"].form.fields == {}


def _change_form_data(response) -> dict:
    """The admin change form's fields as the browser would post them back, inlines included."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): value for name, value in management.initial.items()})
        forms += inline.formset.forms
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None or name == "DELETE":
                continue
            value = getattr(value, "pk", value)
            data[form.add_prefix(name)] = value
    return data


def test_admin_delegate_edit_into_a_full_track_is_refused_with_the_tracks_that_have_room(admin_client, application):
    summit = application.summit
    small = make_track(summit, number=2, capacity=1, theme="小さな分科会")
    other = application_create(
        summit=summit, municipality=make_municipality(name="横手市", code="052035"), contact=contact(), delegates=[mayor(track=small)], consent=True
    )
    url = reverse("admin:summits_application_change", args=[application.pk])
    data = _change_form_data(admin_client.get(url))
    data["delegates-0-track"] = small.pk

    response = admin_client.post(url, data)

    assert response.status_code == 200  # the form again, nothing saved
    errors = response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert [str(error) for error in errors] == [f"定員に達した分科会: {small}\n空きのある分科会: {application.delegates.get().track}（残り5名）"]  # its own seat is counted as free
    assert Delegate.objects.get(application=application).track_id != small.pk
    assert other.delegates.get().track_id == small.pk


def test_admin_delegate_edit_within_capacity_is_saved(admin_client, application):
    summit = application.summit
    roomy = make_track(summit, number=2, capacity=3, theme="空きのある分科会")
    url = reverse("admin:summits_application_change", args=[application.pk])
    data = _change_form_data(admin_client.get(url))
    data["delegates-0-track"] = roomy.pk

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert Delegate.objects.get(application=application).track_id == roomy.pk


# ---------------------------------------------------------------- export files as staff open them


@pytest.fixture
def ward_application():
    """A delegation from 岡山市東区: ward names repeat across cities, the file says whose."""
    okayama = make_prefecture(code="33", name="岡山県")
    city = make_municipality(code="331007", name="岡山市", prefecture=okayama)
    ward = Municipality.objects.create(code="331031", prefecture=okayama, name="東区", name_kana="ひがしく", kind="ward", parent=city)
    return application_create(summit=make_summit(slug="okayama-2027"), municipality=ward, contact=contact(), delegates=[mayor()], consent=True)


def test_admin_delegate_csv_has_a_bom_the_summits_name_and_the_wards_full_name(admin_client, ward_application):
    response = _export_delegates(admin_client, 0)

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response.content.startswith("\ufeffサミット,".encode())
    assert response["Content-Disposition"] == f'attachment; filename="summit-okayama-2027-delegates-{today_jst():%Y%m%d}.csv"'
    assert rows[1][1:4] == ["岡山県", "331031", "岡山県岡山市東区"]


def test_admin_delegate_excel_of_several_summits_names_its_sheet_and_file(admin_client, application, ward_application):
    response = _export_delegates(admin_client, 1)

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["参加者"]
    assert response["Content-Disposition"] == f'attachment; filename="rmo-summit-delegates-{today_jst():%Y%m%d}.xlsx"'
    places = sorted(row[3] for row in workbook.active.iter_rows(min_row=2, values_only=True))
    assert places == ["岡山県岡山市東区", f"秋田県{application.municipality.name}"]


def test_admin_delegate_export_offers_csv_and_excel_only(admin_client, application):
    form = admin_client.get(reverse("admin:summits_delegate_export")).context["form"]

    assert [label for _value, label in form.fields["format"].choices] == ["---", "csv", "xlsx"]
