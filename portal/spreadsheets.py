"""Spreadsheets staff open in Excel: the shared pieces of every CSV and Excel file we write or read.

Formulas. A registrant or a listing named ``=HYPERLINK(…)``, ``+cmd|…``, ``-1+2`` or ``@SUM(…)``
would be a live formula when staff open the file in Excel (OWASP "CSV injection"). As OWASP
recommends, such a cell gets a leading ``'``: Excel shows the text as written and runs nothing.
Writers: the admin's exports (FormulaSafeResource), the summit secretariat's delegate files (the
same resource) and the open-data CSV (organizations.exports). The organization import takes back
what the export wrote: a cell that starts with ``'`` and then a formula character loses the ``'``
(restore_formula_text), so an exported file re-imports unchanged.

Excel. Japanese Excel reads a CSV without a byte order mark as Shift_JIS (mojibake): every CSV
we write starts with one (ExcelCSV, the admin's and the secretariat's files alike). Sheets are
named after what they hold, files after what they are and the day in Japan (export_filename).

Import results speak the spreadsheet's language: errors under the column headers the person
typed, rows by the line numbers Excel shows (the header is line 1). SpreadsheetAdminMixin puts
django-import-export's admin pages, forms and messages in Japanese where the package does not.
"""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.http import HttpResponse
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import forms as import_export_forms
from import_export import resources
from import_export.formats import base_formats
from import_export.results import Result, RowResult

from portal.deadlines import today_jst

# The characters a spreadsheet reads as the start of a formula (tab and carriage return: some
# applications drop them and read the rest, OWASP lists them too).
FORMULA_START = frozenset("=+-@\t\r")
NEUTRALIZING_PREFIX = "'"
UTF8_BOM = "\ufeff"
# Line 1 of every file is the header row: the first data row is line 2 in Excel.
HEADER_LINES = 1


def neutralize_formula(value: Any) -> Any:
    """The value, with a ``'`` in front when it is text that a spreadsheet would run."""
    if isinstance(value, str) and value and value[0] in FORMULA_START:
        return NEUTRALIZING_PREFIX + value
    return value


def restore_formula_text(value: Any) -> Any:
    """Undo neutralize_formula on a cell read back from one of our files."""
    if isinstance(value, str) and len(value) > 1 and value[0] == NEUTRALIZING_PREFIX and value[1] in FORMULA_START:
        return value[1:]
    return value


def spreadsheet_line(row_number: int) -> int:
    """The line Excel shows for import-export's row number (1: the first row after the header)."""
    return row_number + HEADER_LINES


# ---------------------------------------------------------------- file formats and names


class ExcelCSV(base_formats.CSV):
    """CSV in UTF-8 with a BOM, so that Excel does not read it as Shift_JIS. Imports read it with
    or without one (the admin decodes uploads as utf-8-sig)."""

    CONTENT_TYPE = "text/csv; charset=utf-8"

    def export_data(self, dataset, **kwargs):
        return UTF8_BOM + super().export_data(dataset, **kwargs)


SPREADSHEET_FORMATS = [ExcelCSV, base_formats.XLSX]
FORMATS_BY_EXTENSION = {file_format().get_extension(): file_format for file_format in SPREADSHEET_FORMATS}


def export_filename(stem: str, file_format: base_formats.Format, *, now: dt.datetime | None = None) -> str:
    """``<stem>-<YYYYMMDD>.<ext>``, dated in Japan (a file written at 08:00 JST is that day's)."""
    return f"{stem}-{today_jst(now):%Y%m%d}.{file_format.get_extension()}"


def spreadsheet_response(dataset, *, file_format: base_formats.Format, filename: str) -> HttpResponse:
    """A download of ``dataset`` in ``file_format``, as the admin's export writes it."""
    response = HttpResponse(file_format.export_data(dataset), content_type=file_format.get_content_type())
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------- resources


class FormulaSafeResource(resources.ModelResource):
    """A django-import-export resource whose every exported cell passes neutralize_formula, and
    whose imported rows lose the prefix again (an exported file re-imports as it was)."""

    def export_field(self, field, instance, **kwargs):
        return neutralize_formula(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row, **kwargs):
        for key, value in row.items():
            row[key] = restore_formula_text(value)
        super().before_import_row(row, **kwargs)


class SpreadsheetResult(Result):
    """Import results whose row numbers are Excel's line numbers, and whose rejected rows keep the
    cells as the file has them (``file_headers``, ``InvalidRow.cells``) to be shown as typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.file_headers: list[str] = []

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(spreadsheet_line(number), row, validation_error)
        self.file_headers = [str(header) for header in row]
        self.invalid_rows[-1].cells = ["" if value is None else value for value in row.values()]

    def append_error_row(self, number, row, errors):
        super().append_error_row(spreadsheet_line(number), row, errors)

    def row_errors(self):
        # The package counts the rows it kept in its report (skipped ones may be left out).
        return [(error_row.number, error_row.errors) for error_row in self.error_rows]


class SpreadsheetResource(FormulaSafeResource):
    """The base of every admin spreadsheet: a named sheet, errors by column header and line,
    and the related rows an export reads fetched up front."""

    #: The Excel sheet's name (at most 31 characters).
    sheet_title: Any = ""
    #: select_related / prefetch_related for the export: a file costs a fixed number of queries.
    export_select_related: tuple[str, ...] = ()
    export_prefetch_related: tuple[str, ...] = ()

    @classmethod
    def get_result_class(cls):
        return SpreadsheetResult

    def filter_export(self, queryset, **kwargs):
        queryset = super().filter_export(queryset, **kwargs)
        if self.export_select_related:
            queryset = queryset.select_related(*self.export_select_related)
        if self.export_prefetch_related:
            queryset = queryset.prefetch_related(*self.export_prefetch_related)
        return queryset

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        dataset.title = force_str(self.sheet_title) or None
        return dataset

    def get_user_visible_fields(self):
        # The import page lists the columns that are read; read-only ones are only written.
        return [field for field in super().get_user_visible_fields() if not field.readonly]

    def import_row(self, row, instance_loader, **kwargs):
        if "row_number" in kwargs:
            kwargs["row_number"] = spreadsheet_line(kwargs["row_number"])
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.validation_error is not None:
            row_result.validation_error = self.errors_by_column(row_result.validation_error)
        return row_result

    def errors_by_column(self, error: ValidationError) -> ValidationError:
        """The error keyed by the column headers of the file instead of the model's field names."""
        if not hasattr(error, "error_dict"):
            return error
        by_column: dict[str, list] = {}
        for key, errors in error.error_dict.items():
            by_column.setdefault(self.column_label(key), []).extend(errors)
        return ValidationError(by_column)

    def column_label(self, key: str) -> str:
        if key == NON_FIELD_ERRORS:
            return key
        for name, field in self.fields.items():
            if key in (name, field.attribute, field.column_name):
                return force_str(field.column_name)
        try:
            return force_str(self._meta.model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            return key


# ---------------------------------------------------------------- admin


class SpreadsheetImportForm(import_export_forms.ImportForm):
    # The package's own words for these are not translated into Japanese (its locale has none).
    PACKAGE_MESSAGES = {
        "No valid data to import. Ensure your file has the correct headers or data for import.": gettext_lazy(
            "取り込めるデータがありません。1行目が列名で、2行目からデータが入っているか確かめてください。"
        ),
    }

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["resource"].label = gettext_lazy("データの種類")
        self.fields["import_file"].label = gettext_lazy("インポートするファイル")
        self.fields["format"].label = gettext_lazy("ファイル形式")

    def add_error(self, field, error):
        if isinstance(error, (str, Promise)):
            error = self.PACKAGE_MESSAGES.get(str(error), error)
        super().add_error(field, error)


class SpreadsheetExportForm(import_export_forms.SelectableFieldsExportForm):
    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["resource"].label = gettext_lazy("データの種類")
        self.fields["format"].label = gettext_lazy("ファイル形式")

    def _get_field_label(self, resource, field_name: str) -> str:
        # The column's header, as the file will have it (the package shows the English field name).
        field = resource.fields.get(field_name)
        return force_str(field.column_name) if field else field_name

    def _validate_any_field_selected(self, resource) -> None:
        fields = list(resource().get_export_order())
        if not any(value for key, value in self.cleaned_data.items() if key in fields):
            raise ValidationError(_("エクスポートする列を1つ以上選んでください。"), code="invalid")


IMPORT_LOG_MESSAGES = {
    RowResult.IMPORT_TYPE_NEW: (ADDITION, gettext_lazy("ファイルのインポートで追加")),
    RowResult.IMPORT_TYPE_UPDATE: (CHANGE, gettext_lazy("ファイルのインポートで変更")),
    RowResult.IMPORT_TYPE_DELETE: (DELETION, gettext_lazy("ファイルのインポートで削除")),
}


class SpreadsheetAdminMixin:
    """For a ModelAdmin with import-export's ImportMixin and/or ExportMixin (placed before them):
    CSV with a BOM and Excel, Japanese forms, messages and history, and file names that say what
    the file holds (``export_filename_stem``, or ``get_export_filename_stem`` per export)."""

    import_formats = SPREADSHEET_FORMATS
    export_formats = SPREADSHEET_FORMATS
    import_form_class = SpreadsheetImportForm
    export_form_class = SpreadsheetExportForm
    export_filename_stem = ""

    def get_export_filename_stem(self, request, queryset) -> str:
        return self.export_filename_stem or f"rmo-{self.opts.model_name}"

    def get_export_filename(self, request, queryset, file_format):
        return export_filename(self.get_export_filename_stem(request, queryset), file_format)

    def add_success_message(self, result, request):
        totals = result.totals
        self.message_user(
            request,
            _("%(data)sのインポートが完了しました：新規 %(new)d件、更新 %(update)d件、削除 %(delete)d件、変更なし %(skip)d件。")
            % {
                "data": self.opts.verbose_name_plural,
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "update": totals[RowResult.IMPORT_TYPE_UPDATE],
                "delete": totals[RowResult.IMPORT_TYPE_DELETE],
                "skip": totals[RowResult.IMPORT_TYPE_SKIP],
            },
            messages.SUCCESS,
        )

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error(
            "import_file",
            _("ファイルを読み込めませんでした（%(error)s）。選んだファイル形式がファイルと合っているか確かめてください。")
            % {"error": type(e).__name__},
        )

    def generate_log_entries(self, result, request):
        if self.get_skip_admin_log():
            return
        for import_type, (action_flag, message) in IMPORT_LOG_MESSAGES.items():
            instances = [row.instance for row in result if row.import_type == import_type and row.instance is not None]
            if instances:
                LogEntry.objects.log_actions(
                    request.user.pk, instances, action_flag, change_message=str(message), single_object=len(instances) == 1
                )
