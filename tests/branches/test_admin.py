import pytest
from django.urls import reverse

from branches.models import AuditEntry
from branches.services import administrator_grant, audit_record
from tests.factories import UserFactory


@pytest.fixture
def staff_admin(world, client):
    administrator_grant(organization=world.committee, user=world.admin)
    client.force_login(world.admin)
    return client


def test_administrator_sees_only_own_subtree(world, staff_admin):
    page = staff_admin.get(reverse("admin:branches_organization_changelist"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "甲社区党支部" in content and "乙社区党支部" in content
    assert "丙社区党支部" not in content and "另一街道党工委" not in content


def test_administrator_cannot_open_other_subtree(world, staff_admin):
    url = reverse("admin:branches_organization_change", args=[world.branch_c.pk])
    response = staff_admin.get(url)
    assert response.status_code in (302, 404)
    assert "丙社区党支部" not in response.content.decode()


def test_administrator_creates_branch_with_path(world, staff_admin):
    response = staff_admin.post(
        reverse("admin:branches_organization_add"),
        {"name": "新建党支部", "kind": "branch", "parent": world.committee.pk, "order": 9},
    )
    assert response.status_code == 302
    created = world.committee.children.get(name="新建党支部")
    assert created.path == f"{world.committee.path}{created.pk}/"


def test_administrator_cannot_create_outside_subtree(world, staff_admin):
    response = staff_admin.post(
        reverse("admin:branches_organization_add"),
        {"name": "越权党支部", "kind": "branch", "parent": world.other_committee.pk, "order": 1},
    )
    assert response.status_code == 200  # form error, nothing created
    assert not world.other_committee.children.filter(name="越权党支部").exists()


def test_user_list_scoped_and_no_privilege_fields(world, staff_admin):
    content = staff_admin.get(reverse("admin:branches_user_changelist")).content.decode()
    assert "secretary_a" in content and "secretary_c" not in content
    page = staff_admin.get(reverse("admin:branches_user_change", args=[world.secretary_a.pk])).content.decode()
    assert 'name="is_superuser"' not in page


def test_audit_entries_are_read_only_and_scoped(world, staff_admin):
    audit_record(organization=world.branch_c, actor=world.other_admin, action=AuditEntry.Action.SETTINGS_CHANGED,
                 summary="另一辖区的设置")
    content = staff_admin.get(reverse("admin:branches_auditentry_changelist")).content.decode()
    assert "启动" in content  # the cycle opening of the own committee
    assert "另一辖区的设置" not in content
    assert staff_admin.get(reverse("admin:branches_auditentry_add")).status_code == 403


def test_non_staff_secretary_has_no_admin(world, client):
    client.force_login(world.secretary_a)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_superuser_sees_everything(world, client):
    client.force_login(world.superuser)
    content = client.get(reverse("admin:branches_organization_changelist")).content.decode()
    assert "丙社区党支部" in content and "甲社区党支部" in content


def test_unattached_user_visible(world, staff_admin):
    UserFactory(username="newcomer")
    assert "newcomer" in staff_admin.get(reverse("admin:branches_user_changelist")).content.decode()
