"""Request ids: every request gets one (or keeps the one its proxy sent in X-Request-ID), the
response carries it back, and every log line written while it is handled names it — so one
request's lines can be found among many processes' logs. Background jobs log as "job-<id>".

Logs as JSON lines in production (settings.LOG_FORMAT), one object per line."""

import contextvars
import json
import logging
import re
import uuid
from contextlib import contextmanager

from django.core.signals import request_finished

HEADER = "X-Request-ID"
# A proxy's id is kept only if it is short and plain: it is written into every log line.
ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # fullmatch: `$` would let a trailing newline through

current = contextvars.ContextVar("request_id", default="-")


@contextmanager
def request_id_set(value):
    token = current.set(value)
    try:
        yield value
    finally:
        current.reset(token)


class RequestIdMiddleware:
    """Set for the whole request, not only inside the middleware chain: Django logs a 4xx/5xx
    response ("Not Found: …") after the chain returns. Cleared when the response is finished."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        value = incoming if ACCEPTED.fullmatch(incoming) else uuid.uuid4().hex
        current.set(value)
        request.request_id = value
        response = self.get_response(request)
        response.headers[HEADER] = value
        return response


def request_id_clear(**kwargs):
    current.set("-")


request_finished.connect(request_id_clear, dispatch_uid="config.request_id.clear")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (\"-\" outside a request or job)."""

    def filter(self, record):
        record.request_id = current.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, message (and the traceback)."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", current.get()),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
