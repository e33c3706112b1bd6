import re

import jaconv
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import EmptyResultSet
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality

from .enums import AttendanceMode, AttendeeCategory, WhenFull
from .models import Seminar

KANA_RE = re.compile(r"^[ぁ-ゖー・\s　]+$")

PURPOSE_OF_USE = _(
    "ご記入いただいた個人情報は、総務省 地域力創造グループ 地域振興室が本セミナーの運営"
    "（参加受付、参加方法・オンライン参加URL等のご連絡、当日の受付、参加者数の集計）にのみ利用し、"
    "法令に基づく場合を除き、ご本人の同意なく第三者に提供しません。"
    "集計結果は個人が特定できない形で公表することがあります。"
)


class MunicipalityChoiceField(forms.ModelChoiceField):
    """The 1,700-odd municipalities grouped by prefecture (<optgroup>), easier on a phone.

    Only the rendering is grouped; validation still looks the code up in the queryset. The
    grouped list is built once per process: reading and grouping 1,900 rows on every GET and
    POST of the registration form cost more than the whole registration (benchmarks/README.md).
    The master changes a few times a year (load_municipalities); app servers are restarted
    after it, as docs/deploy.md says.
    """

    @property
    def choices(self):
        return [("", self.empty_label), *_grouped_municipality_choices(self.queryset)]

    @choices.setter
    def choices(self, value) -> None:  # set by ModelChoiceField.__init__; the property above wins
        pass


# The grouped choices per queryset (its SQL), for the life of the process.
MUNICIPALITY_CHOICES_CACHE: dict[str, tuple] = {}


def _grouped_municipality_choices(queryset) -> tuple:
    try:
        key = str(queryset.query)
    except EmptyResultSet:  # a queryset.none(): nothing to offer
        return ()
    if key not in MUNICIPALITY_CHOICES_CACHE:
        groups: dict[str, list] = {}
        for municipality in queryset:
            # A ward is shown with its city: 「札幌市中央区」, not one of many 「中央区」.
            label = f"{municipality.parent.name}{municipality.name}" if municipality.parent_id else municipality.name
            groups.setdefault(municipality.prefecture.name, []).append((municipality.pk, label))
        MUNICIPALITY_CHOICES_CACHE[key] = tuple((name, tuple(items)) for name, items in groups.items())
    return MUNICIPALITY_CHOICES_CACHE[key]


class RegistrationForm(forms.Form):
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
        queryset=Municipality.objects.none(),
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
        self.fields["municipality"].queryset = Municipality.objects.select_related("prefecture", "parent").order_by("code")
        self.fields["mode"].choices = [(mode, AttendanceMode(mode).label) for mode in seminar.modes]
        if len(seminar.modes) == 1:
            self.fields["mode"].initial = seminar.modes[0]
        if not seminar.has_venue:
            del self.fields["joins_exchange"]
        if not seminar.has_online:
            self.fields["when_full"].choices = [c for c in WhenFull.choices if c[0] != WhenFull.ONLINE]
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Fieldset(_("お名前・ご連絡先"), "name", "kana", "email", "email_confirm"),
            Fieldset(_("ご所属"), "affiliation", "category", "municipality"),
            Fieldset(
                _("参加方法"),
                "mode",
                *(["joins_exchange"] if "joins_exchange" in self.fields else []),
                "when_full",
                "accessibility_needs",
            ),
            Fieldset(_("個人情報の取扱い"), "consent"),
            Submit("submit", _("申し込む"), css_class="btn btn-primary btn-lg w-100"),
        )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_kana(self) -> str:
        kana = jaconv.kata2hira(jaconv.h2z(self.cleaned_data["kana"].strip()))
        if not KANA_RE.match(kana):
            raise forms.ValidationError(_("ふりがなは、ひらがなまたはカタカナで入力してください。"))
        return " ".join(kana.replace("　", " ").split())

    def clean(self) -> dict:
        cleaned = super().clean()
        email, confirm = cleaned.get("email"), cleaned.get("email_confirm")
        if email and confirm and email.strip().lower() != confirm.strip().lower():
            self.add_error("email_confirm", _("確認用のメールアドレスが一致しません。"))
        if cleaned.get("joins_exchange") and cleaned.get("mode") != AttendanceMode.VENUE:
            self.add_error("joins_exchange", _("意見交換会は会場参加の方のみ参加できます。"))
        return cleaned


class ChangeModeForm(forms.Form):
    mode = forms.ChoiceField(label=_("参加方法"), choices=AttendanceMode.choices, widget=forms.RadioSelect)
    joins_exchange = forms.BooleanField(label=_("登壇者との意見交換会に参加する（会場参加者のみ）"), required=False)

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("joins_exchange") and cleaned.get("mode") != AttendanceMode.VENUE:
            self.add_error("joins_exchange", _("意見交換会は会場参加の方のみ参加できます。"))
        return cleaned


class CheckinSearchForm(forms.Form):
    q = forms.CharField(
        label=_("氏名・ふりがなで検索"),
        max_length=100,
        required=False,
        widget=forms.SearchInput(attrs={"autocomplete": "off", "autofocus": ""}),
    )


class SeminarMessageForm(forms.Form):
    mode = forms.ChoiceField(label=_("宛先の参加方法"), choices=AttendanceMode.choices)
    include_waitlisted = forms.BooleanField(label=_("キャンセル待ちの方にも送る"), required=False)
    subject = forms.CharField(label=_("件名"), max_length=200)
    body = forms.CharField(label=_("本文"), widget=forms.Textarea(attrs={"rows": 10}))
