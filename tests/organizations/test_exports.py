"""organizations.exports: the open-data CSV and JSON, cell by cell, and how they are streamed."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.utils import translation

from organizations import exports, selectors
from organizations.enums import AreaType, LegalForm, OrganizationType
from organizations.models import ActivityCategory, Organization
from tests.factories import (
    ActivityCategoryFactory,
    FundingCategoryFactory,
    MemberTypeFactory,
    MunicipalityFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

HEADER = [
    "ID", "名称", "よみ", "都道府県コード", "都道府県", "市区町村コード", "市区町村", "活動範囲", "組織形態", "類型",
    "設立年", "構成団体", "活動拠点あり", "拠点は公共施設", "活動内容", "主な財源", "公開連絡先", "ウェブサイト", "概要",
    "調査年度", "出典", "デモデータ", "更新日時",
]  # fmt: skip
WITH_MICROSECONDS = datetime(2025, 4, 1, 9, 30, 0, 120000, tzinfo=UTC)
ON_THE_SECOND = datetime(2025, 4, 1, 9, 30, tzinfo=UTC)


def _registry():
    """Two published rows that exercise every cell, an unpublished one, and categories whose
    order is decided by sort_order, then slug (not by id or by the order they were linked)."""
    moving = ActivityCategoryFactory(slug="z-moving", name="移動支援", sort_order=1)
    shopping = ActivityCategoryFactory(slug="a-shopping", name="買い物支援", sort_order=1)
    watching = ActivityCategoryFactory(slug="m-watching", name="見守り", sort_order=0)
    women, residents = MemberTypeFactory(name="女性会", sort_order=2), MemberTypeFactory(name="自治会", sort_order=1)
    imoi = OrganizationFactory(
        municipality=MunicipalityFactory(code="202011"),
        name='芋井"いもい"地区, 住民自治協議会',
        name_kana="いもいちく",
        area_type=AreaType.FORMER_ELEMENTARY_SCHOOL,
        legal_form=LegalForm.GENERAL_INCORPORATED,
        organization_type=OrganizationType.SEPARATED,
        founded_year=2012,
        has_base=True,
        base_is_public_facility=False,
        contact="事務局 026-000-0000",
        website="https://example.jp/imoi",
        description='一行目, "引用"\n二行目',
        survey_year=2024,
        source="令和6年度調査",
        activities=[moving, shopping, watching],
        funding_sources=[FundingCategoryFactory(name="会費")],
        member_types=[women, residents],
    )
    ikuwa = OrganizationFactory(
        municipality=MunicipalityFactory(code="342149"), name="生桑振興会", name_kana="いくわ", is_demo=True
    )
    OrganizationFactory(municipality=MunicipalityFactory(code="342149"), name="下書き", is_published=False)
    Organization.objects.filter(pk=imoi.pk).update(updated_at=WITH_MICROSECONDS)
    Organization.objects.filter(pk=ikuwa.pk).update(updated_at=ON_THE_SECOND)
    return imoi, ikuwa


def _imoi_cells(imoi) -> list[str]:
    return [
        str(imoi.pk), '芋井"いもい"地区, 住民自治協議会', "いもいちく", "20", "長野県", "202011", "長野市", "旧小学校区",
        "一般社団法人", "分離型", "2012", "自治会|女性会", "1", "0", "見守り|買い物支援|移動支援", "会費",
        "事務局 026-000-0000", "https://example.jp/imoi", '一行目, "引用"\n二行目', "2024", "令和6年度調査", "0",
        "2025-04-01T09:30:00.120000+00:00",
    ]  # fmt: skip


def _ikuwa_cells(ikuwa) -> list[str]:
    return [str(ikuwa.pk), "生桑振興会", "いくわ", "34", "広島県", "342149", "安芸高田市", *[""] * 14, "1", "2025-04-01T09:30:00+00:00"]


def _updated_at(organization) -> str:
    return Organization.objects.get(pk=organization.pk).updated_at.isoformat()


def _parse(content: str) -> list[list[str]]:
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"), newline="")))


# ---------------------------------------------------------------- CSV


def test_csv_is_exactly_the_python_csv_format_with_bom_crlf_and_quoting():
    imoi, ikuwa = _registry()

    content = "".join(exports.csv_rows(selectors.organization_search()))

    assert content == (
        "\ufeff" + ",".join(HEADER) + "\r\n"
        f'{imoi.pk},"芋井""いもい""地区, 住民自治協議会",いもいちく,20,長野県,202011,長野市,旧小学校区,一般社団法人,'
        "分離型,2012,自治会|女性会,1,0,見守り|買い物支援|移動支援,会費,事務局 026-000-0000,https://example.jp/imoi,"
        '"一行目, ""引用""\n二行目",2024,令和6年度調査,0,2025-04-01T09:30:00.120000+00:00\r\n'
        + ",".join(_ikuwa_cells(ikuwa))
        + "\r\n"
    )


def test_csv_parses_back_to_exact_cells_for_every_column():
    imoi, ikuwa = _registry()

    rows = _parse("".join(exports.csv_rows(selectors.organization_search())))

    assert rows == [HEADER, _imoi_cells(imoi), _ikuwa_cells(ikuwa)]


def test_csv_honours_the_list_filters_and_order():
    imoi, _ikuwa = _registry()
    shopping = ActivityCategory.objects.get(slug="a-shopping")
    other = OrganizationFactory(name="あさひ会", name_kana="あさひかい", activities=[shopping])

    rows = _parse("".join(exports.csv_rows(selectors.organization_search(activities=[shopping], sort="kana"))))

    assert [row[:2] for row in rows[1:]] == [[str(other.pk), "あさひ会"], [str(imoi.pk), '芋井"いもい"地区, 住民自治協議会']]
    assert rows[1][14] == "買い物支援"


def test_csv_view_applies_the_activity_filter(client):
    imoi, _ikuwa = _registry()

    response = client.get("/organizations/export.csv", {"activity": "m-watching"})

    rows = _parse(b"".join(response.streaming_content).decode("utf-8"))
    assert rows == [HEADER, _imoi_cells(imoi)]


def test_csv_labels_and_header_follow_the_active_language():
    imoi, _ikuwa = _registry()

    with translation.override("en"):
        rows = _parse("".join(exports.csv_rows(selectors.organization_search())))

    assert rows[0][:3] == ["ID", "Name", "Reading (kana)"]
    assert rows[0][7:10] == ["Area of activity", "Legal form", "Type"]
    assert rows[0][-2:] == ["Demo data", "Last updated"]
    assert rows[1][7:10] == ["Former elementary school district", "General incorporated association", "Separated type"]
    assert rows[1][14] == "見守り|買い物支援|移動支援"  # category names are data, not translated


def test_csv_of_an_empty_result_is_the_header_alone():
    _registry()
    header = "\ufeff" + ",".join(HEADER) + "\r\n"

    assert "".join(exports.csv_rows(selectors.organization_search(q="該当なし"))) == header
    assert "".join(exports.csv_rows(Organization.objects.none())) == header


def test_csv_is_streamed_one_chunk_per_batch(monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    for _ in range(5):
        OrganizationFactory()

    chunks = list(exports.csv_rows(Organization.objects.order_by("id")))

    assert [chunk.count("\r\n") for chunk in chunks] == [1, 2, 2, 1]


@pytest.mark.parametrize("rows", [1, 3])
def test_csv_export_queries_do_not_grow_with_rows(django_assert_num_queries, monkeypatch, rows):
    """Django's log sees the savepoint, the planner setting and the three category lists. The
    rows' own query is streamed by psycopg outside that log: a query per row or per batch
    would show here."""
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    for _ in range(rows):
        OrganizationFactory(activities=[ActivityCategoryFactory()])

    with django_assert_num_queries(6):
        content = "".join(exports.csv_rows(Organization.objects.order_by("id")))

    assert content.count("\r\n") == rows + 1


def test_closing_the_stream_early_cancels_the_query_and_leaves_the_connection_usable(monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 1)
    for _ in range(3):
        OrganizationFactory()
    stream = exports.csv_rows(Organization.objects.order_by("id"))

    next(stream), next(stream)  # the header and the first row, as a client that then goes away
    stream.close()

    assert Organization.objects.count() == 3
    assert connection.in_atomic_block  # the test's own transaction, with the export's savepoint gone
    assert len(connection.savepoint_ids) == 0


# ---------------------------------------------------------------- both paths, one format


def test_portable_path_used_on_sqlite_writes_the_same_bytes_as_the_postgresql_query(monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)  # three rows: two batches, each with its own lookups
    imoi, ikuwa = _registry()
    extra = OrganizationFactory(municipality=MunicipalityFactory(code="063827"), name="川西", name_kana="かわにし")
    organizations = selectors.organization_search()

    def written(batches, export) -> str:
        buffer = io.StringIO()
        for batch in batches:
            csv.writer(buffer).writerows(exports._csv_cells(batch, export))
        return buffer.getvalue()

    with exports._snapshot(organizations.db):
        export = exports._Export(organizations)
        postgresql = written(exports._postgresql_batches(organizations), export)
        portable = written(exports._portable_batches(organizations), export)

    assert portable == postgresql
    assert _parse("\ufeff" + postgresql) == [
        [str(extra.pk), "川西", "かわにし", "06", "山形県", "063827", "川西町", *[""] * 14, "0", _updated_at(extra)],
        _imoi_cells(imoi),
        _ikuwa_cells(ikuwa),
    ]


def test_category_names_leave_out_a_category_created_after_they_were_read():
    first = ActivityCategoryFactory(sort_order=1)
    names = exports._CategoryNames(ActivityCategory, using="default")
    later = ActivityCategoryFactory(sort_order=0)

    assert names.joined[f"{later.pk},{first.pk}"] == first.name
    assert names.lists[""] == []


# ---------------------------------------------------------------- transaction


@pytest.mark.django_db(transaction=True)
def test_export_reads_one_read_only_repeatable_read_snapshot_when_it_begins_the_transaction():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        (jit_before,) = cursor.fetchone()
    settings = (
        "SELECT current_setting('transaction_isolation'), current_setting('transaction_read_only'), "
        "current_setting('jit')"
    )

    with exports._snapshot("default"), connection.cursor() as cursor:
        cursor.execute(settings)
        own = cursor.fetchone()
    with transaction.atomic():
        Organization.objects.exists()
        with exports._snapshot("default"), connection.cursor() as cursor:
            cursor.execute(settings)
            callers = cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        (jit_after,) = cursor.fetchone()

    assert own == ("repeatable read", "on", "off")
    assert callers == ("read committed", "off", "off")
    assert jit_after == jit_before
    assert connection.get_autocommit()


@pytest.mark.django_db(transaction=True)
def test_csv_view_outside_a_transaction_streams_and_ends_its_transaction(client):
    imoi, ikuwa = _registry()

    response = client.get("/organizations/export.csv")
    rows = _parse(b"".join(response.streaming_content).decode("utf-8"))
    response.close()

    assert rows == [HEADER, _imoi_cells(imoi), _ikuwa_cells(ikuwa)]
    assert connection.get_autocommit() and not connection.in_atomic_block


# ---------------------------------------------------------------- JSON


def test_json_records_have_exact_values_lists_and_booleans():
    imoi, ikuwa = _registry()

    records = list(exports.organization_records(selectors.organization_search()))

    assert records == [
        {
            "id": imoi.pk, "name": '芋井"いもい"地区, 住民自治協議会', "name_kana": "いもいちく", "prefecture_code": "20",
            "prefecture": "長野県", "municipality_code": "202011", "municipality": "長野市", "area_type": "旧小学校区",
            "legal_form": "一般社団法人", "organization_type": "分離型", "founded_year": 2012,
            "member_types": ["自治会", "女性会"], "has_base": True, "base_is_public_facility": False,
            "activities": ["見守り", "買い物支援", "移動支援"], "funding_sources": ["会費"], "contact": "事務局 026-000-0000",
            "website": "https://example.jp/imoi", "description": '一行目, "引用"\n二行目', "survey_year": 2024,
            "source": "令和6年度調査", "is_demo": False, "updated_at": WITH_MICROSECONDS,
        },
        {
            "id": ikuwa.pk, "name": "生桑振興会", "name_kana": "いくわ", "prefecture_code": "34", "prefecture": "広島県",
            "municipality_code": "342149", "municipality": "安芸高田市", "area_type": "", "legal_form": "",
            "organization_type": "", "founded_year": None, "member_types": [], "has_base": None,
            "base_is_public_facility": None, "activities": [], "funding_sources": [], "contact": "", "website": "",
            "description": "", "survey_year": None, "source": "", "is_demo": True, "updated_at": ON_THE_SECOND,
        },
    ]  # fmt: skip


def test_json_export_encodes_dates_as_django_does_and_parses_back():
    _registry()

    data = json.loads("".join(exports.json_chunks(selectors.organization_search(), metadata={"source_url": "https://example.jp/x"})))

    assert [o["updated_at"] for o in data["organizations"]] == ["2025-04-01T09:30:00.120Z", "2025-04-01T09:30:00Z"]
    assert [o["activities"] for o in data["organizations"]] == [["見守り", "買い物支援", "移動支援"], []]
    assert data["metadata"]["source_url"] == "https://example.jp/x"


def test_csv_neutralises_formulas_in_free_text_and_category_names_but_json_keeps_them():
    formula_category = ActivityCategoryFactory(slug="formula", name="-1+2")
    organization = OrganizationFactory(
        name="=1+2", name_kana="@SUM(A1)", contact="+81 26", website="", description="\t=cmd", source="=x",
        activities=[formula_category],
    )  # fmt: skip

    rows = _parse("".join(exports.csv_rows(selectors.organization_search())))
    cells = dict(zip(rows[0], rows[1], strict=True))
    data = json.loads("".join(exports.json_chunks(selectors.organization_search(), metadata={"source_url": "https://example.jp/x"})))

    assert (cells["ID"], cells["名称"], cells["よみ"]) == (str(organization.pk), "'=1+2", "'@SUM(A1)")
    assert (cells["公開連絡先"], cells["概要"], cells["出典"], cells["活動内容"]) == ("'+81 26", "'\t=cmd", "'=x", "'-1+2")
    assert cells["ウェブサイト"] == ""
    assert (data["organizations"][0]["name"], data["organizations"][0]["activities"]) == ("=1+2", ["-1+2"])
