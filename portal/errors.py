"""The base of every app's domain exception (RegistrationError, SummitError, ...).

A service raises its app's subclass when a business rule refuses a request; the view turns
it into a form error or ``messages.error``. Programming errors (a lock taken outside a
transaction, an unknown mail kind) are not DomainErrors: no view should show them to a person.
"""


class DomainError(Exception):
    """A rule refused the request. ``message`` is translated and safe to show the person.

    ``code`` lets a view tell refusals apart ("full", "expired", ...); each keyword in
    ``extra`` becomes an attribute, for a subclass that carries more (SummitError.full).
    """

    def __init__(self, message, *, code: str = "invalid", **extra: object) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        for name, value in extra.items():
            setattr(self, name, value)
