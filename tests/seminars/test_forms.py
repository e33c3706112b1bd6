import re

import pytest
from crispy_forms.utils import render_crispy_form
from django.forms.boundfield import BoundField
from django.utils import translation

from municipalities.models import Municipality
from seminars.forms import RegistrationForm, registration_form_html
from tests.seminars.factories import make_municipality, make_seminar, seminar_with_seats_taken


@pytest.mark.django_db
def test_municipality_choices_are_read_once_per_process(django_assert_num_queries):
    make_municipality(code="202011", name="長野市")
    seminar = make_seminar()
    str(RegistrationForm(seminar=seminar)["municipality"])  # the first form reads the master

    with django_assert_num_queries(0):
        html = str(RegistrationForm(seminar=seminar)["municipality"])

    assert '<optgroup label="長野県">' in html
    assert '<option value="202011">長野市</option>' in html


# ---------------------------------------------------------------- what is rendered once per process


def django_select(form: RegistrationForm) -> str:
    """The municipality <select> as Django's own BoundField renders it, one option template each."""
    return BoundField(form, form.fields["municipality"], "municipality").as_widget()


def municipality_master() -> None:
    make_municipality("202011", "長野市")
    make_municipality("202029", "松本市")
    sapporo = make_municipality("011002", "札幌市")
    Municipality.objects.create(
        code="011011", prefecture=sapporo.prefecture, name="中央区", name_kana="ちゅうおうく", kind="ward", parent=sapporo
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "data"),
    [
        ("ja", None),
        ("ja", {"municipality": ""}),
        ("ja", {"municipality": "202029"}),
        ("ja", {"municipality": "011011"}),
        ("ja", {"municipality": '99999"<'}),  # unknown: an error, aria-invalid, nothing selected
        ("en", {"municipality": "202011"}),
    ],
)
def test_municipality_select_is_exactly_what_django_renders(language, data):
    municipality_master()
    seminar = make_seminar()

    with translation.override(language):
        forms = [RegistrationForm(data, seminar=seminar) for _ in range(3)]
        for form in forms:
            form.is_valid()
        expected = django_select(forms[0])
        rendered = [str(form["municipality"]) for form in forms]  # the first renders, the others reuse

    assert rendered == [expected] * 3


@pytest.mark.django_db
def test_municipality_select_marks_only_the_chosen_option():
    municipality_master()
    seminar = make_seminar()

    html = str(RegistrationForm({"municipality": "202029"}, seminar=seminar)["municipality"])

    assert re.findall(r"<option [^>]*selected[^>]*>[^<]*</option>", html) == ['<option value="202029" selected>松本市</option>']


@pytest.mark.django_db
def test_registration_form_validates_without_reading_the_municipality_master(django_assert_num_queries):
    seminar = make_seminar()
    data = {
        "name": "山田 花子",
        "kana": "やまだ はなこ",
        "email": "hanako@example.jp",
        "email_confirm": "hanako@example.jp",
        "category": "other",
        "municipality": "",
        "mode": "online",
        "when_full": "waitlist",
        "consent": "on",
    }

    with django_assert_num_queries(0):  # the choices are lazy: a POST never builds them
        form = RegistrationForm(data, seminar=seminar)
        valid = form.is_valid()

    assert valid is True
    assert form.cleaned_data["municipality"] is None


@pytest.mark.django_db
def test_empty_form_is_rendered_once_with_each_pages_action_and_token(django_assert_num_queries):
    municipality_master()
    seminar = make_seminar()
    action = "/seminars/x/register/?src=flyer&a=1"
    expected = render_crispy_form(RegistrationForm(seminar=seminar, action=action), context={"csrf_token": "token-one"})

    first = registration_form_html(RegistrationForm(seminar=seminar, action=action), csrf_token="token-one")
    with django_assert_num_queries(0):
        second = registration_form_html(RegistrationForm(seminar=seminar, action="/b/"), csrf_token="token-two")

    assert first == expected
    assert 'action="/seminars/x/register/?src=flyer&amp;a=1"' in first
    assert second == expected.replace("/seminars/x/register/?src=flyer&amp;a=1", "/b/").replace("token-one", "token-two")


@pytest.mark.django_db
def test_empty_form_html_differs_per_set_of_modes():
    hybrid, online_only = make_seminar(), make_seminar(has_venue=False)

    hybrid_html = registration_form_html(RegistrationForm(seminar=hybrid, action="/h/"), csrf_token="t")
    online_html = registration_form_html(RegistrationForm(seminar=online_only, action="/o/"), csrf_token="t")

    assert hybrid_html == render_crispy_form(RegistrationForm(seminar=hybrid, action="/h/"), context={"csrf_token": "t"})
    assert online_html == render_crispy_form(RegistrationForm(seminar=online_only, action="/o/"), context={"csrf_token": "t"})
    assert 'name="joins_exchange"' in hybrid_html
    assert 'name="joins_exchange"' not in online_html


@pytest.mark.django_db
def test_form_without_a_path_action_is_rendered_as_crispy_renders_it():
    seminar = make_seminar()

    html = registration_form_html(RegistrationForm(seminar=seminar), csrf_token="t")

    assert html == render_crispy_form(RegistrationForm(seminar=seminar), context={"csrf_token": "t"})
    assert "<form  novalidate" in html  # crispy-forms leaves out an empty action


@pytest.mark.django_db
def test_bound_form_is_rendered_as_crispy_renders_it():
    seminar = make_seminar()
    form = RegistrationForm({"municipality": "", "email": "a@example.jp", "email_confirm": "b@example.jp"}, seminar=seminar)
    form.is_valid()

    html = registration_form_html(form, csrf_token="t")

    assert html == render_crispy_form(form, context={"csrf_token": "t"})
    assert "確認用のメールアドレスが一致しません。" in html


# ---------------------------------------------------------------- what 満席の場合 offers


def when_full_question(seminar) -> tuple[str, list[str], str] | None:
    """(label, choice values, help text) of the question as the page shows it, None if absent."""
    form = RegistrationForm(seminar=seminar)
    form.show_seats(seminar.full_modes)
    field = form.fields.get("when_full")
    if field is None:
        return None
    return str(field.label), [value for value, _label in field.choices], str(field.help_text)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "taken", "expected"),
    [
        # Hybrid, nothing full: the three choices, online instead only for a venue that can fill.
        ({"venue_capacity": 5, "online_capacity": None}, (0, 0), ("満席の場合", ["waitlist", "online", "nothing"], "")),
        # The venue full, online has room: online instead is true.
        (
            {"venue_capacity": 1, "online_capacity": None},
            (1, 0),
            (
                "満席の場合",
                ["waitlist", "online", "nothing"],
                "会場参加は満席です。会場を選んだ場合の扱いを選んでください（オンライン参加には空きがあります）。",
            ),
        ),
        # Both full: the waiting list only, and the page says so.
        (
            {"venue_capacity": 1, "online_capacity": 1},
            (1, 1),
            ("お申し込みの扱い", ["waitlist"], "会場・オンラインとも満席です。お申し込みはキャンセル待ちとしてのみ受け付けます。"),
        ),
        # Online full, the venue has room: no online instead.
        (
            {"venue_capacity": 5, "online_capacity": 1},
            (1, 1),
            (
                "満席の場合",
                ["waitlist", "nothing"],
                "オンライン参加は満席です。オンラインを選んだ場合の扱いを選んでください（会場参加には空きがあります）。",
            ),
        ),
        # An unlimited venue never fills: no online instead, whatever online does.
        ({"venue_capacity": None, "online_capacity": 3}, (0, 0), ("満席の場合", ["waitlist", "nothing"], "")),
        # Nothing can fill up: no question at all.
        ({"venue_capacity": None, "online_capacity": None}, (4, 4), None),
        # One mode only.
        ({"venue_capacity": 2, "has_online": False}, (0, 0), ("満席の場合", ["waitlist", "nothing"], "")),
        (
            {"venue_capacity": 1, "has_online": False},
            (1, 0),
            ("お申し込みの扱い", ["waitlist"], "満席です。お申し込みはキャンセル待ちとしてのみ受け付けます。"),
        ),
        ({"has_venue": False, "online_capacity": 3}, (0, 0), ("満席の場合", ["waitlist", "nothing"], "")),
        (
            {"has_venue": False, "online_capacity": 1},
            (0, 1),
            ("お申し込みの扱い", ["waitlist"], "満席です。お申し込みはキャンセル待ちとしてのみ受け付けます。"),
        ),
        ({"has_venue": False, "online_capacity": None}, (0, 0), None),
        ({"venue_capacity": None, "has_online": False}, (0, 0), None),
    ],
)
def test_when_full_question_offers_only_what_the_seats_allow(fields, taken, expected):
    seminar = seminar_with_seats_taken(venue=taken[0], online=taken[1], **fields)

    assert when_full_question(seminar) == expected


@pytest.mark.django_db
def test_post_is_validated_without_counts_and_accepts_a_choice_the_page_no_longer_shows():
    """A page shown before the seats ran out may still send "online instead": the service decides."""
    seminar = make_seminar(venue_capacity=1, online_capacity=1)
    data = {
        "name": "山田 花子", "kana": "やまだ はなこ", "email": "h@example.jp", "email_confirm": "h@example.jp",
        "category": "other", "municipality": "", "mode": "venue", "when_full": "online", "consent": "on",
    }  # fmt: skip

    form = RegistrationForm(data, seminar=seminar)

    assert form.is_valid() is True
    assert form.cleaned_data["when_full"] == "online"


@pytest.mark.django_db
def test_empty_form_html_is_kept_per_seat_state():
    free = seminar_with_seats_taken(venue_capacity=1, online_capacity=1)
    full = seminar_with_seats_taken(venue=1, online=1, venue_capacity=1, online_capacity=1)
    forms = []
    for seminar in (free, full):
        form = RegistrationForm(seminar=seminar, action="/x/")
        form.show_seats(seminar.full_modes)
        forms.append(form)

    free_html, full_html = (registration_form_html(form, csrf_token="t") for form in forms)

    assert "オンライン参加に切り替える" in free_html
    assert "オンライン参加に切り替える" not in full_html
    assert 'value="キャンセル待ちに申し込む"' in full_html
    assert 'value="申し込む"' in free_html
