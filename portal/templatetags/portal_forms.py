from django import template
from django.forms import BaseForm, BaseFormSet

from portal.forms import error_summary_entries

register = template.Library()


@register.inclusion_tag("includes/form_error_summary.html")
def form_error_summary(*forms_and_formsets, row_label: str = ""):
    """The box at the top of a form after a failed submit: ``{% form_error_summary form formset %}``.

    The forms are marked as listed, so crispy-forms' alert (templates/bootstrap5/errors.html)
    does not repeat their non-field errors beneath the summary.
    """
    for item in forms_and_formsets:
        for form in item.forms if isinstance(item, BaseFormSet) else [item]:
            if isinstance(form, BaseForm):
                form.error_summary_shown = True
    return {"entries": error_summary_entries(*forms_and_formsets, row_label=row_label)}


@register.simple_tag
def form_has_errors(*forms_and_formsets) -> bool:
    """For a page's title (「エラー: 」), which is rendered before the form."""
    return bool(error_summary_entries(*forms_and_formsets))
