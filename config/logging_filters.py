"""Ballot codes never reach a log.

A `/vote/<code>/` path in a log line, beside the address and time of the request, would tie
the voter who opened that code to it; with the database during voting, to a ballot. Django
logs the path of every 4xx/5xx response (`django.request`: "Not Found: /vote/…/") and
runserver every request (`django.server`); gunicorn's access log goes through the same
`redact` (config/gunicorn_logging.py).
"""

import logging
import re

BALLOT_CODE_IN_PATH = re.compile(r"(/vote/)[^/?\s\"']+")


def redact(text):
    """`text` with every ballot code in a /vote/ path replaced by "[code]"."""
    return BALLOT_CODE_IN_PATH.sub(r"\1[code]", text)


class RedactBallotCodes(logging.Filter):
    """Rewrites a record whose message names a ballot code; drops the request it carries
    (handlers such as AdminEmailHandler would print its path)."""

    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        request = getattr(record, "request", None)
        if request is not None and BALLOT_CODE_IN_PATH.search(str(getattr(request, "path", ""))):
            record.request = None
        return True
