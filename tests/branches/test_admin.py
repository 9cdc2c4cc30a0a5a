"""Django's admin site is for superusers only (config/admin.py).

Subtree administrators used to reach it: there they could find the superuser (unattached users were
listed), set its password and log in as it (issue 12). They now get the admin's login page for
every admin URL, cannot log in there, and maintain their people on the app's pages (test_people*.py)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from branches.models import AuditEntry, Organization
from branches.services import administrator_grant, audit_record
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def legacy_staff_admin(world):
    """An administrator as the old grant made them: staff, with the model permissions of the admin site."""
    world.admin.is_staff = True
    world.admin.save(update_fields=["is_staff"])
    group = Group.objects.create(name="组织部门管理员")
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=["branches", "reports", "reviews"]))
    world.admin.groups.add(group)
    return world.admin


def _redirected_to_admin_login(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_administrator_grant_gives_no_staff_group_or_permission(world):
    person = UserFactory(username="new_admin")
    administrator_grant(organization=world.committee, user=person)
    person.refresh_from_db()
    assert world.committee.administrators.filter(pk=person.pk).exists()
    assert not person.is_staff and not person.is_superuser
    assert not person.groups.exists() and not person.user_permissions.exists()
    assert person.get_all_permissions() == set()


@pytest.mark.parametrize(
    "name, args",
    [
        ("admin:index", []),
        ("admin:branches_organization_changelist", []),
        ("admin:branches_user_changelist", []),
        ("admin:branches_user_change", ["superuser"]),
        ("admin:auth_user_password_change", ["superuser"]),
        ("admin:auth_user_password_change", ["secretary_a"]),
        ("admin:reviews_problemcategory_changelist", []),
        ("admin:reports_report_changelist", []),
    ],
)
def test_staff_administrator_gets_only_the_admin_login(world, client, legacy_staff_admin, name, args):
    client.force_login(legacy_staff_admin)
    url = reverse(name, args=[getattr(world, arg).pk for arg in args])
    response = client.get(url)
    assert _redirected_to_admin_login(response), (url, response.status_code)


def test_administrator_cannot_set_the_superusers_password_in_the_admin(world, client, legacy_staff_admin):
    client.force_login(legacy_staff_admin)
    url = reverse("admin:auth_user_password_change", args=[world.superuser.pk])
    response = client.post(url, {"password1": "Takeover-2026x", "password2": "Takeover-2026x"})
    assert _redirected_to_admin_login(response)
    world.superuser.refresh_from_db()
    assert not world.superuser.check_password("Takeover-2026x")
    assert world.superuser.check_password(PASSWORD)


def test_administrator_cannot_attach_another_subtrees_administrator_in_the_admin(world, client, legacy_staff_admin):
    client.force_login(legacy_staff_admin)
    url = reverse("admin:branches_organization_change", args=[world.branch_a.pk])
    response = client.post(url, {"name": "甲社区党支部", "kind": "branch", "parent": world.committee.pk, "order": 0,
                                 "secretary": world.other_admin.pk})
    assert _redirected_to_admin_login(response)
    world.branch_a.refresh_from_db()
    assert world.branch_a.secretary == world.secretary_a


def test_admin_login_refuses_a_non_superuser_even_with_staff_status(world, client, legacy_staff_admin):
    response = client.post(reverse("admin:login"), {"username": legacy_staff_admin.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "系统管理后台只供系统管理员" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_admits_the_superuser(world, client):
    response = client.post(reverse("admin:login"), {"username": world.superuser.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_secretary_has_no_admin(world, client):
    client.force_login(world.secretary_a)
    assert _redirected_to_admin_login(client.get(reverse("admin:index")))


def test_superuser_sees_everything(world, client):
    UserFactory(username="newcomer")
    client.force_login(world.superuser)
    content = client.get(reverse("admin:branches_organization_changelist")).content.decode()
    assert "丙社区党支部" in content and "甲社区党支部" in content
    content = client.get(reverse("admin:branches_user_changelist")).content.decode()
    assert "newcomer" in content and "secretary_c" in content
    page = client.get(reverse("admin:branches_user_change", args=[world.admin.pk])).content.decode()
    assert 'name="is_superuser"' in page


def test_superuser_creates_branch_with_path(world, client):
    client.force_login(world.superuser)
    response = client.post(
        reverse("admin:branches_organization_add"),
        {"name": "新建党支部", "kind": "branch", "parent": world.committee.pk, "order": 9},
    )
    assert response.status_code == 302
    created = world.committee.children.get(name="新建党支部")
    assert created.path == f"{world.committee.path}{created.pk}/"


def _organization_post(organization, **changes):
    data = {
        "name": organization.name,
        "kind": organization.kind,
        "parent": organization.parent_id or "",
        "order": organization.order,
        "secretary": organization.secretary_id or "",
        "committee_members": [m.pk for m in organization.committee_members.all()],
        "administrators": [a.pk for a in organization.administrators.all()],
    }
    data.update(changes)
    return data


def test_superuser_saves_the_root_committee(world, client):
    client.force_login(world.superuser)
    url = reverse("admin:branches_organization_change", args=[world.committee.pk])
    response = client.post(url, _organization_post(world.committee, name="测试街道党工委（改）"))
    assert response.status_code == 302
    world.committee.refresh_from_db()
    assert world.committee.name == "测试街道党工委（改）" and world.committee.parent is None


@pytest.mark.parametrize("new_parent", ["committee", "branch_a"])
def test_moving_an_organization_under_itself_is_a_form_error_not_a_crash(world, client, new_parent):
    client.force_login(world.superuser)
    url = reverse("admin:branches_organization_change", args=[world.committee.pk])
    response = client.post(url, _organization_post(world.committee, parent=getattr(world, new_parent).pk))
    assert response.status_code == 200
    assert "不能把党组织移动到它自己或它的下级之下" in response.content.decode()
    paths = dict(Organization.objects.values_list("pk", "path"))
    assert paths[world.committee.pk] == f"/{world.committee.pk}/"
    assert paths[world.branch_a.pk] == f"/{world.committee.pk}/{world.branch_a.pk}/"


def test_audit_entries_are_read_only(world, client):
    audit_record(organization=world.branch_c, actor=world.other_admin, action=AuditEntry.Action.SETTINGS_CHANGED,
                 summary="另一辖区的设置")
    client.force_login(world.superuser)
    content = client.get(reverse("admin:branches_auditentry_changelist")).content.decode()
    assert "另一辖区的设置" in content
    assert client.get(reverse("admin:branches_auditentry_add")).status_code == 403


def test_migration_revokes_the_old_staff_status_and_group(world, legacy_staff_admin):
    """Accounts made by the old grant lose staff status and the group; superusers keep theirs."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("branches.migrations.0003_admin_site_for_superusers_only")
    migration.revoke_admin_site_access(apps, None)
    legacy_staff_admin.refresh_from_db()
    world.superuser.refresh_from_db()
    assert not legacy_staff_admin.is_staff and not legacy_staff_admin.groups.exists()
    assert not Group.objects.filter(name="组织部门管理员").exists()
    assert world.superuser.is_staff and world.superuser.is_superuser
