import csv
import io
import re

import openpyxl
import pytest
import tablib
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User

from municipalities.enums import MunicipalityKind
from organizations.models import Organization
from organizations.resources import OrganizationResource
from portal.deadlines import today_jst
from portal.roles import EVENT_STAFF, MINISTRY_STAFF
from tests.clients import PortalClient
from tests.factories import ActivityCategoryFactory, MunicipalityFactory, OrganizationFactory, PrefectureFactory

pytestmark = pytest.mark.django_db

HEADERS = ["市区町村コード", "名称", "よみ", "組織形態", "活動範囲", "活動内容", "設立年", "公開"]


@pytest.fixture
def master():
    MunicipalityFactory(code="342149")
    MunicipalityFactory(code="202011")
    ActivityCategoryFactory(slug="shopping_support", name="買い物支援")
    ActivityCategoryFactory(slug="watching", name="声かけ・見守りサービス")


def _dataset(*rows):
    return tablib.Dataset(*rows, headers=HEADERS)


GOOD_ROWS = (
    ["342149", "生桑振興会", "いくわしんこうかい", "任意団体（法人格なし）", "小学校区", "買い物支援|声かけ・見守りサービス", "2010", "はい"],
    ["202011", "古牧地区住民自治協議会", "こまきちくじゅうみんじちきょうぎかい", "", "", "", "", "1"],
)


def _errors(result):
    """{row number: [messages]} for the rows a dry run rejected."""
    return {
        row.number: [message for messages in row.error.message_dict.values() for message in messages]
        for row in result.invalid_rows
    }


def test_import_creates_rows_with_search_text_and_relations(master):
    result = OrganizationResource().import_data(_dataset(*GOOD_ROWS), dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    ikuwa = Organization.objects.get(name="生桑振興会")
    assert (ikuwa.legal_form, ikuwa.area_type, ikuwa.founded_year, ikuwa.is_published) == (
        "voluntary", "elementary_school", 2010, True,
    )  # fmt: skip
    assert sorted(a.slug for a in ikuwa.activities.all()) == ["shopping_support", "watching"]
    assert ikuwa.search_text == "生桑振興会\nいくわしんこうかい\n広島県安芸高田市\nひろしまけんあきたかたし"


def test_reimporting_the_same_file_changes_nothing(master):
    OrganizationResource().import_data(_dataset(*GOOD_ROWS), dry_run=False)
    before = list(Organization.objects.order_by("pk").values_list("pk", "updated_at"))

    result = OrganizationResource().import_data(_dataset(*GOOD_ROWS), dry_run=False)

    assert [row.import_type for row in result.rows] == ["skip", "skip"]
    assert list(Organization.objects.order_by("pk").values_list("pk", "updated_at")) == before


def test_changed_row_updates_the_matching_organization(master):
    OrganizationResource().import_data(_dataset(*GOOD_ROWS), dry_run=False)
    changed = [GOOD_ROWS[0][:6] + ["2012", "はい"], GOOD_ROWS[1]]

    result = OrganizationResource().import_data(_dataset(*changed), dry_run=False)

    assert [row.import_type for row in result.rows] == ["update", "skip"]
    assert Organization.objects.get(name="生桑振興会").founded_year == 2012
    assert Organization.objects.count() == 2


def test_dry_run_preview_reports_every_bad_row_in_japanese_and_writes_nothing(master):
    dataset = _dataset(
        GOOD_ROWS[0],
        ["131016", "架空の会", "", "", "", "", "", ""],
        ["342148", "検査数字違いの会", "", "", "", "", "", ""],
        ["342149", "", "", "", "", "", "", ""],
        ["342149", "生桑振興会", "", "", "", "", "", ""],
        ["202011", "謎の会", "", "宗教法人", "", "未知の活動", "にせん", ""],
    )

    result = OrganizationResource().import_data(dataset, dry_run=True)

    assert Organization.objects.count() == 0
    # Excel's line numbers (the header is line 1), under the file's own column headers.
    assert {row.number: row.field_specific_errors for row in result.invalid_rows} == {
        3: {"市区町村コード": ["市区町村コード「131016」は市区町村マスタにありません。"]},
        4: {"市区町村コード": ["市区町村コード「342148」の検査数字が正しくありません。"]},
        5: {"名称": ["名称がありません。"]},
        6: {"名称": ["2行目と同じ市区町村・名称の組織が重複しています。"]},
        7: {"活動内容": ["活動内容の「未知の活動」は登録されていません。"]},
    }


def test_bad_choice_and_number_are_reported_per_field(master):
    dataset = _dataset(["202011", "謎の会", "", "宗教法人", "", "", "にせん", ""])

    result = OrganizationResource().import_data(dataset, dry_run=True)

    (messages,) = _errors(result).values()
    assert sorted(messages) == sorted(
        [
            "「宗教法人」は選択肢（任意団体（法人格なし）、NPO法人、認可地縁団体、一般社団法人、株式会社、合同会社、協同組合、その他）にありません。",
            "「にせん」は数字で入力してください。",
        ]
    )


def test_import_is_all_or_nothing(master):
    dataset = _dataset(GOOD_ROWS[0], GOOD_ROWS[1], ["131016", "架空の会", "", "", "", "", "", ""])

    result = OrganizationResource().import_data(dataset, dry_run=False)

    assert result.has_validation_errors()
    assert Organization.objects.count() == 0


def test_missing_required_column_is_reported():
    dataset = tablib.Dataset(["生桑振興会"], headers=["名称"])

    result = OrganizationResource().import_data(dataset, dry_run=True)

    assert result.has_errors()
    assert "必須の列がありません：市区町村コード" in str(result.base_errors[0].error)


def test_spreadsheet_dropped_leading_zero_is_restored():
    MunicipalityFactory(code="063827")
    dataset = _dataset([63827, "特定非営利活動法人きらりよしじまネットワーク", "", "NPO法人", "", "", "", ""])

    result = OrganizationResource().import_data(dataset, dry_run=False)

    assert not result.has_validation_errors()
    assert Organization.objects.get().municipality_id == "063827"


# ---------------------------------------------------------------- through the admin


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows) -> bytes:
    return _dataset(*rows).export("csv").encode("utf-8-sig")


def _format_index(admin_client, name):
    form = admin_client.get("/admin/organizations/organization/import/").context["form"]
    return next(value for value, label in form.fields["format"].choices if label == name)


@pytest.mark.parametrize(("fmt", "build", "filename"), [("xlsx", _xlsx, "survey.xlsx"), ("csv", _csv, "survey.csv")])
def test_admin_preview_shows_japanese_row_errors_and_offers_no_confirm(admin_client, master, fmt, build, filename):
    upload = io.BytesIO(build([GOOD_ROWS[0], ["342148", "検査数字違いの会", "", "", "", "", "", ""]]))
    upload.name = filename

    response = admin_client.post(
        "/admin/organizations/organization/import/",
        {"format": _format_index(admin_client, fmt), "import_file": upload},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "市区町村コード「342148」の検査数字が正しくありません。" in body
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert Organization.objects.count() == 0


def test_admin_preview_then_confirm_imports(admin_client, master):
    upload = io.BytesIO(_xlsx(GOOD_ROWS))
    upload.name = "survey.xlsx"

    preview = admin_client.post(
        "/admin/organizations/organization/import/",
        {"format": _format_index(admin_client, "xlsx"), "import_file": upload},
    )
    assert Organization.objects.count() == 0
    confirm = preview.context["confirm_form"]
    response = admin_client.post("/admin/organizations/organization/process_import/", confirm.initial)

    assert response.status_code == 302
    assert set(Organization.objects.values_list("name", flat=True)) == {"生桑振興会", "古牧地区住民自治協議会"}


def _member_of(group_name: str, username: str) -> PortalClient:
    user = User.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    client = PortalClient()
    client.force_login(user)
    return client


def test_event_staff_cannot_open_or_run_the_registry_import(master):
    """The hole: any staff account could upload a file that rewrites the registry."""
    listing = OrganizationFactory(name="生桑振興会", is_published=True)
    event_staff = _member_of(EVENT_STAFF, "event-staff")
    upload = io.BytesIO(_csv([["342149", "生桑振興会", "", "", "", "", "", "いいえ"], ["202011", "架空の会", "", "", "", "", "", "はい"]]))
    upload.name = "survey.csv"

    page = event_staff.get("/admin/organizations/organization/import/")
    post = event_staff.post("/admin/organizations/organization/import/", {"format": "0", "import_file": upload})
    process = event_staff.post("/admin/organizations/organization/process_import/", {"format": "0"})

    assert (page.status_code, post.status_code, process.status_code) == (403, 403, 403)
    listing.refresh_from_db()
    assert listing.is_published is True
    assert list(Organization.objects.values_list("name", flat=True)) == ["生桑振興会"]


def test_ministry_staff_can_open_the_registry_import(master):
    page = _member_of(MINISTRY_STAFF, "honsho").get("/admin/organizations/organization/import/")

    assert page.status_code == 200


def test_import_takes_back_the_quote_our_exports_put_before_a_formula(master):
    row = ["342149", "'=1+2", "'@よみ", "", "", "", "", "はい"]

    result = OrganizationResource().import_data(_dataset(row), dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert Organization.objects.filter(name="=1+2", name_kana="@よみ").count() == 1


# ---------------------------------------------------------------- the survey's words, as typed


@pytest.mark.parametrize(
    "typed", ["任意団体", "任意団体（法人格なし）", "任意団体(法人格なし)", " 任意団体　", "　任意団体（法人格なし） ", "voluntary"]
)
def test_legal_form_accepts_the_surveys_word_and_width_and_space_variants(master, typed):
    row = ["342149", "生桑振興会", "", typed, "", "", "", "はい"]

    result = OrganizationResource().import_data(_dataset(row), dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert Organization.objects.get().legal_form == "voluntary"


def test_legal_form_accepts_a_full_width_label_of_another_choice(master):
    row = ["342149", "生桑振興会", "", "ＮＰＯ法人", "", "", "", "はい"]

    OrganizationResource().import_data(_dataset(row), dry_run=False)

    assert Organization.objects.get().legal_form == "npo"


# ---------------------------------------------------------------- the admin's pages, in Japanese


def _upload(content: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def test_admin_import_page_is_japanese(admin_client, master):
    page = admin_client.get("/admin/organizations/organization/import/")

    body = page.content.decode()
    form = page.context["form"]
    assert (str(form.fields["import_file"].label), str(form.fields["format"].label)) == ("インポートするファイル", "ファイル形式")
    assert "次の列を読み込みます：" in body
    assert "<code>市区町村コード、名称、よみ、活動範囲、組織形態、" in body  # the read-only place name is not read
    assert "エラーの行番号はExcelの行番号と同じです。" in body
    assert "This importer" not in body


def test_admin_import_errors_name_the_column_and_excel_line(admin_client, master):
    upload = _upload(_csv([GOOD_ROWS[0], ["202011", "謎の会", "", "宗教法人", "", "", "にせん", ""]]), "survey.csv")

    response = admin_client.post(
        "/admin/organizations/organization/import/", {"format": _format_index(admin_client, "csv"), "import_file": upload}
    )

    body = response.content.decode()
    (row,) = response.context["result"].invalid_rows
    assert row.number == 3  # the header is line 1, 生桑振興会 line 2
    assert sorted(row.field_specific_errors) == ["組織形態", "設立年"]
    assert "<h2>取り込めない行があります</h2>" in body
    assert "<li><strong>設立年</strong>：「にせん」は数字で入力してください。</li>" in body
    # The row as the file has it, under the file's own headers (not the resource's other columns).
    assert "<th>市区町村コード</th><th>名称</th><th>よみ</th><th>組織形態</th><th>活動範囲</th><th>活動内容</th><th>設立年</th><th>公開</th>" in body
    assert "<td>3</td>" in body
    assert "Some rows failed" not in body and "Non field specific" not in body


def test_admin_import_file_error_shows_the_message_without_a_traceback(admin_client, master):
    upload = _upload(tablib.Dataset(["生桑振興会"], headers=["名称"]).export("csv").encode(), "survey.csv")

    response = admin_client.post(
        "/admin/organizations/organization/import/", {"format": _format_index(admin_client, "csv"), "import_file": upload}
    )

    errors = response.content.decode().split("<h2>エラー</h2>")[1].split("</ul>")[0]
    # The message alone: no traceback, and not the rows' failures, which only repeat it.
    assert re.findall(r"<li[^>]*>(.*?)</li>", errors, re.S) == ["必須の列がありません：市区町村コード"]


def test_admin_import_of_a_file_in_the_wrong_format_says_so_in_japanese(admin_client, master):
    upload = _upload(b"not a workbook", "survey.xlsx")

    response = admin_client.post(
        "/admin/organizations/organization/import/", {"format": _format_index(admin_client, "xlsx"), "import_file": upload}
    )

    assert response.context["form"].errors["import_file"] == [
        "ファイルを読み込めませんでした（BadZipFile）。選んだファイル形式がファイルと合っているか確かめてください。"
    ]


def test_admin_import_of_a_file_with_headers_only_says_so_in_japanese(admin_client, master):
    upload = _upload(_csv([]), "survey.csv")

    response = admin_client.post(
        "/admin/organizations/organization/import/", {"format": _format_index(admin_client, "csv"), "import_file": upload}
    )

    assert response.context["form"].errors["import_file"] == [
        "取り込めるデータがありません。1行目が列名で、2行目からデータが入っているか確かめてください。"
    ]


def test_admin_import_confirm_reports_the_totals_and_history_in_japanese(admin_client, master):
    preview = admin_client.post(
        "/admin/organizations/organization/import/",
        {"format": _format_index(admin_client, "xlsx"), "import_file": _upload(_xlsx(GOOD_ROWS), "survey.xlsx")},
    )

    response = admin_client.post("/admin/organizations/organization/process_import/", preview.context["confirm_form"].initial, follow=True)

    assert [str(message) for message in response.context["messages"]] == [
        "地域運営組織のインポートが完了しました：新規 2件、更新 0件、削除 0件、変更なし 0件。"
    ]
    assert list(LogEntry.objects.values_list("change_message", flat=True)) == ["ファイルのインポートで追加"] * 2


# ---------------------------------------------------------------- the admin's export


def _okayama_higashi_ward():
    okayama = PrefectureFactory(code="33", name="岡山県", name_kana="おかやまけん")
    city = MunicipalityFactory(code="331007", prefecture=okayama, name="岡山市", name_kana="おかやまし", kind=MunicipalityKind.CITY)
    return MunicipalityFactory(
        code="331031", prefecture=okayama, name="東区", name_kana="ひがしく", kind=MunicipalityKind.WARD, parent=city
    )


def _export(client, fmt: str):
    page = client.get("/admin/organizations/organization/export/")
    form = page.context["form"]
    index = next(value for value, label in form.fields["format"].choices if label == fmt)
    data = {"format": index, "resource": "0", **{name: "on" for name in form.fields if name.startswith("organizationresource_")}}
    return client.post("/admin/organizations/organization/export/", data)


def test_admin_csv_export_has_a_bom_a_dated_name_and_the_wards_full_name(admin_client, master):
    OrganizationFactory(name="東区の会", municipality=_okayama_higashi_ward())

    response = _export(admin_client, "csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="rmo-organizations-{today_jst():%Y%m%d}.csv"'
    assert response.content.startswith("\ufeff市区町村コード,市区町村,名称,".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:3] == ["331031", "岡山県岡山市東区", "東区の会"]
    # Yes/no as the survey writes it, not 1/0.
    assert (rows[1][rows[0].index("公開")], rows[1][rows[0].index("活動拠点")]) == ("はい", "")


def test_admin_excel_export_names_its_sheet_and_file(admin_client, master):
    OrganizationFactory(name="東区の会", municipality=_okayama_higashi_ward())

    response = _export(admin_client, "xlsx")

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["地域運営組織"]
    cells = [cell.value for cell in workbook.active[2]]
    assert cells[:3] == ["331031", "岡山県岡山市東区", "東区の会"]
    assert cells[-1] == "はい"  # 公開, not TRUE
    assert response["Content-Disposition"] == f'attachment; filename="rmo-organizations-{today_jst():%Y%m%d}.xlsx"'


def test_an_exported_csv_imports_back_unchanged(admin_client, master):
    OrganizationResource().import_data(_dataset(*GOOD_ROWS), dry_run=False)
    exported = _export(admin_client, "csv").content

    preview = admin_client.post(
        "/admin/organizations/organization/import/",
        {"format": _format_index(admin_client, "csv"), "import_file": _upload(exported, "rmo.csv")},
    )

    assert [row.import_type for row in preview.context["result"].rows] == ["skip", "skip"]


EXPORT_QUERIES = 10  # 4 for the login, the activity filter, a count and the rows, one per category list


@pytest.mark.parametrize("rows", [1, 3])
def test_admin_export_reads_a_fixed_number_of_queries(admin_client, master, django_assert_num_queries, rows):
    ward = _okayama_higashi_ward()
    for number in range(rows):
        OrganizationFactory(name=f"東区の会{number}", municipality=ward, activities=[ActivityCategoryFactory(slug="watching")])
    page = admin_client.get("/admin/organizations/organization/export/")
    data = {"format": "1", "resource": "0", **{name: "on" for name in page.context["form"].fields if name.startswith("organizationresource_")}}

    with django_assert_num_queries(EXPORT_QUERIES):
        admin_client.post("/admin/organizations/organization/export/", data)
