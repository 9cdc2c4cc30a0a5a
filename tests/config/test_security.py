"""Security headers on every page, secure cookies in production, HSTS, and no inline script anywhere."""

import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from config.proxy import client_ip
from tests.config.helpers import ROOT
from tests.factories import PASSWORD, UserFactory


def parameterless_paths(patterns=None, prefix="/"):
    """Every URL of the project that takes no argument (the others need objects)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if pattern.pattern.regex.groups:
            continue
        path = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from parameterless_paths(pattern.url_patterns, path)
        else:
            yield path


def csp_directives(response):
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_security_headers(response, where):
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"], where
    assert csp["script-src"] == ["'self'"], where  # no 'unsafe-inline', no 'unsafe-eval', no CDN
    assert csp["object-src"] == ["'none'"], where
    assert csp["frame-ancestors"] == ["'none'"], where
    assert response.headers["X-Frame-Options"] == "DENY", where
    assert response.headers["X-Content-Type-Options"] == "nosniff", where
    # The voters' pages send the origin only: their URL carries the ballot code.
    expected = "strict-origin" if where.split()[1].startswith("/vote/") else "same-origin"
    assert response.headers["Referrer-Policy"] == expected, where


def test_every_page_sends_security_headers_and_none_fails_for_any_role(world):
    paths = sorted(set(parameterless_paths()))
    assert {"/", "/accounts/login/", "/admin/"} <= set(paths)
    users = [None, world.secretary_a, world.reviewer, world.admin, world.superuser]
    server_errors = []
    for user in users:
        client = Client(raise_request_exception=False)
        if user:
            client.force_login(user)
        for path in [*paths, "/no-such-page/"]:
            response = client.get(path)
            where = f"GET {path} as {user or 'anonymous'}: {response.status_code}"
            assert_security_headers(response, where)
            if response.status_code >= 500:
                server_errors.append(where)
    assert server_errors == []


def test_csrf_failure_page_sends_security_headers(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert_security_headers(response, "CSRF failure")


def test_production_settings_make_cookies_secure_and_enable_hsts(load_settings):
    production = load_settings()

    assert production.DEBUG is False
    assert production.SESSION_COOKIE_SECURE is True
    assert production.SESSION_COOKIE_HTTPONLY is True
    assert production.CSRF_COOKIE_SECURE is True
    assert production.SECURE_SSL_REDIRECT is True
    assert production.SECURE_HSTS_SECONDS >= 365 * 24 * 3600
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert production.AXES_ENABLED is True
    assert "config.middleware.ContentSecurityPolicyMiddleware" in production.MIDDLEWARE


def test_plain_http_settings_of_make_serve_turn_the_https_features_off(load_settings):
    local = load_settings(DJANGO_SECURE_SSL="0")

    assert local.DEBUG is False
    assert local.SESSION_COOKIE_SECURE is False
    assert local.CSRF_COOKIE_SECURE is False
    assert local.SECURE_SSL_REDIRECT is False
    assert local.SECURE_HSTS_SECONDS == 0
    assert local.SESSION_COOKIE_HTTPONLY is True


def test_login_over_https_with_production_settings_sets_secure_httponly_cookies(load_settings, settings, client, db):
    production = load_settings()
    for name in [
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
    ]:
        setattr(settings, name, getattr(production, name))
    user = UserFactory(username="zhao")

    form = client.get(reverse("login"), secure=True)
    response = client.post(reverse("login"), {"username": "zhao", "password": PASSWORD}, secure=True)

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] is True
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"
    csrf_cookie = form.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf_cookie["secure"] is True
    assert form.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    # Plain http is redirected to https.
    insecure = client.get(reverse("login"))
    assert insecure.status_code == 301
    assert insecure.headers["Location"].startswith("https://")


def test_behind_a_proxy_the_client_address_is_the_one_the_proxy_appended(rf, load_settings):
    proxied = load_settings(DJANGO_BEHIND_PROXY="1")
    assert proxied.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert proxied.AXES_CLIENT_IP_CALLABLE == "config.proxy.client_ip"
    assert not hasattr(load_settings(), "AXES_CLIENT_IP_CALLABLE")

    # A client may send its own X-Forwarded-For; the proxy appends the real address last.
    forged = rf.get("/", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7", REMOTE_ADDR="172.18.0.1")
    direct = rf.get("/", REMOTE_ADDR="172.18.0.1")

    assert client_ip(forged) == "203.0.113.7"
    assert client_ip(direct) == "172.18.0.1"


# --- No inline script in any template ------------------------------------------------

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
SCRIPT_OPEN = re.compile(r"<script\b", re.IGNORECASE)
TAG = re.compile(r"<[a-zA-Z][^<>]*>")
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""=\s*["']?\s*javascript:""", re.IGNORECASE)


def inline_script_problems(source):
    """What in a template's source the CSP would block: inline <script> code, on*= handler
    attributes, javascript: URLs. <script src="..."></script> and {{ x|json_script:"id" }} are fine."""
    problems = []
    scripts = SCRIPT.findall(source)
    if len(scripts) != len(SCRIPT_OPEN.findall(source)):
        problems.append("a <script> tag without its </script>")
    for attributes, body in scripts:
        if "src=" not in attributes or body.strip():
            problems.append(f"inline script: <script{attributes}>{body.strip()[:60]}")
    for tag in TAG.findall(source):
        if EVENT_HANDLER.search(tag):
            problems.append(f"event handler attribute: {tag[:80]}")
        if JAVASCRIPT_URL.search(tag):
            problems.append(f"javascript: URL: {tag[:80]}")
    return problems


def project_templates():
    folders = [ROOT / "templates", *ROOT.glob("*/templates")]
    return sorted(path for folder in folders for path in folder.rglob("*.html"))


def test_no_template_has_inline_scripts_or_event_handlers():
    templates = project_templates()
    assert ROOT / "templates" / "base.html" in templates
    found = {
        str(path.relative_to(ROOT)): problems
        for path in templates
        if (problems := inline_script_problems(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "Move scripts to static/js/ and pass data with data-* or json_script."


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<script type="text/javascript">\n  var x = 1;\n</script>',
        '<script src="{% static \'js/a.js\' %}">init()</script>',
        '<script type="application/json">{"a": 1}</script>',
        '<button class="btn" onclick="save()">保存</button>',
        '<body\n  onload="start()">',
        "<form ONSUBMIT='return check()'>",
        '<a href="javascript:void(0)">x</a>',
        '<script src="{% static \'js/a.js\' %}">',
    ],
)
def test_inline_script_scanner_catches(source):
    assert inline_script_problems(source)


@pytest.mark.parametrize(
    "source",
    [
        '<script src="{% static \'js/editor.js\' %}"></script>',
        '<script defer src="/static/js/a.js"></script>',
        '{{ chart|json_script:"chart-data" }}',
        '<div data-bs-toggle="collapse" data-onsave="x" class="one">',
        '<input name="online" value="1"> <p>onclick= in text is not an attribute</p>',
    ],
)
def test_inline_script_scanner_allows(source):
    assert inline_script_problems(source) == []
