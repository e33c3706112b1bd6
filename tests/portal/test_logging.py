import logging

from portal.logging import RedactTokensFilter, redact_tokens
from portal.tokens import new_token


def test_redact_tokens_hides_a_registration_token_in_a_path():
    token = new_token()

    assert redact_tokens(f"Not Found: /seminars/r/{token}/") == "Not Found: /seminars/r/[token]/"


def test_redact_tokens_keeps_ordinary_paths():
    assert redact_tokens("Not Found: /municipalities/999999/") == "Not Found: /municipalities/999999/"


def test_filter_rewrites_the_formatted_record():
    token = new_token()
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/summits/a/{token}/",), None)

    assert RedactTokensFilter().filter(record) is True
    assert record.getMessage() == "Not Found: /summits/a/[token]/"


def test_redact_tokens_keeps_long_readable_slugs():
    assert redact_tokens("GET /seminars/national-seminar-2025-nagano/") == "GET /seminars/national-seminar-2025-nagano/"


def test_json_formatter_writes_one_object_per_line_without_tokens():
    import json

    from portal.logging import JsonFormatter

    token = new_token()
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/seminars/r/{token}/",), None)
    RedactTokensFilter().filter(record)

    line = JsonFormatter().format(record)

    entry = json.loads(line)
    assert "\n" not in line
    assert (entry["level"], entry["logger"], entry["message"]) == ("WARNING", "django.request", "Not Found: /seminars/r/[token]/")
