import io

import openpyxl
import pytest
import tablib

from organizations.models import Organization
from organizations.resources import OrganizationResource
from tests.factories import ActivityCategoryFactory, MunicipalityFactory

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
    assert ikuwa.search_text == "生桑振興会\nいくわしんこうかい\n安芸高田市"


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
    assert _errors(result) == {
        2: ["市区町村コード「131016」は市区町村マスタにありません。"],
        3: ["市区町村コード「342148」の検査数字が正しくありません。"],
        4: ["名称がありません。"],
        5: ["1行目と同じ市区町村・名称の組織が重複しています。"],
        6: ["活動内容の「未知の活動」は登録されていません。"],
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
