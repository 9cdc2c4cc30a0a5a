"""Login and password-reset limits across usernames (issue 12), counted in the shared cache:
spraying one password over many accounts from one address is stopped; password reset is
throttled per address and per account, and absent (404, no link) where no mail is configured."""

import pytest
from django.core import mail
from django.urls import reverse

from branches.throttles import Throttle
from tests.config.helpers import attempt_login
from tests.factories import PASSWORD, UserFactory

ADDRESS_LOCKED = "从您所在的网络地址登录失败的次数过多"


attempt = attempt_login


def test_spraying_one_password_over_many_usernames_locks_the_address(client, axes_on, settings, db):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 30
    users = [UserFactory(username=f"user{number}") for number in range(40)]
    for user in users[:30]:
        # One try per account: django-axes alone (5 per username and address) never locks.
        response = attempt(client, user.username, "Spring2026!")
        assert response.status_code == 200
    sprayed = attempt(client, users[30].username, "Spring2026!")
    assert sprayed.status_code == 429 and ADDRESS_LOCKED in sprayed.content.decode()
    assert "15 分钟" in sprayed.content.decode()
    # Even a right password from that address waits; no session is made.
    assert attempt(client, users[31].username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert attempt(client, users[31].username, PASSWORD, REMOTE_ADDR="192.0.2.80").status_code == 302


def test_the_address_limit_is_exact_and_counts_only_failures(client, settings, db):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    UserFactory(username="wang")
    for _ in range(2):
        attempt(client, "nobody", "x")
    assert attempt(client, "wang", PASSWORD).status_code == 302  # 2 failures: still allowed
    client.post(reverse("logout"))
    attempt(client, "nobody", "x")  # the third failure
    assert attempt(client, "wang", PASSWORD).status_code == 429


def test_behind_a_proxy_forged_forwarded_addresses_do_not_escape_the_address_limit(client, settings, db):
    settings.BEHIND_PROXY = True  # as DJANGO_BEHIND_PROXY=1 sets, with axes told the same
    settings.AXES_CLIENT_IP_CALLABLE = "config.proxy.client_ip"
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for number in range(3):
        attempt(client, f"user{number}", "x", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}, 203.0.113.7")
    assert attempt(client, "user9", "x", HTTP_X_FORWARDED_FOR="10.0.0.99, 203.0.113.7").status_code == 429
    assert attempt(client, "user9", "x", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_the_throttle_is_shared_through_the_cache(db, settings):
    from django.db import connection

    one = Throttle("t", limit=lambda: 2, window=60)
    other = Throttle("t", limit=lambda: 2, window=60)  # as in another worker: same cache
    one.hit("198.51.100.9")
    assert not other.exceeded("198.51.100.9")
    other.hit("198.51.100.9")
    assert one.exceeded("198.51.100.9") and not one.exceeded("198.51.100.10")
    # The stored key holds a digest, not the address.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {settings.CACHES['default']['LOCATION']}")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("throttle:t:" in key for key in keys) and not any("198.51.100" in key for key in keys)


# --- password reset ------------------------------------------------------------------------

RESET_URLS = [
    ("password_reset", []),
    ("password_reset_done", []),
    ("password_reset_confirm", ["MQ", "set-password"]),
    ("password_reset_complete", []),
]


@pytest.mark.parametrize(("name", "args"), RESET_URLS)
def test_password_reset_is_gone_without_mail(client, settings, db, name, args):
    settings.PASSWORD_RESET_ENABLED = False
    assert client.get(reverse(name, args=args)).status_code == 404
    assert client.post(reverse(name, args=args), {"email": "a@example.com"}).status_code == 404
    assert "忘记密码" not in client.get(reverse("login")).content.decode()


def test_password_reset_is_off_by_default_and_on_with_smtp(load_settings):
    assert load_settings().PASSWORD_RESET_ENABLED is False  # console backend: no mail goes out
    assert load_settings(DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend").PASSWORD_RESET_ENABLED is True
    assert load_settings(DJANGO_PASSWORD_RESET="0", DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend").PASSWORD_RESET_ENABLED is False
    assert load_settings(DJANGO_PASSWORD_RESET="1").PASSWORD_RESET_ENABLED is True


@pytest.fixture
def reset_on(settings):
    settings.PASSWORD_RESET_ENABLED = True
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 5
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 3


def request_reset(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def test_password_reset_with_mail_sends_and_the_login_page_links_it(client, reset_on, db):
    UserFactory(username="wang", email="wang@example.com")
    assert "忘记密码" in client.get(reverse("login")).content.decode()
    assert request_reset(client, "wang@example.com").status_code == 302
    assert len(mail.outbox) == 1


def test_password_reset_mails_one_account_at_most_3_times_an_hour_silently(client, reset_on, db):
    UserFactory(username="wang", email="wang@example.com")
    for number in range(5):
        response = request_reset(client, "Wang@example.com", REMOTE_ADDR=f"192.0.2.{number}")
        assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 3


def test_password_reset_from_one_address_is_throttled(client, reset_on, db):
    for number in range(5):
        assert request_reset(client, f"user{number}@example.com").status_code == 302
    throttled = request_reset(client, "user9@example.com")
    assert throttled.status_code == 429 and "重置密码的请求过于频繁" in throttled.content.decode()
    assert request_reset(client, "user9@example.com", REMOTE_ADDR="192.0.2.80").status_code == 302


def test_the_admin_sites_login_form_obeys_the_address_limit_too(client, axes_on, settings, db):
    """/admin/login/ authenticates as well: without the address limit it is a second door for
    spraying (and, with django-axes' lockout after the fifth failure, an oracle that tells a right
    password of any account apart from a wrong one)."""
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    UserFactory(username="root", is_superuser=True, is_staff=True)
    for number in range(3):
        attempt(client, f"user{number}", "Spring2026!")
    admin_login = client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD, "next": "/admin/"})
    assert admin_login.status_code == 429 and ADDRESS_LOCKED in admin_login.content.decode()
    assert "_auth_user_id" not in client.session
    # Failures at the admin's login count towards the same limit.
    other = {"REMOTE_ADDR": "192.0.2.81"}
    for number in range(3):
        client.post(reverse("admin:login"), {"username": f"user{number}", "password": "x"}, **other)
    assert attempt(client, "root", PASSWORD, **other).status_code == 429
    assert client.get(reverse("admin:login")).status_code == 200  # the form itself still shows
