"""Django's stock messages read like the rest of the app (您, 请…): locale/zh_Hans overrides them."""

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core import validators
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tests.factories import PASSWORD, UserFactory

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# The informal 你 and the stilted login message the issue quotes.
NOT_OUR_VOICE = re.compile(r"你|请输入一个正确的")


def catalog():
    """[(msgid, msgid_plural or None, msgstr)] of our .po file."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        fields = dict(re.findall(r'^(msgid|msgid_plural|msgstr|msgstr\[0\]) "(.*)"$', block, re.M))
        if fields.get("msgid"):
            entries.append((fields["msgid"], fields.get("msgid_plural"), fields.get("msgstr") or fields["msgstr[0]"]))
    return entries


def test_catalog_is_compiled_and_wins_over_djangos():
    entries = catalog()
    assert len(entries) >= 40
    with translation.override("zh-hans"):
        for msgid, plural, msgstr in entries:
            got = translation.ngettext(msgid, plural, 2) if plural else translation.gettext(msgid)
            assert got == msgstr, f"{msgid!r}: the .mo says {got!r} — run msgfmt (see the .po's header)"
            assert not NOT_OUR_VOICE.search(msgstr)


def stock_messages():
    """Every stock message a user of our forms can meet, as it reads in Chinese."""
    messages = []
    field_classes = [getattr(forms, name) for name in dir(forms.fields) if isinstance(getattr(forms, name, None), type)]
    for cls in field_classes:
        if issubclass(cls, forms.Field):
            for klass in cls.__mro__:
                messages += [str(m) for m in getattr(klass, "default_error_messages", {}).values()]
    for name in dir(validators):
        value = getattr(validators, name)
        if isinstance(value, type) and hasattr(value, "message"):
            messages.append(str(value.message))
    for form in (auth_forms.AuthenticationForm, auth_forms.PasswordChangeForm, auth_forms.SetPasswordForm):
        for klass in form.__mro__:
            messages += [str(m) for m in getattr(klass, "error_messages", {}).values()]
    for validator in password_validation.get_default_password_validators():
        messages.append(str(validator.get_help_text()))
    user = UserFactory.build(username="zhangsan", name="张三", phone="13999999999")
    for weak in ("12345678", "zhangsan1", "13999999999a", "ab1"):
        try:
            password_validation.validate_password(weak, user)
        except ValidationError as error:
            messages += error.messages
    return messages


@pytest.mark.django_db
def test_no_stock_message_says_ni():
    with translation.override("zh-hans"):
        messages = stock_messages()
    assert len(messages) > 60
    assert [m for m in messages if NOT_OUR_VOICE.search(m)] == []
    assert "请填写此项。" in messages and "您输入的原密码不正确，请重新输入。" in messages
    assert "您的密码必须包含至少 8 个字符。" in messages and "密码不能全是数字。" in messages


def test_wrong_login_reads_like_the_app(client, db):
    UserFactory(username="li_shuji")
    page = client.post(reverse("login"), {"username": "li_shuji", "password": "wrong"}).content.decode()
    assert "用户名或密码不正确，请检查后重新输入（区分大小写）。" in page
    assert not NOT_OUR_VOICE.search(page)


def test_password_change_page_and_its_errors_say_nin(client, db):
    user = UserFactory(username="chenshuji")
    client.force_login(user)
    page = client.get(reverse("password_change")).content.decode()
    assert "您的密码不能全是数字。" in page and not NOT_OUR_VOICE.search(page)
    response = client.post(
        reverse("password_change"), {"old_password": "wrong", "new_password1": "x", "new_password2": "y"}
    )
    page = response.content.decode()
    assert "您输入的原密码不正确，请重新输入。" in page
    assert "两次输入的新密码不一致，请重新输入。" in page
    assert not NOT_OUR_VOICE.search(page)
    response = client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": "", "new_password2": ""})
    assert "请填写此项。" in response.content.decode()
