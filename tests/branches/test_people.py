"""Who an administrator sees and changes (branches.selectors) and the people services (branches.people_services).

The rule (issue 12): an administrator sees the people attached to their subtree and changes only
those whose every role lies inside it — never a superuser, a staff account, an administrator of
another subtree or a peer administrator, an unattached user, or themselves — and can never grant
staff, superuser, groups or permissions."""

import inspect

import pytest
from django.core.exceptions import PermissionDenied

from branches import people_services
from branches.models import AuditEntry
from branches.people_services import (
    committee_member_add,
    committee_member_remove,
    organization_update,
    person_password_reset,
    person_update,
)
from branches.selectors import people_manageable_by, people_visible_to
from branches.services import administrator_grant
from tests.factories import PASSWORD, OrganizationFactory, UserFactory


def usernames(queryset):
    return set(queryset.values_list("username", flat=True))


def test_visible_people_are_those_attached_to_the_subtree_never_a_superuser(world):
    UserFactory(username="newcomer")  # attached nowhere
    world.committee.committee_members.add(world.superuser)  # a superuser sitting on the committee stays hidden
    assert usernames(people_visible_to(world.admin)) == {"orgadmin_t", "reviewer_t", "secretary_a", "secretary_b"}
    assert usernames(people_visible_to(world.other_admin)) == {"other_admin", "other_reviewer", "secretary_c"}


def test_nobody_but_administrators_sees_people(world):
    for user in (world.secretary_a, world.reviewer, world.other_reviewer):
        assert not people_visible_to(user).exists()
        assert not people_manageable_by(user).exists()


def test_manageable_people_hold_every_role_inside_the_subtree(world):
    assert usernames(people_manageable_by(world.admin)) == {"reviewer_t", "secretary_a", "secretary_b"}
    # attached to one's own branch by the other subtree (or by anyone): visible, never manageable
    world.branch_a.committee_members.add(world.other_admin)
    straddler = UserFactory(username="straddler")
    world.branch_b.committee_members.add(straddler)
    world.branch_c.committee_members.add(straddler)
    peer = UserFactory(username="peer")
    administrator_grant(organization=world.committee, user=peer)
    staff = UserFactory(username="staff_secretary", is_staff=True)
    OrganizationFactory(name="丁社区党支部", parent=world.committee, secretary=staff)
    below = UserFactory(username="branch_admin")
    administrator_grant(organization=world.branch_a, user=below)

    visible = usernames(people_visible_to(world.admin))
    assert {"other_admin", "straddler", "peer", "staff_secretary", "branch_admin"} <= visible
    assert usernames(people_manageable_by(world.admin)) == {"reviewer_t", "secretary_a", "secretary_b", "branch_admin"}
    # and the branch administrator may not manage the committee's administrator in return
    assert "orgadmin_t" not in usernames(people_manageable_by(below))


def test_the_superuser_manages_every_non_superuser_but_not_other_superusers(world):
    UserFactory(username="newcomer")
    UserFactory(username="root2", is_superuser=True, is_staff=True)
    manageable = usernames(people_manageable_by(world.superuser))
    assert {"newcomer", "other_admin", "orgadmin_t", "secretary_c"} <= manageable
    assert not {"root", "root2"} & manageable


def test_no_service_takes_a_privilege():
    """Privileges are set in the superuser-only admin site; no service here has a way to set one."""
    privileges = {"is_staff", "is_superuser", "groups", "user_permissions", "administrators"}
    for name, function in inspect.getmembers(people_services, inspect.isfunction):
        if function.__module__ == people_services.__name__ and not name.startswith("_"):
            parameters = inspect.signature(function).parameters
            assert not privileges & set(parameters), name
            assert all(p.kind == p.KEYWORD_ONLY for p in parameters.values()), name


# ---------------------------------------------------------------- password reset


def test_password_reset_gives_a_one_time_password_and_audits(world):
    password = person_password_reset(person=world.secretary_a, by=world.admin, reason="本人遗失初始密码")
    world.secretary_a.refresh_from_db()
    assert len(password) == 12 and world.secretary_a.check_password(password)
    assert not world.secretary_a.check_password(PASSWORD)
    assert world.secretary_a.must_change_password
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PASSWORD_RESET)
    assert (entry.organization, entry.actor, entry.reason) == (world.branch_a, world.admin, "本人遗失初始密码")
    assert entry.object_id == world.secretary_a.pk and password not in entry.summary + str(entry.changes)


@pytest.mark.parametrize("target", ["superuser", "other_admin", "secretary_c", "admin", "newcomer", "peer"])
def test_password_reset_refused_outside_the_rule(world, target):
    world.newcomer = UserFactory(username="newcomer")
    world.peer = UserFactory(username="peer")
    administrator_grant(organization=world.committee, user=world.peer)
    world.branch_a.committee_members.add(world.other_admin, world.superuser)
    person = getattr(world, target)
    with pytest.raises(PermissionDenied):
        person_password_reset(person=person, by=world.admin, reason="接管")
    person.refresh_from_db()
    assert person.check_password(PASSWORD) and not person.must_change_password
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.PASSWORD_RESET).exists()


def test_superuser_resets_another_subtrees_administrator(world):
    password = person_password_reset(person=world.other_admin, by=world.superuser, reason="交接")
    world.other_admin.refresh_from_db()
    assert world.other_admin.check_password(password)
    assert AuditEntry.objects.get(action=AuditEntry.Action.PASSWORD_RESET).organization == world.other_committee


# ---------------------------------------------------------------- person details


def test_person_update_records_what_changed(world):
    person_update(person=world.secretary_b, by=world.admin, name="乙书记", phone="13900000002", email="", is_active=False)
    world.secretary_b.refresh_from_db()
    assert (world.secretary_b.name, world.secretary_b.phone, world.secretary_b.is_active) == ("乙书记", "13900000002", False)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PERSON_CHANGED)
    assert entry.organization == world.branch_b and entry.actor == world.admin
    assert set(entry.changes) == {"姓名", "手机号", "可以登录"} and entry.changes["可以登录"] == [True, False]


def test_person_update_without_changes_writes_nothing(world):
    p = world.secretary_b
    person_update(person=p, by=world.admin, name=p.name, phone=p.phone, email=p.email, is_active=True)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.PERSON_CHANGED).exists()


def test_person_update_refused_for_a_superuser(world):
    world.committee.committee_members.add(world.superuser)
    with pytest.raises(PermissionDenied):
        person_update(person=world.superuser, by=world.admin, name="x", phone="", email="", is_active=False)
    world.superuser.refresh_from_db()
    assert world.superuser.is_active and world.superuser.name != "x"


# ---------------------------------------------------------------- organizations


def test_organization_update_changes_secretary_within_the_subtree(world):
    organization_update(organization=world.branch_a, by=world.admin, name="甲社区第一党支部", order=3, secretary=world.secretary_b)
    world.branch_a.refresh_from_db()
    assert (world.branch_a.name, world.branch_a.order, world.branch_a.secretary) == ("甲社区第一党支部", 3, world.secretary_b)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ORGANIZATION_CHANGED)
    assert entry.organization == world.branch_a and set(entry.changes) == {"名称", "排序", "书记"}


@pytest.mark.parametrize("secretary", ["other_admin", "superuser", "secretary_c", "newcomer"])
def test_organization_update_refuses_a_secretary_from_outside(world, secretary):
    world.newcomer = UserFactory(username="newcomer")
    with pytest.raises(PermissionDenied):
        organization_update(organization=world.branch_a, by=world.admin, name="甲社区党支部", order=0,
                            secretary=getattr(world, secretary))
    world.branch_a.refresh_from_db()
    assert world.branch_a.secretary == world.secretary_a


def test_organization_of_another_subtree_is_refused(world):
    with pytest.raises(PermissionDenied):
        organization_update(organization=world.branch_c, by=world.admin, name="改名", order=0, secretary=None)
    with pytest.raises(PermissionDenied):
        committee_member_add(organization=world.branch_c, person=world.secretary_a, by=world.admin)
    with pytest.raises(PermissionDenied):
        committee_member_remove(organization=world.other_committee, person=world.other_reviewer, by=world.admin)
    assert world.other_committee.committee_members.filter(pk=world.other_reviewer.pk).exists()


def test_committee_members_added_and_removed_with_audit(world):
    assert committee_member_add(organization=world.committee, person=world.secretary_a, by=world.admin)
    assert not committee_member_add(organization=world.committee, person=world.secretary_a, by=world.admin)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.COMMITTEE_MEMBER_ADDED).count() == 1
    assert committee_member_remove(organization=world.committee, person=world.reviewer, by=world.admin, reason="调离")
    assert usernames(world.committee.committee_members.all()) == {"secretary_a"}
    entry = AuditEntry.objects.get(action=AuditEntry.Action.COMMITTEE_MEMBER_REMOVED)
    assert entry.reason == "调离" and entry.organization == world.committee


@pytest.mark.parametrize("person", ["superuser", "other_admin", "newcomer"])
def test_committee_member_add_refuses_people_from_outside(world, person):
    world.newcomer = UserFactory(username="newcomer")
    with pytest.raises(PermissionDenied):
        committee_member_add(organization=world.branch_a, person=getattr(world, person), by=world.admin)
    assert not world.branch_a.committee_members.exists()


def test_a_removed_committee_member_no_longer_reviews(world):
    from reviews.permissions import can_review

    assert can_review(world.reviewer, world.report_a)  # assigned by default when the cycle opened
    committee_member_remove(organization=world.committee, person=world.reviewer, by=world.admin, reason="调离")
    assert not can_review(world.reviewer, world.report_a)
