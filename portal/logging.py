"""Keep personal tokens out of the logs.

Links that act for a person carry a 43-character token in their path
(/seminars/r/<token>/). Django's request logger writes the path of every 404 and 500, and
an access log writes every path, so a log reader could otherwise take over a registration.
"""

import json
import logging
import re

# The segment after /r/, /a/ or /checkin/ (the token routes: /seminars/r/<token>/), and any
# path segment shaped like portal.tokens.new_token(): 22+ URL-safe characters with both
# upper and lower case letters (which a readable slug such as seminar-2025-nagano lacks).
_TOKEN_ROUTE = re.compile(r"(?<=/(?:r|a)/)[^/\s]+(?=/)|(?<=/checkin/)[^/\s]+(?=/)")
_TOKEN_SHAPE = re.compile(r"(?<=/)(?=[^/\s]*[A-Z])(?=[^/\s]*[a-z])[A-Za-z0-9_-]{22,}(?=/|$|\?|\s|\"|')")
REDACTED = "[token]"


def redact_tokens(text: str) -> str:
    """Used by Django's log handlers (settings.LOGGING) and gunicorn's access log alike."""
    return _TOKEN_SHAPE.sub(REDACTED, _TOKEN_ROUTE.sub(REDACTED, text))


class RedactTokensFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg = redacted
            record.args = ()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line (time, level, logger, message, exception), for log collectors.

    The access log of gunicorn.conf.py writes the same shape, so both can go to one collector.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if record.exc_info:
            entry["exception"] = redact_tokens(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
