import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.services import AccountError
from municipalities.services import MunicipalityLoadError
from organizations.services import OrganizationError
from portal.capacity import LockOutsideTransactionError
from portal.errors import DomainError
from seminars.services import RegistrationError
from summits.services import FullSeat, SummitError

APP_ERRORS = [AccountError, MunicipalityLoadError, OrganizationError, RegistrationError, SummitError]


def test_domain_error_defaults_to_code_invalid():
    error = DomainError("refused")

    assert (error.message, error.code, str(error)) == ("refused", "invalid", "refused")


def test_domain_error_sets_each_extra_keyword_as_an_attribute():
    error = DomainError("refused", code="full", seats=(1, 2), application=None)

    assert (error.code, error.seats, error.application) == ("full", (1, 2), None)


def test_domain_error_str_is_the_message_translated_when_raised():
    message = _("名称を入力してください。")
    with translation.override("en"):
        error = DomainError(message)

    assert error.message is message
    assert str(error) == "Enter a name."


@pytest.mark.parametrize("error_class", APP_ERRORS, ids=lambda cls: cls.__name__)
def test_app_error_is_caught_by_its_own_name_and_as_a_domain_error(error_class):
    with pytest.raises(error_class) as own:
        raise error_class("refused", code="expired")
    with pytest.raises(DomainError) as base:
        raise error_class("refused", code="expired")

    assert (own.value.code, str(own.value)) == ("expired", "refused")
    assert (base.value.code, str(base.value)) == ("expired", "refused")


def test_app_errors_do_not_catch_each_other():
    with pytest.raises(RegistrationError):
        try:
            raise RegistrationError("refused")
        except SummitError:
            pytest.fail("SummitError caught a RegistrationError")


def test_summit_error_without_seats_carries_no_full_and_no_application():
    error = SummitError("refused", code="consent")

    assert (error.full, error.application) == ((), None)


def test_summit_error_carries_its_full_seats():
    seat = FullSeat(field="track", item_id=7, left=0, wanted=2, message="full")

    error = SummitError("refused", code="full", full=(seat,))

    assert error.full == (seat,)


def test_lock_outside_transaction_is_a_programming_error_not_a_domain_error():
    assert issubclass(LockOutsideTransactionError, RuntimeError)
    assert not issubclass(LockOutsideTransactionError, DomainError)
