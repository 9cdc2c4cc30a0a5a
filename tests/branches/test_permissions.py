from branches.permissions import is_administrator, is_administrator_of, is_committee_member_of, is_secretary_of
from branches.selectors import organizations_administered_by
from branches.services import organization_move
from tests.factories import OrganizationFactory


def test_administrator_governs_own_subtree_only(world):
    assert is_administrator_of(world.admin, world.committee)
    assert is_administrator_of(world.admin, world.branch_a)
    assert not is_administrator_of(world.admin, world.branch_c)
    assert not is_administrator_of(world.other_admin, world.branch_a)
    assert is_administrator_of(world.superuser, world.branch_c)
    assert not is_administrator_of(world.secretary_a, world.branch_a)
    assert is_administrator(world.admin) and not is_administrator(world.reviewer)


def test_administered_organizations_selector(world):
    names = set(organizations_administered_by(world.admin).values_list("name", flat=True))
    assert names == {"测试街道党工委", "甲社区党支部", "乙社区党支部"}
    assert organizations_administered_by(world.secretary_a).count() == 0


def test_roles(world):
    assert is_secretary_of(world.secretary_a, world.branch_a)
    assert not is_secretary_of(world.secretary_b, world.branch_a)
    assert is_committee_member_of(world.reviewer, world.committee)
    assert not is_committee_member_of(world.other_reviewer, world.committee)


def test_move_rewrites_subtree_paths(world):
    group = OrganizationFactory(name="小组", parent=world.branch_a)
    organization_move(organization=world.branch_a, parent=world.other_committee)
    group.refresh_from_db()
    assert group.path.startswith(world.other_committee.path)
    assert is_administrator_of(world.other_admin, group)
    assert not is_administrator_of(world.admin, group)
