import re

import pytest
from crispy_forms.utils import render_crispy_form
from django.forms.boundfield import BoundField
from django.utils import translation

from municipalities.models import Municipality
from seminars.forms import RegistrationForm, registration_form_html
from tests.seminars.factories import make_municipality, make_seminar


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
