from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from crispy_forms.utils import render_crispy_form
from django import forms
from django.db.models import QuerySet
from django.forms.boundfield import BoundField
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality
from portal.forms import PortalFormMixin, clean_kana_or_latin_value, clean_kana_value

from .enums import AttendanceMode, AttendeeCategory, WhenFull
from .models import Seminar

# What the 満席の場合 question says when the page is shown with some mode full (show_seats).
WHEN_FULL_HELP_ALL = _("会場・オンラインとも満席です。お申し込みはキャンセル待ちとしてのみ受け付けます。")
WHEN_FULL_HELP_ALL_ONE_MODE = _("満席です。お申し込みはキャンセル待ちとしてのみ受け付けます。")
WHEN_FULL_HELP_VENUE = _("会場参加は満席です。会場を選んだ場合の扱いを選んでください（オンライン参加には空きがあります）。")
WHEN_FULL_HELP_ONLINE = _("オンライン参加は満席です。オンラインを選んだ場合の扱いを選んでください（会場参加には空きがあります）。")

KANA_HELP_LATIN = _("任意。ひらがな・カタカナ、またはローマ字で入力してください。")

PURPOSE_OF_USE = _(
    "ご記入いただいた個人情報は、総務省 地域力創造グループ 地域振興室が本セミナーの運営"
    "（参加受付、参加方法・オンライン参加URL等のご連絡、当日の受付、参加者数の集計）にのみ利用し、"
    "法令に基づく場合を除き、ご本人の同意なく第三者に提供しません。"
    "集計結果は個人が特定できない形で公表することがあります。"
)


# What the registration form keeps per process (the municipality master changes a few times a
# year with load_municipalities; app servers are restarted after it, as docs/deploy.md says):
# "choices", the grouped choices; per set of attributes and language, the <select>'s HTML; per
# set of modes and language, the empty form's HTML (registration_form_html). A dict, so that
# tests can clear it (tests/conftest.py).
REGISTRATION_FORM_CACHE: dict = {}


def municipality_queryset() -> QuerySet[Municipality]:
    return Municipality.objects.select_related("prefecture", "parent").order_by("code")


def municipality_choices() -> tuple:
    """The ~1,900 municipalities grouped by prefecture: ((prefecture name, ((code, label), ...)), ...)."""
    choices = REGISTRATION_FORM_CACHE.get("choices")
    if choices is None:
        groups: dict[str, list] = {}
        for municipality in municipality_queryset():
            # A ward is shown with its city: 「札幌市中央区」, not one of many 「中央区」.
            label = f"{municipality.parent.name}{municipality.name}" if municipality.parent_id else municipality.name
            groups.setdefault(municipality.prefecture.name, []).append((municipality.pk, label))
        choices = REGISTRATION_FORM_CACHE["choices"] = tuple((name, tuple(items)) for name, items in groups.items())
    return choices


def clean_name_value(value: str) -> str:
    """One space between the parts of a name, whatever was typed."""
    return " ".join(value.split())


class GroupedMunicipalityIterator(BaseChoiceIterator):
    """The empty choice, then the grouped municipalities, read from the per-process copy.

    A lazy iterator, like Django's own ModelChoiceIterator: a plain list of ~1,900 choices is
    walked by normalize_choices() each time a form is built (the field is deep-copied and hands
    its choices to the widget), which cost a registration POST more than its whole transaction.
    """

    def __init__(self, field: forms.ModelChoiceField) -> None:
        self.field = field

    def __iter__(self):
        yield ("", self.field.empty_label)
        yield from municipality_choices()


def _with_selected(html: str, value) -> str:
    """``html``, a <select> rendered with no value, with ``value`` selected instead, marked as
    Django's Select marks it: the first option with that value, none if no option has it."""
    if value is None or value == "":
        return html
    html = html.replace('<option value="" selected>', '<option value="">', 1)
    option = f'<option value="{escape(value)}"'
    return html.replace(f"{option}>", f"{option} selected>", 1)


class MunicipalityBoundField(BoundField):
    """Renders the municipality <select> from HTML that Django's Select rendered once.

    Django renders a <select> through one template include per <option>: for the ~1,900
    municipalities that was four fifths of the registration page's CPU time
    (benchmarks/README.md). The widget renders as usual, with no value, once per process,
    set of attributes (an error adds aria-invalid and crispy's is-invalid) and language; each
    page then only moves the ``selected`` mark. A BoundField (Field.bound_field_class), not a
    Select subclass, so the widget stays a plain forms.Select and keeps crispy-forms' CSS class
    for it ("select", from the widget's class name): the page's HTML is unchanged.
    """

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        if widget is not None or only_initial:
            return super().as_widget(widget, attrs, only_initial)
        widget = self.field.widget
        # The attributes BoundField.as_widget() gives the widget.
        attrs = self.build_widget_attrs(attrs or {}, widget)
        if self.auto_id and "id" not in widget.attrs:
            attrs.setdefault("id", self.auto_id)
        final = widget.build_attrs(widget.attrs, attrs)
        attributes = tuple(sorted((name, value if isinstance(value, bool) else str(value)) for name, value in final.items()))
        key = (self.html_name, get_language(), attributes)
        html = REGISTRATION_FORM_CACHE.get(key)
        if html is None:
            html = REGISTRATION_FORM_CACHE[key] = str(widget.render(self.html_name, None, attrs, self.form.renderer))
        return mark_safe(_with_selected(html, self.value()))  # Django's own HTML; the value is escaped


class MunicipalityChoiceField(forms.ModelChoiceField):
    """The 1,700-odd municipalities grouped by prefecture (<optgroup>), easier on a phone.

    Only the rendering is grouped and cached; validation still looks the code up in the
    database, so a municipality removed from the master is refused.
    """

    iterator = GroupedMunicipalityIterator
    bound_field_class = MunicipalityBoundField

    def __init__(self, **kwargs) -> None:
        super().__init__(queryset=municipality_queryset(), **kwargs)


class RegistrationForm(PortalFormMixin, forms.Form):
    """Validates a registration. Seats are decided by services.registration_create, never here."""

    name = forms.CharField(
        label=_("氏名"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    kana = forms.CharField(
        label=_("ふりがな"),
        max_length=100,
        help_text=_("ひらがなで入力してください（カタカナも可）。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("メールアドレス"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    email_confirm = forms.EmailField(
        label=_("メールアドレス（確認用）"),
        max_length=254,
        help_text=_("確認のため、もう一度入力してください。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    affiliation = forms.CharField(
        label=_("所属"),
        max_length=200,
        required=False,
        help_text=_("自治体名・団体名・大学名など（任意）"),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    category = forms.ChoiceField(
        label=_("区分"),
        choices=AttendeeCategory.choices,
        widget=forms.RadioSelect,
    )
    municipality = MunicipalityChoiceField(
        label=_("お住まい・お勤めの市区町村"),
        required=False,
        empty_label=_("（選択しない）"),
        help_text=_("任意。自治体職員の方は所属自治体を選んでください。"),
        widget=forms.Select(attrs={"autocomplete": "off"}),
    )
    mode = forms.ChoiceField(
        label=_("参加方法"), choices=AttendanceMode.choices, widget=forms.RadioSelect
    )
    joins_exchange = forms.BooleanField(
        label=_("登壇者との意見交換会に参加する（会場参加者のみ）"),
        required=False,
        widget=forms.CheckboxInput(attrs={"data-seminars-exchange": "1"}),
    )
    when_full = forms.ChoiceField(
        label=_("満席の場合"),
        choices=WhenFull.choices,
        initial=WhenFull.WAITLIST,
        widget=forms.RadioSelect,
    )
    accessibility_needs = forms.CharField(
        label=_("配慮が必要な事項"),
        required=False,
        max_length=1000,
        help_text=_("車いすでの来場、手話通訳、資料の拡大などがあればご記入ください（任意）。"),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    consent = forms.BooleanField(
        label=_("個人情報の取扱いに同意する"),
        help_text=PURPOSE_OF_USE,
        widget=forms.CheckboxInput,
        error_messages={"required": _("お申し込みには個人情報の取扱いへの同意が必要です。")},
    )

    def __init__(self, *args, seminar: Seminar, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.seminar = seminar
        self.full_modes: frozenset[str] = frozenset()
        self.fields["mode"].choices = [(mode, AttendanceMode(mode).label) for mode in seminar.modes]
        if len(seminar.modes) == 1:
            self.fields["mode"].initial = seminar.modes[0]
        if not seminar.has_venue:
            del self.fields["joins_exchange"]
        # A visitor from abroad on the English page may not know a reading in kana; the name in
        # Latin letters is what the desk will see. The Japanese page keeps kana required.
        self.latin_reading = not (get_language() or "ja").startswith("ja")
        if self.latin_reading:
            self.fields["kana"].required = False
            self.fields["kana"].help_text = KANA_HELP_LATIN
        # From the row alone (a POST has no seat counts): the question exists only if a mode can
        # fill up, and "online instead" only for a venue that can fill up beside an online channel.
        if not seminar.limited_modes:
            del self.fields["when_full"]
        elif not (seminar.has_online and AttendanceMode.VENUE in seminar.limited_modes):
            self.fields["when_full"].choices = [c for c in WhenFull.choices if c[0] != WhenFull.ONLINE]
        self.form_action = action

    def show_seats(self, full_modes: frozenset[str]) -> None:
        """Word the 満席の場合 question for the seats as they are now (the page being shown).

        Display only: the POST is validated without counts, and registration_create decides
        under the seminar's lock what a full mode means for this person.
        """
        self.full_modes = frozenset(full_modes)
        field = self.fields.get("when_full")
        if field is None or not self.full_modes:
            return
        if self.full_modes >= set(self.seminar.modes):
            field.choices = [c for c in field.choices if c[0] == WhenFull.WAITLIST]
            field.initial = WhenFull.WAITLIST
            field.label = _("お申し込みの扱い")
            field.help_text = WHEN_FULL_HELP_ALL if len(self.seminar.modes) > 1 else WHEN_FULL_HELP_ALL_ONE_MODE
        elif AttendanceMode.VENUE in self.full_modes:
            field.help_text = WHEN_FULL_HELP_VENUE
        else:
            field.choices = [c for c in field.choices if c[0] != WhenFull.ONLINE]
            field.help_text = WHEN_FULL_HELP_ONLINE

    @property
    def waitlist_only(self) -> bool:
        return bool(self.full_modes) and self.full_modes >= set(self.seminar.modes)

    @cached_property
    def helper(self) -> FormHelper:
        """crispy-forms' layout, built when the form is rendered: a valid POST never needs it."""
        helper = FormHelper()
        helper.form_action = self.form_action
        helper.attrs = {"novalidate": ""}
        helper.layout = Layout(
            Fieldset(_("お名前・ご連絡先"), "name", "kana", "email", "email_confirm"),
            Fieldset(_("ご所属"), "affiliation", "category", "municipality"),
            Fieldset(
                _("参加方法"),
                "mode",
                *[name for name in ("joins_exchange", "when_full") if name in self.fields],
                "accessibility_needs",
            ),
            Fieldset(_("個人情報の取扱い"), "consent"),
            Submit(
                "submit",
                _("キャンセル待ちに申し込む") if self.waitlist_only else _("申し込む"),
                css_class="btn btn-primary btn-lg w-100",
            ),
        )
        return helper

    def clean_name(self) -> str:
        return clean_name_value(self.cleaned_data["name"])

    def clean_kana(self) -> str:
        value = self.cleaned_data["kana"]
        if self.latin_reading:
            return clean_kana_or_latin_value(value) if value.strip() else ""
        return clean_kana_value(value)

    def clean(self) -> dict:
        cleaned = super().clean()
        email, confirm = cleaned.get("email"), cleaned.get("email_confirm")
        if email and confirm and email.strip().lower() != confirm.strip().lower():
            self.add_error("email_confirm", _("確認用のメールアドレスが一致しません。"))
        if cleaned.get("joins_exchange") and cleaned.get("mode") != AttendanceMode.VENUE:
            self.add_error("joins_exchange", _("意見交換会は会場参加の方のみ参加できます。"))
        return cleaned


# Stand-ins the unbound form is rendered with once; each page puts in its own. Plain letters
# and underscores: HTML escaping leaves them as they are.
FORM_ACTION_PLACEHOLDER = "__registration_form_action__"
CSRF_TOKEN_PLACEHOLDER = "__registration_form_csrf_token__"


def registration_form_html(form: RegistrationForm, *, csrf_token: str) -> str:
    """The form as ``{% crispy form %}`` renders it.

    The empty form, the page every registrant opens first, is rendered once per process, set
    of modes and language, and each page then puts in its own action and CSRF token:
    crispy-forms' templates cost two thirds of that page's CPU time (benchmarks/README.md).
    The empty form depends on the seminar only through its modes, which of them have a
    capacity (RegistrationForm.__init__) and which are full (show_seats).
    A form with data or errors is rendered as usual.
    """
    # Only the case the view has: an empty form posting to a path (crispy-forms resolves a URL
    # name and leaves out an empty action) on a page with a CSRF token.
    cacheable = not (form.is_bound or form.initial or form.prefix) and form.form_action.startswith("/")
    if not cacheable or not csrf_token or csrf_token == "NOTPROVIDED":
        return render_crispy_form(form, context={"csrf_token": csrf_token})
    seminar = form.seminar
    key = (
        "empty form",
        tuple(seminar.modes),
        tuple(seminar.limited_modes),
        tuple(sorted(form.full_modes)),
        get_language(),
    )
    html = REGISTRATION_FORM_CACHE.get(key)
    if html is None:
        template = RegistrationForm(seminar=seminar, action=FORM_ACTION_PLACEHOLDER)
        template.show_seats(form.full_modes)
        html = str(render_crispy_form(template, context={"csrf_token": CSRF_TOKEN_PLACEHOLDER}))
        REGISTRATION_FORM_CACHE[key] = html
    html = html.replace(FORM_ACTION_PLACEHOLDER, escape(form.form_action), 1)
    return mark_safe(html.replace(CSRF_TOKEN_PLACEHOLDER, escape(csrf_token), 1))  # both values escaped


class ChangeModeForm(forms.Form):
    mode = forms.ChoiceField(label=_("参加方法"), choices=AttendanceMode.choices, widget=forms.RadioSelect)
    joins_exchange = forms.BooleanField(label=_("登壇者との意見交換会に参加する（会場参加者のみ）"), required=False)

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("joins_exchange") and cleaned.get("mode") != AttendanceMode.VENUE:
            self.add_error("joins_exchange", _("意見交換会は会場参加の方のみ参加できます。"))
        return cleaned


class ResendLinkForm(PortalFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("お申し込みに使ったメールアドレス"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


class RegistrationCorrectionForm(PortalFormMixin, forms.Form):
    """Staff correct a registrant's name or address (admin). The service keeps the rules."""

    name = forms.CharField(label=_("氏名"), max_length=100)
    kana = forms.CharField(label=_("ふりがな"), max_length=100, help_text=_("ひらがなで入力してください（カタカナも可）。"))
    email = forms.EmailField(
        label=_("メールアドレス"),
        max_length=254,
        help_text=_("変更すると、お申し込み内容のリンクと受付票を新しくし、新しいアドレスへ確認のメールを送ります。"),
    )
    affiliation = forms.CharField(label=_("所属"), max_length=200, required=False)

    def clean_name(self) -> str:
        return clean_name_value(self.cleaned_data["name"])

    def clean_kana(self) -> str:
        return clean_kana_value(self.cleaned_data["kana"])


class PhoneRegistrationForm(PortalFormMixin, forms.Form):
    """A registration taken by phone, entered by staff (admin). Seats: registration_create."""

    seminar = forms.ModelChoiceField(label=_("セミナー"), queryset=Seminar.objects.none())
    mode = forms.ChoiceField(label=_("参加方法"), choices=AttendanceMode.choices, widget=forms.RadioSelect)
    joins_exchange = forms.BooleanField(label=_("意見交換会に参加する（会場参加者のみ）"), required=False)
    when_full = forms.ChoiceField(
        label=_("満席の場合"), choices=WhenFull.choices, initial=WhenFull.NOTHING, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("氏名"), max_length=100)
    kana = forms.CharField(label=_("ふりがな"), max_length=100, help_text=_("ひらがなで入力してください（カタカナも可）。"))
    email = forms.EmailField(
        label=_("メールアドレス"), max_length=254, help_text=_("確認のメール（お申し込み内容のリンク）をここへ送ります。")
    )
    affiliation = forms.CharField(label=_("所属"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("区分"), choices=AttendeeCategory.choices)
    municipality = MunicipalityChoiceField(label=_("市区町村"), required=False, empty_label=_("（選択しない）"))
    accessibility_needs = forms.CharField(
        label=_("配慮が必要な事項"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent = forms.BooleanField(
        label=_("ご本人に個人情報の取扱い（利用目的）を説明し、同意を得た"),
        help_text=PURPOSE_OF_USE,
        error_messages={"required": _("ご本人の同意を得てから登録してください。")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Every seminar, open or not: the service says why a closed one is refused.
        self.fields["seminar"].queryset = Seminar.objects.order_by("-date", "-id")

    def clean_name(self) -> str:
        return clean_name_value(self.cleaned_data["name"])

    def clean_kana(self) -> str:
        return clean_kana_value(self.cleaned_data["kana"])

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("joins_exchange") and cleaned.get("mode") != AttendanceMode.VENUE:
            self.add_error("joins_exchange", _("意見交換会は会場参加の方のみ参加できます。"))
        return cleaned


class CheckinSearchForm(forms.Form):
    q = forms.CharField(
        label=_("氏名・ふりがな・受付番号で検索"),
        max_length=100,
        required=False,
        widget=forms.SearchInput(attrs={"autocomplete": "off", "autofocus": ""}),
    )


class SeminarMessageForm(PortalFormMixin, forms.Form):
    mode = forms.ChoiceField(label=_("宛先の参加方法"), choices=AttendanceMode.choices)
    include_waitlisted = forms.BooleanField(label=_("キャンセル待ちの方にも送る"), required=False)
    subject = forms.CharField(label=_("件名"), max_length=200)
    body = forms.CharField(label=_("本文"), widget=forms.Textarea(attrs={"rows": 10}))
