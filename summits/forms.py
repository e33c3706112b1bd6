from crispy_forms.helper import FormHelper
from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from municipalities.models import Prefecture
from municipalities.selectors import municipality_lookup
from portal.forms import PortalFormMixin, clean_kana_value

from .enums import DelegateRole
from .selectors import Availability
from .services import MAX_DELEGATES, ContactInput, DelegateInput, seats_left_label


class _NoFormTag(FormHelper):
    """Forms of one page share the page's <form> element and its CSRF token."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_tag = False
        self.disable_csrf = True


class TelInput(forms.TextInput):
    """type=tel: a phone's keypad, and the browser's autofill for the number."""

    input_type = "tel"


# Full-width digits and dashes as a Japanese keyboard types them, folded to what the lists print.
_PHONE_FOLD = str.maketrans("０１２３４５６７８９－ー―‐（）＋", "0123456789----()+")


class ContactForm(PortalFormMixin, forms.Form):
    # The contact person fills in their own details: the browser may offer them (WHATWG autofill).
    contact_name = forms.CharField(
        label=_("担当者名"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    # WHATWG has no token for a department within the organization ("organization" is the
    # municipality itself, which the browser would put here).
    contact_department = forms.CharField(
        label=_("担当部署"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    contact_email = forms.EmailField(
        label=_("担当者メールアドレス"),
        help_text=_("申込完了メールと変更用リンクを送ります。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("担当者電話番号"),
        max_length=30,
        help_text=_("例: 018-000-0000"),
        widget=TelInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _NoFormTag()

    def clean_contact_phone(self) -> str:
        return " ".join(self.cleaned_data["contact_phone"].translate(_PHONE_FOLD).split())

    def contact(self) -> ContactInput:
        data = self.cleaned_data
        return ContactInput(
            name=data["contact_name"],
            department=data["contact_department"],
            email=data["contact_email"],
            phone=data["contact_phone"],
        )


class ApplicationForm(ContactForm):
    """A new application: which municipality applies, who to contact, and consent."""

    prefecture = forms.ModelChoiceField(
        label=_("都道府県"),
        queryset=Prefecture.objects.order_by("code"),
        required=False,
        empty_label=_("（選択してください）"),
        help_text=_("同じ名前の市町村がある場合に使います。"),
    )
    municipality = forms.CharField(
        label=_("市区町村"),
        max_length=40,
        help_text=_("団体名（例: 秋田市、秋田県秋田市）または全国地方公共団体コード6桁（例: 052019）"),
        # Matched against the master, not the browser's idea of an organization or a city.
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    consent = forms.BooleanField(
        label=_("入力した個人情報を、本サミットの運営（参加者の確認、名札・資料の作成、連絡）のためにのみ利用することに同意します。"),
        required=True,
        error_messages={"required": _("個人情報の利用目的に同意してください。")},
    )
    # One per page shown: a second POST of the same page (a double tap) opens the application
    # the first one made instead of being refused as a second one (services.application_create).
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    field_order = ["prefecture", "municipality", "contact_name", "contact_department", "contact_email", "contact_phone"]

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("municipality", "")
        if not text:
            return cleaned
        prefecture = cleaned.get("prefecture")
        found = municipality_lookup(
            text=text, prefecture_code=prefecture.code if prefecture else None, include_wards=False, exact=True
        )
        if not found:
            self.add_error("municipality", _("該当する市区町村が見つかりません。団体名または6桁の団体コードを確認してください。"))
        elif len(found) > 1:
            self.add_error(
                "municipality",
                _("同じ名前の市区町村が複数あります。都道府県を選ぶか、団体コードを入力してください: %(names)s")
                % {"names": "、".join(f"{m.full_name}（{m.code}）" for m in found)},
            )
        else:
            cleaned["municipality_object"] = found[0]
        return cleaned


def _choices(items: list[Availability], empty: str) -> list[tuple[str, str]]:
    choices = [("", empty)]
    for entry in items:
        if entry.left is None:
            label = str(entry.item)
        elif entry.left == 0:
            label = _("%(item)s（満員）") % {"item": entry.item}
        else:
            label = seats_left_label(entry.item, entry.left)
        choices.append((str(entry.item.pk), label))
    return choices


# A delegate row is another person's (the mayor's, a colleague's): autocomplete="off", so the
# browser does not offer the contact person's own name and address there (WHATWG autofill
# describes the user's own details).
_NOT_MINE = {"autocomplete": "off"}


class DelegateForm(PortalFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("区分"), choices=DelegateRole.choices, initial=DelegateRole.STAFF)
    name = forms.CharField(label=_("氏名"), max_length=100, widget=forms.TextInput(attrs=_NOT_MINE))
    name_kana = forms.CharField(
        label=_("ふりがな"),
        max_length=100,
        help_text=_("ひらがなで入力してください（カタカナも可）。"),
        widget=forms.TextInput(attrs=_NOT_MINE),
    )
    title = forms.CharField(
        label=_("役職"), max_length=100, help_text=_("例: 市長、企画課長"), widget=forms.TextInput(attrs=_NOT_MINE)
    )
    email = forms.EmailField(
        label=_("メールアドレス"),
        required=False,
        widget=forms.EmailInput(attrs={**_NOT_MINE, "inputmode": "email"}),
    )
    track = forms.TypedChoiceField(label=_("参加する分科会"), coerce=int, empty_value=None, required=False)
    site_visit_course = forms.TypedChoiceField(
        label=_("現地視察コース"), coerce=int, empty_value=None, required=False
    )
    dietary_needs = forms.CharField(label=_("食事の配慮（アレルギー等）"), max_length=200, required=False)
    accessibility_needs = forms.CharField(label=_("移動・設備の配慮（車いす等）"), max_length=200, required=False)

    def __init__(self, *args, tracks: list[Availability], courses: list[Availability], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].choices = _choices(tracks, str(_("参加しない")))
        self.fields["site_visit_course"].choices = _choices(courses, str(_("参加しない")))
        if not tracks:
            del self.fields["track"]
        if not courses:
            del self.fields["site_visit_course"]
        self.helper = _NoFormTag()

    def has_changed(self) -> bool:
        """A row counts as filled in when anything but its role is; a blank row is left out."""
        return any(name != "role" for name in self.changed_data)

    def clean_name_kana(self) -> str:
        return clean_kana_value(self.cleaned_data["name_kana"])

    def delegate(self) -> DelegateInput:
        data = self.cleaned_data
        return DelegateInput(
            role=data["role"],
            name=data["name"],
            name_kana=data["name_kana"],
            title=data["title"],
            email=data.get("email", ""),
            track_id=data.get("track"),
            site_visit_course_id=data.get("site_visit_course"),
            dietary_needs=data.get("dietary_needs", ""),
            accessibility_needs=data.get("accessibility_needs", ""),
        )


class BaseDelegateFormSet(BaseFormSet):
    # Django's own wording ("submit at least 1 form") speaks of forms, which the page does not show.
    default_error_messages = {
        "too_few_forms": ngettext_lazy("参加者を%(num)d名以上入力してください。", "参加者を%(num)d名以上入力してください。", "num"),
        "too_many_forms": ngettext_lazy("参加者は1団体%(num)d名までです。", "参加者は1団体%(num)d名までです。", "num"),
    }

    def initial_form_count(self) -> int:
        """Every posted row beyond the first may be left blank, prefilled ones too.

        The delegation is replaced as a whole on each save, so a prefilled row is not an
        "existing object" to keep: blanking it removes that person.
        """
        if self.is_bound:
            return 0
        return super().initial_form_count()


DelegateFormSet = formset_factory(
    DelegateForm,
    formset=BaseDelegateFormSet,
    extra=2,
    min_num=1,
    validate_min=True,
    max_num=MAX_DELEGATES,
    validate_max=True,
    absolute_max=MAX_DELEGATES,
)


def delegate_inputs(formset) -> list[DelegateInput]:
    """The filled-in rows of a valid formset, blank extra rows left out."""
    return [form.delegate() for form in formset.forms if form.has_changed() and form.cleaned_data]


def delegate_initial(application) -> list[dict]:
    return [
        {
            "role": d.role,
            "name": d.name,
            "name_kana": d.name_kana,
            "title": d.title,
            "email": d.email,
            "track": d.track_id,
            "site_visit_course": d.site_visit_course_id,
            "dietary_needs": d.dietary_needs,
            "accessibility_needs": d.accessibility_needs,
        }
        for d in application.delegates.all()
    ]
