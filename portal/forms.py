"""What the portal's forms share: its own words for Django's generic errors, the kana rule,
and the list the error summary at the top of a form shows (includes/form_error_summary.html)."""

import re
from dataclasses import dataclass

import jaconv
from django import forms
from django.forms.utils import pretty_name
from django.utils.translation import gettext_lazy as _

KANA_RE = re.compile(r"^[ぁ-ゖー・\s　]+$")
# A name as a visitor from abroad writes it on the English page: Latin letters (accents too),
# spaces, hyphens, apostrophes and dots.
LATIN_NAME_RE = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ'’.\- ]+$")

REQUIRED_TEXT = _("%(label)sを入力してください。")
REQUIRED_CHOICE = _("%(label)sを選択してください。")
REQUIRED_CHECKBOX = _("「%(label)s」にチェックを入れてください。")
INVALID_EMAIL = _("メールアドレスの形式で入力してください（例：name@example.jp）。")
INVALID_CHOICE = _("%(label)sは、表示されている選択肢から選んでください。")
INVALID_NUMBER = _("%(label)sは半角数字で入力してください。")
MAX_LENGTH = _("%(label)sは%(limit_value)d文字以内で入力してください（現在%(show_value)d文字）。")
KANA_INVALID = _("ふりがなは、ひらがなまたはカタカナで入力してください。")
KANA_OR_LATIN_INVALID = _("ふりがなは、ひらがな・カタカナ、またはローマ字で入力してください。")


def clean_kana_value(value: str) -> str:
    """Kana as stored: hiragana (katakana and half-width kana accepted), one space between parts."""
    kana = jaconv.kata2hira(jaconv.h2z(value.strip()))
    if not KANA_RE.match(kana):
        raise forms.ValidationError(KANA_INVALID, code="kana")
    return " ".join(kana.replace("　", " ").split())


def clean_kana_or_latin_value(value: str) -> str:
    """The reading of a name on the English page: kana as clean_kana_value stores it, or the
    name in Latin letters (full-width letters folded), one space between parts."""
    text = " ".join(jaconv.z2h(value, kana=False, ascii=True, digit=True).replace("　", " ").split())
    if LATIN_NAME_RE.match(text):
        return text
    try:
        return clean_kana_value(value)
    except forms.ValidationError:
        raise forms.ValidationError(KANA_OR_LATIN_INVALID, code="kana") from None


def _class_default(field: forms.Field, code: str):
    """The message Django's own classes give ``code``: one a form did not set itself."""
    message = None
    for cls in reversed(type(field).__mro__):
        message = getattr(cls, "default_error_messages", {}).get(code, message)
    return message


def _is_choice(field: forms.Field) -> bool:
    return isinstance(field, forms.ChoiceField | forms.ModelChoiceField | forms.ModelMultipleChoiceField)


def portal_error_messages(form: forms.BaseForm) -> None:
    """Put the portal's words in place of Django's generic ones, naming each field's label.

    Messages a form set itself stay. Runs just before validation, so labels a form changes in
    its __init__ are the ones named.
    """
    for name, field in form.fields.items():
        label = field.label or pretty_name(name)
        messages = field.error_messages
        if isinstance(field, forms.BooleanField):
            required = REQUIRED_CHECKBOX
        elif _is_choice(field):
            required = REQUIRED_CHOICE
        else:
            required = REQUIRED_TEXT
        ours = {"required": required % {"label": label}}
        if isinstance(field, forms.EmailField):
            ours["invalid"] = INVALID_EMAIL
        if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
            ours["invalid"] = INVALID_NUMBER % {"label": label}
        if _is_choice(field):
            ours["invalid_choice"] = INVALID_CHOICE % {"label": label}
        for code, message in ours.items():
            if messages.get(code) is _class_default(field, code):
                messages[code] = message
        # The validator's code is not among the field's; run_validators() takes the field's
        # message for it and fills in the numbers, so only the label is put in here.
        if getattr(field, "max_length", None) is not None and "max_length" not in messages:
            messages["max_length"] = str(MAX_LENGTH).replace("%(label)s", str(label).replace("%", "%%"))


class PortalFormMixin:
    """Forms the public and staff meet: the portal's wording for Django's generic errors."""

    def full_clean(self):
        portal_error_messages(self)
        super().full_clean()


# ---------------------------------------------------------------- the error summary


@dataclass(frozen=True)
class ErrorSummaryEntry:
    message: str
    # The id of the input the message is about; "" for a message about the whole form.
    target: str = ""


def _field_target(bound: forms.BoundField) -> str:
    widget = bound.field.widget
    field_id = widget.attrs.get("id") or bound.auto_id
    if not field_id:
        return ""
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.MultiWidget):
        # A group of inputs: the first one (GOV.UK's practice), as Django numbers them.
        return f"{field_id}_0"
    return field_id


def _form_entries(form: forms.BaseForm, prefix: str = "") -> list[ErrorSummaryEntry]:
    if not form.is_bound or not form.errors:
        return []
    entries = [ErrorSummaryEntry(f"{prefix}{error}") for error in form.non_field_errors()]
    for bound in form:
        target = "" if bound.is_hidden else _field_target(bound)
        entries.extend(ErrorSummaryEntry(f"{prefix}{error}", target) for error in bound.errors)
    return entries


def error_summary_entries(*forms_and_formsets, row_label: str = "") -> list[ErrorSummaryEntry]:
    """Every error of the given forms and formsets, in page order, each with the input it is about.

    Anything else is skipped, so a page can name forms its context may not have.

    A formset row's messages start with ``row_label`` and the row's number (「参加者 2: 」).
    """
    entries: list[ErrorSummaryEntry] = []
    for item in forms_and_formsets:
        if isinstance(item, forms.BaseFormSet):
            if not item.is_bound:
                continue
            entries.extend(ErrorSummaryEntry(str(error)) for error in item.non_form_errors())
            for number, form in enumerate(item.forms, start=1):
                prefix = _("%(row)s %(number)d: ") % {"row": row_label, "number": number} if row_label else ""
                entries.extend(_form_entries(form, str(prefix)))
        elif isinstance(item, forms.BaseForm):
            entries.extend(_form_entries(item))
    return entries
