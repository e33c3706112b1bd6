import pytest

from seminars.forms import RegistrationForm
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
