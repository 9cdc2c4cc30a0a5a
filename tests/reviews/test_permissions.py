"""Each predicate of reviews.permissions on its own, for every kind of user (tests/user_kinds.py)."""

import pytest
from django.utils import timezone

from reports.models import Cycle, Report
from reviews.models import Assignment, Result
from reviews.permissions import (
    can_administer_cycle,
    can_be_assigned,
    can_download_feedback_letter,
    can_download_result,
    can_download_summary,
    can_review,
    can_see_result,
    is_conflicted,
    is_result_computed,
)
from tests.user_kinds import KINDS, LARGE_PK, lead_branch_a_with_large_pk, user_of_kind


@pytest.fixture
def scene(submitted):
    lead_branch_a_with_large_pk(submitted)
    return submitted


@pytest.mark.parametrize("kind", KINDS)
def test_is_conflicted_only_for_the_secretary_of_the_reviewed_organization(scene, kind):
    user = user_of_kind(scene, kind)
    assert is_conflicted(user, scene.report_a) == (kind in {"secretary", "conflicted"})
    # nobody of these kinds leads branch_b
    assert not is_conflicted(user, scene.report_b)


@pytest.mark.parametrize("kind", KINDS)
def test_can_review_only_an_assigned_committee_member_without_conflict(scene, kind):
    user = user_of_kind(scene, kind)
    assert can_review(user, scene.report_a) == (kind == "reviewer")


def test_can_review_needs_both_the_assignment_and_the_membership(scene):
    w = scene
    assert can_review(w.reviewer, w.report_b)
    Assignment.objects.filter(report=w.report_b, reviewer=w.reviewer).delete()
    assert not can_review(w.reviewer, w.report_b)  # still a committee member, no longer assigned
    assert can_review(w.reviewer, w.report_a)
    w.committee.committee_members.remove(w.reviewer)
    assert not can_review(w.reviewer, w.report_a)  # still assigned, no longer a committee member


def test_can_review_not_in_another_committees_cycle(scene):
    w = scene
    # assigned by hand to another committee's report, but not a member of that committee
    Assignment.objects.create(report=w.report_c, reviewer=w.reviewer)
    assert not can_review(w.reviewer, w.report_c)


@pytest.mark.parametrize("kind", KINDS)
def test_can_administer_cycle_administrators_of_the_reviewing_organization(scene, kind):
    user = user_of_kind(scene, kind)
    assert can_administer_cycle(user, scene.cycle) == (kind in {"admin", "superuser"})
    assert can_administer_cycle(user, scene.other_cycle) == (kind in {"other_admin", "superuser"})


@pytest.mark.parametrize("kind", KINDS)
def test_can_see_result_only_the_secretary_and_only_once_published(scene, kind):
    w = scene
    user = user_of_kind(w, kind)
    assert not can_see_result(user, w.report_a)
    Cycle.objects.filter(pk=w.cycle.pk).update(published_at=timezone.now())
    w.report_a.refresh_from_db()
    w.report_a.cycle.refresh_from_db()
    assert can_see_result(user_of_kind(w, kind), w.report_a) == (kind in {"secretary", "conflicted"})


@pytest.mark.parametrize("kind", KINDS)
def test_can_be_assigned_unless_already_assigned_or_conflicted(scene, kind):
    w = scene
    user = user_of_kind(w, kind)
    conflicted = kind in {"secretary", "conflicted"}
    assert can_be_assigned(user, w.report_a) == (not conflicted)
    assert not can_be_assigned(user, w.report_a, assigned_ids={user.pk})
    assert can_be_assigned(user, w.report_a, assigned_ids={LARGE_PK + 1}) == (not conflicted)
    # nobody of these kinds leads branch_b
    assert can_be_assigned(user, w.report_b)


def _fresh(report):
    return Report.objects.select_related("cycle").get(pk=report.pk)


def test_is_result_computed_needs_a_result_with_its_computation_time(scene):
    w = scene
    assert not is_result_computed(_fresh(w.report_a))  # no result at all
    Result.objects.create(report=w.report_a, routine_score=90)
    assert not is_result_computed(_fresh(w.report_a))  # a routine score only
    Result.objects.filter(report=w.report_a).update(computed_at=timezone.now())
    assert is_result_computed(_fresh(w.report_a))
    assert not is_result_computed(_fresh(w.report_b))


@pytest.mark.parametrize("kind", KINDS)
def test_can_download_result_administrators_once_computed_others_once_published(scene, kind):
    w = scene
    assert not can_download_result(user_of_kind(w, kind), _fresh(w.report_a))  # nothing computed
    Cycle.objects.filter(pk=w.cycle.pk).update(published_at=timezone.now())
    # Published but this report has no computed result: administrators still cannot print it.
    published_uncomputed = can_download_result(user_of_kind(w, kind), _fresh(w.report_a))
    assert published_uncomputed == (kind in {"secretary", "conflicted", "reviewer"})
    Cycle.objects.filter(pk=w.cycle.pk).update(published_at=None)
    Result.objects.create(report=w.report_a, computed_at=timezone.now())
    computed = can_download_result(user_of_kind(w, kind), _fresh(w.report_a))
    assert computed == (kind in {"admin", "superuser"})
    Cycle.objects.filter(pk=w.cycle.pk).update(published_at=timezone.now())
    published = can_download_result(user_of_kind(w, kind), _fresh(w.report_a))
    # The secretary (also the conflicted one) and the committee's members; never another subtree.
    assert published == (kind in {"admin", "superuser", "secretary", "conflicted", "reviewer"})


@pytest.mark.parametrize("kind", KINDS)
def test_can_download_summary_only_the_cycles_administrators(scene, kind):
    w = scene
    user = user_of_kind(w, kind)
    assert can_download_summary(user, w.cycle) == (kind in {"admin", "superuser"})
    assert can_download_summary(user, w.other_cycle) == (kind in {"other_admin", "superuser"})


@pytest.mark.parametrize("kind", KINDS)
def test_can_download_feedback_letter_administrators_and_the_secretary_once_published(scene, kind):
    w = scene
    assert not can_download_feedback_letter(user_of_kind(w, kind), _fresh(w.report_a))
    Cycle.objects.filter(pk=w.cycle.pk).update(published_at=timezone.now())
    published = can_download_feedback_letter(user_of_kind(w, kind), _fresh(w.report_a))
    # Not the committee's members (unlike the result sheet): the letter is addressed to the secretary.
    assert published == (kind in {"admin", "superuser", "secretary", "conflicted"})
    assert can_download_feedback_letter(user_of_kind(w, kind), _fresh(w.report_b)) == (kind in {"admin", "superuser"})
