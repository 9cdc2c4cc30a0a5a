import datetime
from types import SimpleNamespace

from gunicorn.config import Config

from config.gunicorn_logging import RedactingLogger, redact


def test_redact_removes_ballot_codes_only():
    assert redact("GET /vote/ABCD-EFGH-JKLM-NPQR/ HTTP/1.1") == "GET /vote/[code]/ HTTP/1.1"
    assert redact("https://example.org/vote/ABCDEFGHJKLMNPQR/?x=1") == "https://example.org/vote/[code]/?x=1"
    assert redact("GET /vote/ HTTP/1.1") == "GET /vote/ HTTP/1.1"
    assert redact("GET /reports/12/ HTTP/1.1") == "GET /reports/12/ HTTP/1.1"


def test_access_log_atoms_carry_no_code():
    logger = RedactingLogger(Config())
    request = SimpleNamespace(
        method="GET", path="/vote/ABCD-EFGH-JKLM-NPQR/", query="", uri="/vote/ABCD-EFGH-JKLM-NPQR/",
        version=(1, 1), headers=[("REFERER", "http://127.0.0.1/vote/ABCD-EFGH-JKLM-NPQR/")],
    )
    response = SimpleNamespace(status="200 OK", sent=10, headers=[], response_length=10)
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": "/vote/ABCD-EFGH-JKLM-NPQR/", "PATH_INFO": "/vote/ABCD-EFGH-JKLM-NPQR/",
        "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "http://127.0.0.1/vote/ABCD-EFGH-JKLM-NPQR/",
    }
    atoms = logger.atoms(response, request, environ, datetime.timedelta(seconds=0.1))
    assert all("ABCD" not in str(value) for value in atoms.values())
    assert "/vote/[code]/" in atoms["r"]
