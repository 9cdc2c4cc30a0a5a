import pytest
from django.contrib.auth.models import AnonymousUser

from reports.models import Cycle
from reports.permissions import can_edit_report, can_return_report, can_view_report, is_report_reader
from tests.user_kinds import KINDS, lead_branch_a_with_large_pk, user_of_kind

from .conftest import ROLES, fill, submit

# Which roles may do what with report_a (of branch_a, reviewed by committee).
READERS = {"reviewer", "admin", "superuser"}


def user(world, role):
    return AnonymousUser() if role == "anonymous" else getattr(world, role)


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_can_edit_only_own_editable_report(world, role):
    assert can_edit_report(user(world, role), world.report_a) == (role == "secretary_a")


def test_can_edit_false_once_submitted_or_cycle_closed(submitted_world, world):
    assert not can_edit_report(world.secretary_a, submitted_world.report_a)
    Cycle.objects.filter(pk=world.cycle.pk).update(status=Cycle.Status.CLOSED)
    world.report_b.refresh_from_db()
    assert not can_edit_report(world.secretary_b, world.report_b)


def test_can_edit_again_when_returned(returned_world):
    assert can_edit_report(returned_world.secretary_a, returned_world.report_a)


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_draft_visible_only_to_secretary(world, role):
    fill(world.report_a, world.secretary_a)
    assert can_view_report(user(world, role), world.report_a) == (role == "secretary_a")


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_submitted_report_visible_to_secretary_and_readers(submitted_world, role):
    w = submitted_world
    assert can_view_report(user(w, role), w.report_a) == (role == "secretary_a" or role in READERS)


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_returned_report_still_visible_to_readers(returned_world, role):
    w = returned_world
    assert can_view_report(user(w, role), w.report_a) == (role == "secretary_a" or role in READERS)


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_can_return_submitted_report(submitted_world, role):
    w = submitted_world
    assert can_return_report(user(w, role), w.report_a) == (role in READERS)


def test_cannot_return_unsubmitted_or_closed(submitted_world):
    w = submitted_world
    assert not can_return_report(w.admin, w.report_b)  # not submitted
    Cycle.objects.filter(pk=w.cycle.pk).update(status=Cycle.Status.CLOSED)
    w.report_a.refresh_from_db()
    assert not can_return_report(w.admin, w.report_a)
    assert not can_return_report(w.reviewer, w.report_a)


def test_committee_member_who_is_the_secretary_is_just_the_secretary(submitted_world):
    w = submitted_world
    w.committee.committee_members.add(w.secretary_a)
    assert can_view_report(w.secretary_a, w.report_a)
    assert not is_report_reader(w.secretary_a, w.report_a)
    assert not can_return_report(w.secretary_a, w.report_a)
    # and as a committee member they read the other branch's report once submitted
    assert not can_view_report(w.secretary_a, w.report_b)
    submit(w.report_b, w.secretary_b)
    assert can_view_report(w.secretary_a, w.report_b) and can_return_report(w.secretary_a, w.report_b)


def test_administrator_who_leads_the_branch_cannot_return_own_report(submitted_world):
    w = submitted_world
    w.committee.administrators.add(w.secretary_a)
    assert not can_return_report(w.secretary_a, w.report_a)


def test_other_committee_readers_see_their_own_cycle(world):
    submit(world.report_c, world.secretary_c)
    assert can_view_report(world.other_reviewer, world.report_c)
    assert can_view_report(world.other_admin, world.report_c)
    assert not can_view_report(world.reviewer, world.report_c)
    assert not can_view_report(world.admin, world.report_c)


# ---------------------------------------------------------------- each predicate alone, every kind of user
# (tests/user_kinds.py: "conflicted" is the report's secretary who also sits on the reviewing committee)

KIND_READERS = {"reviewer", "admin", "superuser"}
KIND_SECRETARIES = {"secretary", "conflicted"}


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_on_a_draft(world, kind):
    lead_branch_a_with_large_pk(world)
    fill(world.report_a, world.secretary_a)
    user = user_of_kind(world, kind)
    assert can_edit_report(user, world.report_a) == (kind in KIND_SECRETARIES)
    assert can_view_report(user, world.report_a) == (kind in KIND_SECRETARIES)
    assert is_report_reader(user, world.report_a) == (kind in KIND_READERS)
    assert not can_return_report(user, world.report_a)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_on_a_submitted_report(world, kind):
    lead_branch_a_with_large_pk(world)
    submit(world.report_a, world.secretary_a)
    user = user_of_kind(world, kind)
    assert not can_edit_report(user, world.report_a)
    assert can_view_report(user, world.report_a) == (kind in KIND_SECRETARIES | KIND_READERS)
    assert is_report_reader(user, world.report_a) == (kind in KIND_READERS)
    assert can_return_report(user, world.report_a) == (kind in KIND_READERS)
