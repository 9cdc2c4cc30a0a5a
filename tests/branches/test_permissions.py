import pytest

from branches.permissions import is_administrator, is_administrator_of, is_committee_member_of, is_secretary_of
from branches.selectors import organizations_administered_by
from branches.services import organization_move
from tests.factories import OrganizationFactory, UserFactory
from tests.user_kinds import KINDS, lead_branch_a_with_large_pk, user_of_kind


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


# ---------------------------------------------------------------- each predicate alone, every kind of user

# Which organizations each kind administers: its own subtree only; the superuser all.
ADMINISTERS = {
    "admin": {"committee", "branch_a", "branch_b"},
    "other_admin": {"other_committee", "branch_c"},
    "superuser": {"committee", "branch_a", "branch_b", "other_committee", "branch_c"},
}
ORGANIZATIONS = ("committee", "branch_a", "branch_b", "other_committee", "branch_c")


@pytest.fixture
def scene(world):
    lead_branch_a_with_large_pk(world)
    return world


@pytest.mark.parametrize("kind", KINDS)
def test_is_administrator_of_each_kind(scene, kind):
    user = user_of_kind(scene, kind)
    expected = ADMINISTERS.get(kind, set())
    assert {name for name in ORGANIZATIONS if is_administrator_of(user, getattr(scene, name))} == expected


@pytest.mark.parametrize("kind", KINDS)
def test_is_administrator_each_kind(scene, kind):
    assert is_administrator(user_of_kind(scene, kind)) == (kind in ADMINISTERS)


@pytest.mark.parametrize("kind", KINDS)
def test_is_secretary_of_each_kind(scene, kind):
    user = user_of_kind(scene, kind)
    assert is_secretary_of(user, scene.branch_a) == (kind in {"secretary", "conflicted"})
    assert not is_secretary_of(user, scene.branch_b)
    # the committee has no secretary: an anonymous user's pk (None) must not match it
    assert scene.committee.secretary_id is None
    assert not is_secretary_of(user, scene.committee)


@pytest.mark.parametrize("kind", KINDS)
def test_is_committee_member_of_each_kind(scene, kind):
    user = user_of_kind(scene, kind)
    assert is_committee_member_of(user, scene.committee) == (kind in {"reviewer", "conflicted"})
    assert not is_committee_member_of(user, scene.other_committee)


def test_administrator_of_a_branch_does_not_govern_its_parent_or_siblings(world):
    user = UserFactory(username="branch_admin")
    world.branch_a.administrators.add(user)
    assert is_administrator(user)
    assert is_administrator_of(user, world.branch_a)
    assert not is_administrator_of(user, world.committee)
    assert not is_administrator_of(user, world.branch_b)
