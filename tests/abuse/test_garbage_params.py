"""Guard (issue 12): no URL answers 500 to garbage in its query string or form fields. Every
URL of the project (from the resolver, as in tests/test_permission_matrix.py) is requested by
an administrator, a reviewer and a secretary with every field name the templates use set to
"²" — not a number for int(), yet "²".isdigit() is true — by GET and by POST with several
actions. A 400, 403, 404 or a form error is fine; a 500 is not."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.test_permission_matrix import ALL_EXPECTED, _no_pdf_layout, resolve_kwargs, scene, url_names, url_patterns  # noqa: F401

GARBAGE = "²"
ACTIONS = ["copy", "return", "submit", "speech"]  # "speech": the meeting console's posted speech id


def template_field_names():
    names = set()
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        names |= set(re.findall(r'name="([a-z_]+)', path.read_text(encoding="utf-8")))
    return sorted(names - {"viewport", "csrfmiddlewaretoken"}) + ["page", "id"]


@pytest.mark.django_db
def test_no_url_answers_500_to_garbage_fields(settings):
    settings.DEBUG = False
    w = scene()
    patterns = dict(url_patterns())
    fields = template_field_names()
    client = Client(raise_request_exception=False)
    failures = []
    for name in url_names():
        if name.startswith("static") or name == "logout":
            continue
        url = reverse(name, kwargs=resolve_kwargs(name, patterns[name], ALL_EXPECTED[name], w))
        for role in ["admin", "reviewer", "secretary_a"]:
            client.force_login(getattr(w, role))
            query = "&".join(f"{field}={GARBAGE}" for field in fields)
            if client.get(f"{url}?{query}").status_code >= 500:
                failures.append(f"GET {name} as {role}")
            for action in ACTIONS:
                data = {**{field: GARBAGE for field in fields}, "action": action}
                if client.post(url, data).status_code >= 500:
                    failures.append(f"POST {name} action={action} as {role}")
    assert not failures, "500 on garbage input:\n" + "\n".join(failures)
