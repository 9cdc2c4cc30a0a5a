"""Reviewers hear of a report to review: reports.signals.report_submitted, received by the core."""

from django.urls import reverse

from branches.models import Notification
from reports.services import report_return
from reviews.services import assignment_remove
from tests.factories import UserFactory
from tests.reviews.helpers import submit_report


def notices(user):
    return list(Notification.objects.filter(user=user).values_list("text", "url"))


def test_submission_notifies_the_assigned_reviewer_with_a_link_to_the_review(world):
    submit_report(world.report_a)
    [(text, url)] = notices(world.reviewer)
    assert "甲社区党支部提交了" in text and "请您评议" in text
    assert url == reverse("reviews:review", args=[world.report_a.pk])
    # Nobody else: not the secretary, not the other committee's reviewer.
    assert notices(world.other_reviewer) == []
    assert not any("请您评议" in text for text, _ in notices(world.secretary_a))


def test_resubmission_says_the_review_must_follow_the_new_version(world):
    submit_report(world.report_a)
    report_return(report=world.report_a, by=world.admin, reason="数据不全")
    submit_report(world.report_a)
    texts = [text for text, _ in notices(world.reviewer)]
    assert len(texts) == 2
    assert any("重新提交了述职报告（第2版）" in text for text in texts)


def test_unassigned_and_conflicted_members_are_not_told(world):
    member = UserFactory(username="member_x")
    world.committee.committee_members.add(member)  # a member, but not assigned to report_a
    world.committee.committee_members.add(world.secretary_a)
    assignment = world.report_a.assignments.get(reviewer=world.reviewer)
    assignment_remove(assignment=assignment, by=world.admin)
    submit_report(world.report_a)
    assert notices(world.reviewer) == []
    assert notices(member) == []
    assert not any("请您评议" in text for text, _ in notices(world.secretary_a))


def test_a_double_submission_notifies_once(world):
    submit_report(world.report_a)
    from reports.services import report_submit

    report_submit(report=world.report_a, by=world.secretary_a)  # the second click
    assert len(notices(world.reviewer)) == 1
