"""The administrator's pages for organizations and people (branches/people_views.py), through the client.

Every choice of a person offers only the people of the subtree; a foreign id in a POST is a form
error; a person outside the rule is a 404; the password reset confirms first and shows the
one-time password once."""

import re

import pytest
from django.urls import reverse

from branches.models import AuditEntry
from branches.services import administrator_grant
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def option_values(html, name):
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return {int(value) for value in re.findall(r'<option value="(\d+)"', select)}


def test_secretary_and_member_choices_are_the_subtree_people(admin_client, world):
    UserFactory(username="newcomer")
    world.branch_a.committee_members.add(world.superuser)  # even attached, a superuser is never offered
    html = admin_client.get(reverse("branches:organization", args=[world.branch_a.pk])).content.decode()
    subtree = {world.admin.pk, world.reviewer.pk, world.secretary_a.pk, world.secretary_b.pk}
    assert option_values(html, "secretary") == subtree
    assert option_values(html, "person") == subtree  # nobody is on branch_a's committee but the superuser


def test_choosing_another_subtrees_administrator_as_secretary_is_a_form_error(admin_client, world):
    url = reverse("branches:organization", args=[world.branch_a.pk])
    response = admin_client.post(url, {"name": "甲社区党支部", "order": 0, "secretary": world.other_admin.pk})
    assert response.status_code == 400
    assert "请从列表中" in response.content.decode()
    world.branch_a.refresh_from_db()
    assert world.branch_a.secretary == world.secretary_a
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ORGANIZATION_CHANGED).exists()


@pytest.mark.parametrize("person", ["superuser", "other_admin", "secretary_c", "newcomer"])
def test_adding_an_outsider_to_the_committee_is_a_form_error(admin_client, world, person):
    world.newcomer = UserFactory(username="newcomer")
    url = reverse("branches:organization_member_add", args=[world.branch_a.pk])
    response = admin_client.post(url, {"person": getattr(world, person).pk})
    assert response.status_code == 400
    assert not world.branch_a.committee_members.exists()


def test_the_issue_takeover_chain_is_closed(admin_client, world):
    """Attach the other subtree's administrator, then set their password: neither step works."""
    admin_client.post(reverse("branches:organization_member_add", args=[world.branch_a.pk]), {"person": world.other_admin.pk})
    assert not world.branch_a.committee_members.filter(pk=world.other_admin.pk).exists()
    world.branch_a.committee_members.add(world.other_admin)  # even if attached some other way
    url = reverse("branches:person_password", args=[world.other_admin.pk])
    assert admin_client.get(url).status_code == 404
    assert admin_client.post(url, {"reason": "接管"}).status_code == 404
    world.other_admin.refresh_from_db()
    assert world.other_admin.check_password(PASSWORD) and not world.other_admin.must_change_password


def test_organization_edit_rename_and_duplicate_name(admin_client, world):
    url = reverse("branches:organization", args=[world.branch_a.pk])
    response = admin_client.post(url, {"name": "乙社区党支部", "order": 1, "secretary": world.secretary_a.pk})
    assert response.status_code == 400
    assert "同一上级党组织下已有同名的党组织" in response.content.decode()
    assert 'value="乙社区党支部"' in response.content.decode()  # the user's input stays
    response = admin_client.post(url, {"name": "甲社区第一党支部", "order": 1, "secretary": world.secretary_b.pk})
    assert response.status_code == 302
    world.branch_a.refresh_from_db()
    assert (world.branch_a.name, world.branch_a.secretary) == ("甲社区第一党支部", world.secretary_b)


def test_member_add_and_remove(admin_client, world):
    admin_client.post(reverse("branches:organization_member_add", args=[world.committee.pk]), {"person": world.secretary_a.pk})
    assert world.committee.committee_members.filter(pk=world.secretary_a.pk).exists()
    url = reverse("branches:organization_member_remove", args=[world.committee.pk, world.reviewer.pk])
    assert admin_client.get(url).status_code == 405
    assert admin_client.post(url, {"reason": "调离"}).status_code == 302
    assert not world.committee.committee_members.filter(pk=world.reviewer.pk).exists()
    assert AuditEntry.objects.get(action=AuditEntry.Action.COMMITTEE_MEMBER_REMOVED).reason == "调离"
    # someone not on the committee: nothing to remove
    url = reverse("branches:organization_member_remove", args=[world.committee.pk, world.secretary_c.pk])
    assert admin_client.post(url).status_code == 404


def test_people_list_shows_the_subtree_and_offers_changes_only_within_the_rule(admin_client, world):
    UserFactory(username="newcomer")
    peer = UserFactory(username="peer")
    administrator_grant(organization=world.committee, user=peer)
    html = admin_client.get(reverse("branches:people")).content.decode()
    assert "secretary_a" in html and "peer" in html
    assert "secretary_c" not in html and "newcomer" not in html and ">root<" not in html
    assert reverse("branches:person", args=[world.secretary_a.pk]) in html
    assert reverse("branches:person", args=[peer.pk]) not in html
    assert reverse("branches:person", args=[world.admin.pk]) not in html
    html = admin_client.get(reverse("branches:people") + "?q=secretary_b").content.decode()
    assert "secretary_b" in html and "secretary_a" not in html


def test_people_list_query_count_does_not_grow_with_people(admin_client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse("branches:people")).status_code == 200
        return len(captured)

    few = count()
    for n in range(20):
        world.branch_a.committee_members.add(UserFactory(username=f"member{n}"))
    assert count() == few


def test_person_form_has_no_privilege_and_ignores_one_posted(admin_client, world):
    url = reverse("branches:person", args=[world.secretary_a.pk])
    html = admin_client.get(url).content.decode()
    for field in ("is_staff", "is_superuser", "groups", "user_permissions", "password", "username"):
        assert f'name="{field}"' not in html
    response = admin_client.post(url, {"name": "甲书记", "phone": "13900000001", "email": "", "is_active": "on",
                                       "is_staff": "on", "is_superuser": "on", "username": "root"})
    assert response.status_code == 302
    world.secretary_a.refresh_from_db()
    assert world.secretary_a.name == "甲书记" and world.secretary_a.username == "secretary_a"
    assert not world.secretary_a.is_staff and not world.secretary_a.is_superuser


def test_person_form_bad_phone_keeps_the_input(admin_client, world):
    url = reverse("branches:person", args=[world.secretary_a.pk])
    response = admin_client.post(url, {"name": "甲书记", "phone": "12345", "email": "", "is_active": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "手机号应为 11 位数字" in html and 'value="甲书记"' in html and 'value="12345"' in html
    world.secretary_a.refresh_from_db()
    assert world.secretary_a.name != "甲书记"


def test_password_reset_confirms_then_shows_the_password_once(admin_client, world, client):
    url = reverse("branches:person_password", args=[world.secretary_a.pk])
    page = admin_client.get(url)
    assert "原密码立即失效" in page.content.decode()
    world.secretary_a.refresh_from_db()
    assert world.secretary_a.check_password(PASSWORD)  # a GET changes nothing
    response = admin_client.post(url, {"reason": ""})
    assert response.status_code == 400 and "请填写重置原因" in response.content.decode()
    response = admin_client.post(url, {"reason": "本人遗失初始密码"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = re.search(r'id="one-time-password">([^<]+)<', response.content.decode()).group(1)
    world.secretary_a.refresh_from_db()
    assert world.secretary_a.check_password(password) and world.secretary_a.must_change_password
    # the person logs in with it and must set their own first
    client.logout()
    assert client.login(username="secretary_a", password=password)
    assert client.get(reverse("reports:home"))["Location"] == reverse("password_change")


def test_password_reset_ends_the_persons_sessions(admin_client, world):
    from django.test import Client

    victim = Client()
    victim.force_login(world.secretary_a)
    assert victim.get(reverse("reports:home")).status_code == 200
    admin_client.post(reverse("branches:person_password", args=[world.secretary_a.pk]), {"reason": "设备遗失"})
    assert victim.get(reverse("reports:home"))["Location"].startswith(reverse("login"))


def test_too_long_input_gets_a_chinese_message_and_stays(admin_client, world):
    name = "长" * 100 + "尾"
    response = admin_client.post(
        reverse("branches:organization", args=[world.branch_a.pk]), {"name": name, "order": 0, "secretary": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert name in html and "最多 100 个字，您输入了" in html
    reason = "因" * 300 + "尾"
    response = admin_client.post(reverse("branches:person_password", args=[world.secretary_a.pk]), {"reason": reason})
    assert response.status_code == 400
    html = response.content.decode()
    assert reason in html and "最多 300 个字，您输入了" in html
    world.secretary_a.refresh_from_db()
    assert world.secretary_a.check_password(PASSWORD)


def test_hostile_names_are_escaped(admin_client, world):
    world.secretary_a.name = "<script>alert(1)</script>"
    world.secretary_a.save()
    for url in (reverse("branches:people"), reverse("branches:organizations"),
                reverse("branches:organization", args=[world.branch_a.pk]),
                reverse("branches:person", args=[world.secretary_a.pk])):
        html = admin_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
