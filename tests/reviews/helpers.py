"""Scenes for the review tests, built through the real services."""

from decimal import Decimal

from reports.services import report_save_draft, report_submit
from reviews.services import assignment_add, review_save
from tests.factories import UserFactory


def submit_report(report, text="一、履职情况正文"):
    """Write and submit the report as its secretary; returns the new version."""
    secretary = report.organization.secretary
    report.refresh_from_db()
    report_save_draft(
        report=report,
        by=secretary,
        data={"performance": text, "problems": "二、存在问题正文", "plans": "三、下一步打算正文"},
        base_revision=report.revision,
    )
    return report_submit(report=report, by=secretary)


def scores_totalling(cycle, total):
    """{criterion id: points} for the cycle's rubric, summing to `total` (filled criterion by criterion)."""
    remaining = Decimal(total)
    scores = {}
    for criterion in cycle.criteria.all():
        points = min(criterion.max_points, remaining)
        scores[criterion.pk] = points
        remaining -= points
    assert remaining == 0, "total above the rubric's maximum"
    return scores


def submit_review(report, reviewer, total, comment="工作扎实，问题查摆较深刻。", **kwargs):
    return review_save(
        report=report,
        reviewer=reviewer,
        scores=scores_totalling(report.cycle, total),
        comment=comment,
        submit=True,
        **kwargs,
    )


def committee_with_reviewers(world, count):
    """[reviewer, and count - 1 new committee members], each assigned to report_a and report_b."""
    reviewers = [world.reviewer]
    for index in range(count - 1):
        user = UserFactory(username=f"member{index}")
        world.committee.committee_members.add(user)
        reviewers.append(user)
        for report in (world.report_a, world.report_b):
            assignment_add(report=report, reviewer=user, by=world.admin)
    return reviewers
