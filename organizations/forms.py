from collections.abc import Sequence

from crispy_forms.helper import FormHelper
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality, Prefecture
from municipalities.selectors import municipality_lookup
from portal.forms import PortalFormMixin

from .enums import AreaType, LegalForm, OrganizationSort
from .models import ActivityCategory, ListingRevision
from .search import MAX_QUERY_LENGTH, normalize

FILTER_LABELS = {
    "pref": _("都道府県"),
    "municipality": _("市区町村"),
    "activity": _("活動内容"),
    "legal_form": _("組織形態"),
    "area_type": _("活動範囲"),
    "sort": _("並び順"),
}


class LenientMultipleChoiceField(forms.MultipleChoiceField):
    """Keeps the known values of a repeated parameter instead of rejecting them all."""

    def validate(self, value):
        pass


class OrganizationSearchForm(forms.Form):
    """The directory's query string. Invalid values are dropped with a notice, never an error page.

    After ``is_valid()``, ``filters()`` gives the usable values and ``notices`` says what was
    ignored or shortened.
    """

    q = forms.CharField(label=_("キーワード"), required=False, strip=True, widget=forms.SearchInput)
    pref = forms.ChoiceField(label=_("都道府県"), required=False)
    municipality = forms.CharField(label=_("市区町村（名前またはコード）"), required=False)
    activity = LenientMultipleChoiceField(label=_("活動内容"), required=False, widget=forms.CheckboxSelectMultiple)
    legal_form = forms.ChoiceField(
        label=_("組織形態"), required=False, choices=[("", _("すべて")), *LegalForm.choices]
    )
    area_type = forms.ChoiceField(label=_("活動範囲"), required=False, choices=[("", _("すべて")), *AreaType.choices])
    sort = forms.ChoiceField(label=_("並び順"), required=False, choices=OrganizationSort.choices)

    def __init__(self, data, *, prefectures: Sequence[Prefecture], activities: Sequence[ActivityCategory]):
        super().__init__(data)
        self.prefectures = {p.code: p for p in prefectures}
        self.activity_categories = {a.slug: a for a in activities}
        self.fields["pref"].choices = [("", _("すべて")), *((p.code, p.local_name) for p in prefectures)]
        self.fields["activity"].choices = [(a.slug, a.name) for a in activities]
        self.notices: list[str] = []
        self.unknown_activities: list[str] = []
        self.query_shortened = False
        self.municipality_object: Municipality | None = None
        self.municipality_candidates: list[Municipality] = []

    def clean_q(self) -> str:
        query = normalize(self.cleaned_data["q"])
        if len(query) > MAX_QUERY_LENGTH:
            self.query_shortened = True
            self.notices.append(
                _("キーワードが長すぎるため、先頭の%(limit)d文字で検索しました。") % {"limit": MAX_QUERY_LENGTH}
            )
            query = query[:MAX_QUERY_LENGTH]
        return query

    def clean_activity(self) -> list[str]:
        chosen = [slug for slug in dict.fromkeys(self.cleaned_data["activity"])]
        known = [slug for slug in chosen if slug in self.activity_categories]
        self.unknown_activities = [slug for slug in chosen if slug not in self.activity_categories]
        if self.unknown_activities:
            self.notices.append(_("活動内容の指定に登録されていない値があるため、その値を条件から外しました。"))
        return known

    def clean_municipality(self) -> str:
        """A code or a name (「安芸高田市」「広島県府中市」「あきたかたし」); the code is kept.
        A name several municipalities share leaves the choice to the visitor (``municipality_candidates``)."""
        typed = self.cleaned_data["municipality"].strip()
        if not typed:
            return ""
        pref = self.data.get("pref") if self.data.get("pref") in self.prefectures else None
        found = municipality_lookup(text=typed, prefecture_code=pref, prefectures=list(self.prefectures.values()))
        if len(found) == 1:
            self.municipality_object = found[0]
            return found[0].code
        if found:
            self.municipality_candidates = found
            raise forms.ValidationError(
                _("「%(name)s」に当たる市区町村が%(count)d件あります。下の候補から選んでください。"),
                params={"name": typed[:20], "count": len(found)},
            )
        raise forms.ValidationError(_("「%(name)s」に当たる市区町村は見つかりません。"), params={"name": typed[:20]})

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "q": data.get("q", ""),
            "prefecture": self.prefectures.get(data.get("pref") or ""),
            "municipality": self.municipality_object if data.get("municipality") else None,
            "activities": [self.activity_categories[slug] for slug in data.get("activity", [])],
            "legal_form": data.get("legal_form", ""),
            "area_type": data.get("area_type", ""),
            "sort": data.get("sort") or OrganizationSort.MUNICIPALITY,
        }

    def selected(self) -> dict[str, list[str]]:
        data = self.cleaned_data
        return {
            "pref": [data["pref"]] if data.get("pref") else [],
            "activity": list(data.get("activity", [])),
            "legal_form": [data["legal_form"]] if data.get("legal_form") else [],
            "area_type": [data["area_type"]] if data.get("area_type") else [],
        }

    def current(self) -> dict:
        """The valid values, to show the form as submitted (invalid ones are shown cleared)."""
        data = self.cleaned_data
        return {
            "pref": data.get("pref", ""),
            "municipality": data.get("municipality", ""),
            # What the field shows: the chosen municipality's name, not its code.
            "municipality_label": self.municipality_object.full_name if self.municipality_object else "",
            "legal_form": data.get("legal_form", ""),
            "area_type": data.get("area_type", ""),
            "sort": data.get("sort") or OrganizationSort.MUNICIPALITY,
            "activity": list(data.get("activity", [])),
        }

    def query(self) -> QueryDict:
        """The search as a query string of its valid values only, each once, for the page's own
        links (facets, pages, downloads). Whatever else the address carried (repeated, unknown
        or invalid parameters) is not written back into every link of the page."""
        query = QueryDict(mutable=True)
        data = self.cleaned_data
        if data.get("q"):
            query["q"] = self.data.get("q", "").strip()[:MAX_QUERY_LENGTH]  # as typed, not normalized
        for name in ("pref", "municipality"):
            if data.get(name):
                query[name] = data[name]
        if data.get("activity"):
            query.setlist("activity", data["activity"])
        for name in ("legal_form", "area_type", "sort"):
            if data.get(name):
                query[name] = data[name]
        return query

    def export_refusals(self) -> list[str]:
        """Why an export address is refused (a 400), one reason per parameter, in Japanese.

        The list page drops what it cannot use and says so; a download cannot show a notice,
        and silently dropping a mistyped filter would hand over the whole registry instead.
        So every parameter that is unknown, repeated, invalid or shortened is a reason.
        """
        reasons = []
        for name in self.data:
            if name not in self.fields:
                reasons.append(
                    _("「%(name)s」は使えない条件です（使える条件：%(known)s）。")
                    % {"name": name[:30], "known": ", ".join(self.fields)}
                )
            elif name != "activity" and len(self.data.getlist(name)) > 1:
                reasons.append(_("%(label)sが複数指定されています。1つにしてください。") % {"label": self._label(name)})
        for name, errors in self.errors.items():
            reasons.append(_("%(label)s：%(error)s") % {"label": self._label(name), "error": errors[0]})
        if self.unknown_activities:
            reasons.append(
                _("活動内容：登録されていない値です（%(values)s）。")
                % {"values": "、".join(slug[:30] for slug in self.unknown_activities[:5])}
            )
        if self.query_shortened:
            reasons.append(_("キーワード：%(limit)d文字以内で指定してください。") % {"limit": MAX_QUERY_LENGTH})
        return reasons

    def _label(self, name: str) -> str:
        return str(FILTER_LABELS.get(name) or self.fields[name].label)

    def ignored_notices(self) -> list[str]:
        """One notice per ignored parameter, in Japanese, naming the parameter."""
        notices = list(self.notices)
        for name, errors in self.errors.items():
            label = FILTER_LABELS.get(name, name)
            if name == "municipality":
                notices.append(_("%(label)s：%(error)s 条件から外しました。") % {"label": label, "error": errors[0]})
            else:
                notices.append(_("%(label)sの指定が正しくないため、条件から外しました。") % {"label": label})
        return notices


# ---------------------------------------------------------------- /manage/: listing proposals


class ListingRevisionForm(PortalFormMixin, forms.ModelForm):
    """The fields a municipality maintains. Validation only: services.listing_draft_save writes.

    The municipality accepts any existing code: whether the user may put a listing there is
    the service's rule (a refusal is a 403, not a form error that would reveal nothing else).
    Editors choose from a short list of their own; ministry staff type a code.
    """

    website = forms.URLField(label=_("ウェブサイト"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = ListingRevision
        fields = [
            "municipality", "name", "name_kana", "area_type", "legal_form", "organization_type", "founded_year",
            "member_types", "has_base", "base_is_public_facility", "activities", "funding_sources", "contact",
            "website", "description",
        ]  # fmt: skip
        widgets = {
            "member_types": forms.CheckboxSelectMultiple,
            "activities": forms.CheckboxSelectMultiple,
            "funding_sources": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 6}),
            "founded_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, municipality_choices: Sequence[Municipality] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("has_base", "base_is_public_facility"):
            widget = forms.NullBooleanSelect()
            widget.choices = [("unknown", _("未回答")), ("true", _("はい")), ("false", _("いいえ"))]
            self.fields[name].widget = widget
        municipality = self.fields["municipality"]
        municipality.queryset = Municipality.objects.select_related("prefecture", "parent")
        if municipality_choices is not None:
            municipality.widget.choices = [(m.code, m.full_name) for m in municipality_choices]
        else:
            municipality.widget = forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 6, "autocomplete": "off"})
            municipality.help_text = _("6桁の全国地方公共団体コード（例：202011）。")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("base_is_public_facility") is not None and cleaned.get("has_base") is not True:
            self.add_error("base_is_public_facility", _("活動拠点が「はい」のときだけ選べます。"))
        return cleaned

    def service_values(self) -> dict:
        """cleaned_data as keyword arguments of services.listing_draft_save."""
        return dict(self.cleaned_data)


class ReviewForm(PortalFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("コメント"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("差し戻すときは、理由と直してほしい点を書いてください（編集者にメールで届きます）。"),
    )
