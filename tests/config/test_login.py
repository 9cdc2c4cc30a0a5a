"""Login throttling (django-axes) through the real login view, and password rules in Chinese."""

import pytest
from django.urls import reverse

from tests.config.helpers import attempt_login
from tests.factories import PASSWORD, UserFactory

LOCKED_OUT = "登录失败次数过多"


attempt = attempt_login


def test_five_failed_logins_lock_the_account_on_that_address(client, axes_on, db):
    UserFactory(username="wang")

    for _ in range(4):
        response = attempt(client, "wang", "wrong")
        assert response.status_code == 200
        assert "用户名或密码不正确，请检查后重新输入（区分大小写）。" in response.content.decode()
    locked = attempt(client, "wang", "wrong")

    assert locked.status_code == 429
    page = locked.content.decode()
    assert LOCKED_OUT in page
    assert "15 分钟" in page
    # Now even the right password is refused, and no session is created.
    after = attempt(client, "wang", PASSWORD)
    assert after.status_code == 429
    assert LOCKED_OUT in after.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_block_other_users_or_other_addresses(client, axes_on, db):
    UserFactory(username="wang")
    UserFactory(username="liu")
    for _ in range(5):
        attempt(client, "wang", "wrong")

    assert attempt(client, "liu", PASSWORD).status_code == 302
    assert attempt(client, "wang", PASSWORD, REMOTE_ADDR="192.0.2.44").status_code == 302


def test_behind_a_proxy_forged_forwarded_addresses_do_not_escape_the_lockout(client, axes_on, settings, db):
    settings.AXES_CLIENT_IP_CALLABLE = "config.proxy.client_ip"
    UserFactory(username="wang")
    for number in range(5):
        # The attacker varies the X-Forwarded-For it sends; the proxy appends the real address.
        attempt(client, "wang", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}, 203.0.113.7")

    assert attempt(client, "wang", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.0.99, 203.0.113.7").status_code == 429
    # Another real client behind the same proxy still logs in.
    assert attempt(client, "wang", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 302


def test_a_successful_login_before_the_limit_resets_the_count(client, axes_on, db):
    UserFactory(username="wang")
    for _ in range(4):
        attempt(client, "wang", "wrong")
    assert attempt(client, "wang", PASSWORD).status_code == 302
    client.post(reverse("logout"))

    for _ in range(4):
        assert attempt(client, "wang", "wrong").status_code == 200


@pytest.mark.parametrize(
    ("new_password", "messages"),
    [
        ("ab1cd", ["密码长度太短。密码必须包含至少 8 个字符。"]),
        ("73920584", ["密码不能全是数字。"]),
        ("12345678", ["这个密码太常见，容易被猜到，请换一个。", "密码不能全是数字。"]),
        ("13999999999a", ["密码与您的手机号太相似，请换一个。"]),
        ("chenshuji", ["密码与您的用户名太相似，请换一个。"]),
    ],
)
def test_password_change_rejects_weak_passwords_in_chinese(client, db, new_password, messages):
    user = UserFactory(username="chenshuji", phone="13999999999")
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"] == messages
    page = response.content.decode()
    for message in messages:
        assert message in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_accepts_a_strong_password(client, db):
    user = UserFactory(username="chen")
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Dangjian#2026", "new_password2": "Dangjian#2026"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Dangjian#2026")
