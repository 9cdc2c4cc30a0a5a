"""No log line names a ballot code: Django's request log (4xx responses on /vote/<code>/),
runserver's request log and gunicorn's error log all print /vote/[code]/ instead."""

import io
import logging
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.test import Client
from gunicorn.config import Config

from config.gunicorn_logging import RedactingLogger
from config.logging_filters import RedactBallotCodes

CODE = "ABCD-EFGH-JKLM-NPQR"
BARE = "ABCDEFGHJKLMNPQR"


@contextmanager
def configured_handlers_output():
    """What the handlers configured by settings.LOGGING write, captured."""
    stream = io.StringIO()
    handlers = {h for name in ("", "django.server") for h in logging.getLogger(name).handlers if isinstance(h, logging.StreamHandler)}
    assert handlers, "settings.LOGGING configures a console handler"
    old = {handler: handler.setStream(stream) for handler in handlers}
    try:
        yield stream
    finally:
        for handler, previous in old.items():
            handler.setStream(previous)


@pytest.mark.django_db
@pytest.mark.parametrize("path", [f"/vote/{CODE}/", f"/vote/{BARE}/", "/vote/wrong-typed-code/"])
def test_a_4xx_on_a_voting_page_logs_no_code(path, caplog):
    cache.clear()  # the shared wrong-code counter
    with configured_handlers_output() as output, caplog.at_level(logging.WARNING):
        response = Client(REMOTE_ADDR="10.1.2.3").get(path)
    assert response.status_code == 404
    logged = output.getvalue() + caplog.text
    assert "Not Found: /vote/[code]/" in logged  # logged, but without the code
    assert CODE not in logged and BARE not in logged and "wrong-typed-code" not in logged
    assert all(getattr(record, "request", None) is None for record in caplog.records if record.name == "django.request")


def test_runserver_request_log_carries_no_code():
    with configured_handlers_output() as output:
        logging.getLogger("django.server").warning('"GET /vote/%s/ HTTP/1.1" 404 1234', BARE)
    assert "/vote/[code]/" in output.getvalue()
    assert BARE not in output.getvalue()


def test_other_paths_are_logged_unchanged():
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/reports/12/",), None)
    assert RedactBallotCodes().filter(record)
    assert record.getMessage() == "Not Found: /reports/12/"


def test_gunicorn_error_log_carries_no_code():
    logger = RedactingLogger(Config())
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.error_log.addHandler(handler)
    try:
        logger.error("Error handling request %s", f"/vote/{BARE}/")
    finally:
        logger.error_log.removeHandler(handler)
    assert "/vote/[code]/" in stream.getvalue() and BARE not in stream.getvalue()


def test_the_nginx_example_does_not_log_voting_paths():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    nginx = re.search(r"```nginx\n(.*?)```", readme, re.S).group(1)
    vote = re.search(r"location /vote/ \{(.*?)\n    \}", nginx, re.S)
    assert vote, "the example has a location for the voting pages"
    assert "access_log off;" in vote.group(1)
    assert "proxy_pass http://127.0.0.1:8000;" in vote.group(1)
    # The port-80 server only redirects; an http:// QR link (/vote/<code>/) must not be logged there either.
    plain = re.search(r"server \{ listen 80;(.*?)\}", nginx)
    assert plain and "access_log off;" in plain.group(1)
