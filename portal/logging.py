"""Keep personal tokens out of the logs.

Links that act for a person carry a 43-character token in their path
(/seminars/r/<token>/). Django's request logger writes the path of every 404 and 500, and
an access log writes every path, so a log reader could otherwise take over a registration.
"""

import logging
import re

# portal.tokens makes 43 URL-safe characters; anything 32+ long in a path segment is redacted.
_TOKEN_IN_PATH = re.compile(r"(?<=/)[A-Za-z0-9_-]{32,}(?=/|$|\?|\s|\"|')")
REDACTED = "[token]"


def redact_tokens(text: str) -> str:
    return _TOKEN_IN_PATH.sub(REDACTED, text)


class RedactTokensFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg = redacted
            record.args = ()
        return True
