"""portal.spreadsheets: the one formula-neutralising helper of every CSV and Excel writer, and
the shared pieces of the files staff open in Excel."""

import datetime as dt
import io

import openpyxl
import pytest
import tablib
from import_export.formats.base_formats import XLSX

from portal.spreadsheets import (
    ExcelCSV,
    export_filename,
    neutralize_formula,
    restore_formula_text,
    spreadsheet_line,
    spreadsheet_response,
)

ATTACKS = [
    '=HYPERLINK("http://evil.example/","x")',
    "+cmd|' /C calc'!A0",
    "-1+2",
    "@SUM(A1:A9)",
    "\t=1+2",
    "\r=1+2",
    "=1+2",
]


@pytest.mark.parametrize("value", ATTACKS)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(value):
    assert neutralize_formula(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["生桑振興会", "", "03-1234-5678", "a=b", " =1+2", "'=1+2", "https://example.jp/", 12, None, True]
)
def test_other_cells_and_non_text_values_are_unchanged(value):
    assert neutralize_formula(value) == value


@pytest.mark.parametrize("value", [*ATTACKS, "生桑振興会", "'quoted", "'", ""])
def test_restore_undoes_neutralize(value):
    assert restore_formula_text(neutralize_formula(value)) == value


def _people() -> tablib.Dataset:
    return tablib.Dataset(["岡山 太郎", "岡山県岡山市東区"], headers=["氏名", "市区町村"], title="申込者")


def test_excel_csv_starts_with_a_utf8_bom_and_reads_back_without_it():
    written = ExcelCSV().export_data(_people())

    assert written == "\ufeff氏名,市区町村\r\n岡山 太郎,岡山県岡山市東区\r\n"
    read = ExcelCSV(encoding="utf-8-sig").create_dataset(written.encode("utf-8"))
    assert (read.headers, list(read)) == (["氏名", "市区町村"], [("岡山 太郎", "岡山県岡山市東区")])


def test_spreadsheet_response_is_a_named_download_with_the_formats_type():
    response = spreadsheet_response(_people(), file_format=XLSX(), filename="summit-x-delegates-20270205.xlsx")

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="summit-x-delegates-20270205.xlsx"'
    assert workbook.sheetnames == ["申込者"]


@pytest.mark.parametrize(
    ("utc", "name"),
    [
        (dt.datetime(2027, 3, 31, 14, 59, tzinfo=dt.UTC), "rmo-organizations-20270331.xlsx"),  # 23:59 in Tokyo
        (dt.datetime(2027, 3, 31, 15, 0, tzinfo=dt.UTC), "rmo-organizations-20270401.xlsx"),  # 00:00 in Tokyo
    ],
)
def test_export_filename_is_dated_by_the_day_in_japan(utc, name):
    assert export_filename("rmo-organizations", XLSX(), now=utc) == name


def test_spreadsheet_line_counts_the_header_as_line_one():
    assert [spreadsheet_line(number) for number in (1, 2, 10)] == [2, 3, 11]
