"""/healthz (database and cache, JSON, 200/503, no login, no details) and request ids in the
response and in every log line, as JSON lines in production."""

import json
import logging

import pytest
from django.db import OperationalError
from django.test import Client

from config import health
from config.request_id import JsonFormatter, RequestIdFilter, request_id_set
from tests.config.test_ballot_logging import BARE, configured_handlers_output


@pytest.mark.django_db
def test_healthz_answers_ok_without_login():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-store" in response["Cache-Control"]
    assert Client().head("/healthz").status_code == 200
    assert Client().post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails_and_tells_no_details(monkeypatch, caplog):
    def broken():
        raise OperationalError('could not connect to server: Connection refused "db.internal" password=hunter2')

    monkeypatch.setitem(health.CHECKS, "database", broken)
    with caplog.at_level(logging.ERROR, logger="config.health"):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "error", "cache": "ok"}}
    assert b"db.internal" not in response.content and b"hunter2" not in response.content
    assert "Connection refused" in caplog.text  # the reason is in the log, for the operator


@pytest.mark.django_db
def test_healthz_is_503_when_the_shared_cache_is_unreachable(settings):
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}}
    response = Client().get("/healthz")
    assert response.status_code == 503 and response.json()["checks"] == {"database": "ok", "cache": "error"}


@pytest.mark.django_db
def test_healthz_is_not_redirected_to_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/accounts/login/").status_code == 301


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_a_proxys_plain_id_is_kept():
    first, second = Client().get("/accounts/login/"), Client().get("/accounts/login/")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]
    assert Client(headers={"X-Request-ID": "edge-42.a:b"}).get("/healthz")["X-Request-ID"] == "edge-42.a:b"
    # A trailing newline too: `$` would let it through, and a header value with a newline is a 500.
    for hostile in ["a" * 65, "x\ny", "<script>", "id with spaces", "edge-42\n", "edge-42\r\n"]:
        kept = Client(headers={"X-Request-ID": hostile}).get("/healthz")["X-Request-ID"]
        assert kept != hostile and len(kept) == 32


@pytest.mark.django_db
def test_log_lines_of_a_request_are_json_with_its_id_and_still_without_ballot_codes(settings):
    assert settings.LOG_FORMAT == "json"  # production settings (DEBUG off)
    with configured_handlers_output() as output:
        response = Client(headers={"X-Request-ID": "req-1"}).get(f"/vote/{BARE}/")
        Client(headers={"X-Request-ID": "req-2"}).get("/no-such-page/")
    # (pytest's own capture handlers write plain lines to the same stream)
    lines = [json.loads(line) for line in output.getvalue().splitlines() if line.startswith("{")]
    assert response.status_code == 404
    by_id = {line["request_id"]: line for line in lines}
    assert by_id["req-1"]["message"] == "Not Found: /vote/[code]/" and BARE not in output.getvalue()
    assert by_id["req-2"]["message"] == "Not Found: /no-such-page/"
    assert by_id["req-2"]["level"] == "WARNING" and by_id["req-2"]["logger"] == "django.request"
    # Once the response is finished, lines no longer name that request.
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "after", (), None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_outside_a_request_the_id_is_a_dash_and_jobs_name_themselves():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "工作 %s", ("完成",), None)
    RequestIdFilter().filter(record)
    assert json.loads(JsonFormatter().format(record))["request_id"] == "-"
    with request_id_set("job-7"):
        RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "job-7" and line["message"] == "工作 完成"


def test_text_format_under_debug(load_settings):
    settings = load_settings(DJANGO_DEBUG="1")
    assert settings.LOG_FORMAT == "text"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "text"
    assert load_settings(DJANGO_LOG_FORMAT="text").LOG_FORMAT == "text"
