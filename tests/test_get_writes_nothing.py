"""Guard: a GET writes nothing. Every GET URL of the permission matrix (its URL list and its
scene), requested as every role, runs no INSERT, UPDATE or DELETE — the session's own rows
aside (logging in and out is not the page's doing)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.test_permission_matrix import ALL_EXPECTED, ROLES, resolve_kwargs, scene, url_patterns

WRITE = re.compile(r'^\s*(INSERT|UPDATE|DELETE|REPLACE)\b(?:\s+(?:INTO|FROM))?\s+"?(\w+)"?', re.IGNORECASE)
# Rows the request machinery owns, not the page: the session store.
ALLOWED_TABLES = {"django_session"}

GET_URLS = sorted(name for name, expect in ALL_EXPECTED.items() if expect.method == "GET")


def writes_of(queries):
    """(table, SQL) of every write among the captured queries, the allowed tables aside."""
    found = []
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and match.group(2) not in ALLOWED_TABLES:
            found.append((match.group(2), query["sql"][:160]))
    return found


def test_writes_of_recognises_writes_and_ignores_reads_and_sessions():
    queries = [
        {"sql": 'SELECT "reports_report"."id" FROM "reports_report"'},
        {"sql": 'UPDATE "reports_report" SET "revision" = 2 WHERE "id" = 1'},
        {"sql": 'INSERT INTO "branches_auditentry" ("actor_id") VALUES (1)'},
        {"sql": 'DELETE FROM "reviews_ballot" WHERE "id" = 1'},
        {"sql": 'UPDATE "django_session" SET "expire_date" = 1'},
    ]
    assert [table for table, _ in writes_of(queries)] == ["reports_report", "branches_auditentry", "reviews_ballot"]


@pytest.mark.django_db
def test_no_get_writes_anything(client):
    assert GET_URLS, "the permission matrix lists no GET URL"
    patterns = dict(url_patterns())
    w = scene()
    offences = []
    for name in GET_URLS:
        expect = ALL_EXPECTED[name]
        url = reverse(name, kwargs=resolve_kwargs(name, patterns[name], expect, w)) + expect.query
        for role in ROLES:
            user = None if role == "anonymous" else getattr(w, role)
            client.logout()
            if user is not None:
                client.force_login(user)  # writes last_login and the session, outside the capture
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            offences += [f"{name} as {role}: {table}: {sql}" for table, sql in writes_of(captured.captured_queries)]
    assert offences == []
