"""Staff import of the annual survey spreadsheet (CSV, XLSX) through django-import-export.

Rows are matched on the natural key (市区町村コード, 名称), so importing the same file twice
changes nothing; every row is checked before any is written, and one bad row rolls back the
whole file. ``search_text`` is set by the same service function the rest of the app uses.
"""

import re
from decimal import InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from municipalities.codes import code_parse, is_valid_code, typed_digits
from municipalities.models import Municipality
from organizations.search import normalize
from portal.spreadsheets import SpreadsheetResource

from .enums import AreaType, LegalForm, OrganizationType
from .models import ActivityCategory, FundingCategory, MemberType, Organization
from .services import organization_search_text_refresh, registry_changed

LIST_SPLIT = re.compile(r"[|｜、,，;；\n]")
CODE_COLUMN = "市区町村コード"
NAME_COLUMN = "名称"


# The survey's own words for a choice whose label says more: the survey form writes 「任意団体」.
LEGAL_FORM_ALIASES = {"任意団体": LegalForm.VOLUNTARY}


class ChoiceLabelWidget(widgets.Widget):
    """Accepts a choice's Japanese label (「NPO法人」), its stored value (「npo」) or an alias, in
    full- or half-width and with surrounding spaces (「 任意団体(法人格なし)　」)."""

    def __init__(self, choices, aliases=None, **kwargs):
        self.choices = choices
        self.aliases = {normalize(alias): stored for alias, stored in (aliases or {}).items()}
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = normalize(str(value or ""))
        if not text:
            return ""
        if text in self.aliases:
            return self.aliases[text]
        for stored, label in self.choices.choices:
            if text in (stored, normalize(str(label))):
                return stored
        labels = "、".join(str(label) for label in self.choices.labels)
        raise ValueError(_("「%(value)s」は選択肢（%(labels)s）にありません。") % {"value": value, "labels": labels})

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices.choices).get(value, ""))


class JapaneseBooleanWidget(widgets.BooleanWidget):
    TRUE_VALUES = [*widgets.BooleanWidget.TRUE_VALUES, "あり", "はい", "有", "○", "◯"]
    FALSE_VALUES = [*widgets.BooleanWidget.FALSE_VALUES, "なし", "いいえ", "無", "×"]
    # Written as the survey writes them (not 1/0 or TRUE/FALSE), and read back by clean().
    TRUE_LABEL, FALSE_LABEL = "あり", "なし"

    def render(self, value, obj=None, **kwargs):
        if type(value) is not bool:
            return ""
        return self.TRUE_LABEL if value else self.FALSE_LABEL

    def clean(self, value, row=None, **kwargs):
        text = str(value).strip() if value is not None else ""
        if text == "":
            return None
        if text in self.TRUE_VALUES or text.lower() in ("true", "1"):
            return True
        if text in self.FALSE_VALUES or text.lower() in ("false", "0"):
            return False
        raise ValueError(_("「%(value)s」は「あり」か「なし」で入力してください。") % {"value": value})


class PublishedWidget(JapaneseBooleanWidget):
    """An empty 公開 cell means not published (the column is not nullable)."""

    TRUE_LABEL, FALSE_LABEL = "はい", "いいえ"

    def clean(self, value, row=None, **kwargs):
        cleaned = super().clean(value, row=row, **kwargs)
        return bool(cleaned)


class NamesWidget(widgets.ManyToManyWidget):
    """Category names separated by 「|」, 「、」 or commas."""

    def __init__(self, model, **kwargs):
        super().__init__(model, separator="|", field="name", **kwargs)

    def clean(self, value, row=None, **kwargs):
        names = [part.strip() for part in LIST_SPLIT.split(str(value or "")) if part.strip()]
        return self.model.objects.filter(name__in=names)


class StrictIntegerWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(normalize(str(value)) if value is not None else value, row=row, **kwargs)
        except (ValueError, TypeError, InvalidOperation) as exc:
            raise ValueError(_("「%(value)s」は数字で入力してください。") % {"value": value}) from exc


class OrganizationResource(SpreadsheetResource):
    sheet_title = gettext_lazy("地域運営組織")
    export_select_related = ("municipality__prefecture", "municipality__parent")
    export_prefetch_related = ("member_types", "activities", "funding_sources")

    municipality = fields.Field(
        attribute="municipality", column_name=CODE_COLUMN, widget=widgets.ForeignKeyWidget(Municipality, "code")
    )
    # Written for people (「岡山県岡山市東区」); the import goes by the code.
    municipality_name = fields.Field(attribute="municipality__full_name", column_name="市区町村", readonly=True)
    name = fields.Field(attribute="name", column_name=NAME_COLUMN)
    name_kana = fields.Field(attribute="name_kana", column_name="よみ")
    area_type = fields.Field(attribute="area_type", column_name="活動範囲", widget=ChoiceLabelWidget(AreaType))
    legal_form = fields.Field(attribute="legal_form", column_name="組織形態", widget=ChoiceLabelWidget(LegalForm, aliases=LEGAL_FORM_ALIASES))
    organization_type = fields.Field(
        attribute="organization_type", column_name="類型", widget=ChoiceLabelWidget(OrganizationType)
    )
    founded_year = fields.Field(attribute="founded_year", column_name="設立年", widget=StrictIntegerWidget())
    member_types = fields.Field(attribute="member_types", column_name="構成団体", widget=NamesWidget(MemberType))
    has_base = fields.Field(attribute="has_base", column_name="活動拠点", widget=JapaneseBooleanWidget())
    base_is_public_facility = fields.Field(
        attribute="base_is_public_facility", column_name="拠点は公共施設", widget=JapaneseBooleanWidget()
    )
    activities = fields.Field(attribute="activities", column_name="活動内容", widget=NamesWidget(ActivityCategory))
    funding_sources = fields.Field(
        attribute="funding_sources", column_name="主な財源", widget=NamesWidget(FundingCategory)
    )
    contact = fields.Field(attribute="contact", column_name="公開連絡先")
    website = fields.Field(attribute="website", column_name="ウェブサイト")
    description = fields.Field(attribute="description", column_name="概要")
    survey_year = fields.Field(attribute="survey_year", column_name="調査年度", widget=StrictIntegerWidget())
    source = fields.Field(attribute="source", column_name="出典")
    is_published = fields.Field(attribute="is_published", column_name="公開", widget=PublishedWidget())

    CATEGORY_COLUMNS = {"構成団体": MemberType, "活動内容": ActivityCategory, "主な財源": FundingCategory}

    class Meta:
        model = Organization
        import_id_fields = ("municipality", "name")
        fields = (
            "municipality", "municipality_name", "name", "name_kana", "area_type", "legal_form", "organization_type", "founded_year",
            "member_types", "has_base", "base_is_public_facility", "activities", "funding_sources", "contact",
            "website", "description", "survey_year", "source", "is_published",
        )  # fmt: skip
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True
        skip_html_diff = False

    def import_data(self, dataset, **kwargs):
        # All or nothing: a single invalid row rolls back the rows before it as well.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        missing = [column for column in (CODE_COLUMN, NAME_COLUMN) if column not in (dataset.headers or [])]
        if missing:
            raise ValidationError(_("必須の列がありません：%(columns)s") % {"columns": "、".join(missing)})
        self._seen_keys: dict[tuple[str, str], int] = {}
        self._municipality_codes = set(Municipality.objects.values_list("code", flat=True))
        self._category_names = {
            column: set(model.objects.values_list("name", flat=True)) for column, model in self.CATEGORY_COLUMNS.items()
        }

    def before_import_row(self, row, **kwargs):
        """Check the row as a whole and say, in Japanese, everything wrong with it."""
        super().before_import_row(row, **kwargs)
        errors: dict[str, list[str]] = {}
        typed = typed_digits(row.get(CODE_COLUMN))
        code = code_parse(typed, from_spreadsheet=True)
        row[CODE_COLUMN] = code or typed
        if not typed:
            errors.setdefault("municipality", []).append(_("市区町村コードがありません。"))
        elif code is None:
            errors.setdefault("municipality", []).append(
                _("市区町村コード「%(code)s」は6桁の数字ではありません。") % {"code": typed}
            )
        elif not is_valid_code(code):
            errors.setdefault("municipality", []).append(
                _("市区町村コード「%(code)s」の検査数字が正しくありません。") % {"code": code}
            )
        elif code not in self._municipality_codes:
            errors.setdefault("municipality", []).append(
                _("市区町村コード「%(code)s」は市区町村マスタにありません。") % {"code": code}
            )

        name = " ".join(str(row.get(NAME_COLUMN) or "").split())
        row[NAME_COLUMN] = name
        if not name:
            errors.setdefault("name", []).append(_("名称がありません。"))
        elif code:
            key = (code, name)
            first_row = self._seen_keys.setdefault(key, kwargs.get("row_number", 0))
            if first_row != kwargs.get("row_number", 0):
                errors.setdefault("name", []).append(
                    _("%(row)d行目と同じ市区町村・名称の組織が重複しています。") % {"row": first_row}
                )

        for column, known in self._category_names.items():
            if column not in row:
                continue
            names = [part.strip() for part in LIST_SPLIT.split(str(row.get(column) or "")) if part.strip()]
            unknown = [part for part in names if part not in known]
            if unknown:
                errors.setdefault(column, []).append(
                    _("%(column)sの「%(names)s」は登録されていません。") % {"column": column, "names": "、".join(unknown)}
                )
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        organization_search_text_refresh(organization=instance)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not kwargs.get("dry_run"):
            transaction.on_commit(registry_changed)
