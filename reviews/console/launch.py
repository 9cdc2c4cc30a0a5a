"""Launching a year's review (启动): the cycle, its rubric, default assignments and pseudonyms."""


from django.db import transaction
from django.urls import reverse

from reports.services import cycle_create, cycle_open
from reviews.common import notify_secretaries
from reviews.console.reminders import deadline_label
from reviews.models import (
    DEFAULT_CRITERIA,
    DEFAULT_PROBLEM_CATEGORIES,
    Assignment,
    Criterion,
    ProblemCategory,
    ResultSettings,
)
from reviews.rubric_services import result_settings_update
from reviews.services import reviewer_pseudonyms_draw


def problem_categories_ensure_default():
    """Create the default problem categories if none exist yet."""
    if not ProblemCategory.objects.exists():
        ProblemCategory.objects.bulk_create(
            [ProblemCategory(name=name, order=index) for index, name in enumerate(DEFAULT_PROBLEM_CATEGORIES)]
        )


@transaction.atomic
def rubric_setup(*, cycle, copy_from=None):
    """Give a cycle its criteria and result settings: a copy of `copy_from`'s, or the defaults."""
    if copy_from is not None:
        criteria = [
            Criterion(cycle=cycle, name=c.name, description=c.description, max_points=c.max_points, order=c.order)
            for c in copy_from.criteria.all()
        ]
        settings = ResultSettings.objects.get(cycle=copy_from)
        settings.pk = None
        settings.id = None
        settings.cycle = cycle
        settings.save()
    else:
        criteria = [
            Criterion(cycle=cycle, name=name, max_points=points, description=description, order=index)
            for index, (name, points, description) in enumerate(DEFAULT_CRITERIA, start=1)  # users count from 1
        ]
        ResultSettings.objects.create(cycle=cycle)
    Criterion.objects.bulk_create(criteria)


@transaction.atomic
def assignments_create_default(*, cycle):
    """Every committee member of the reviewing organization reviews every report of the
    cycle, except the reports of organizations they lead (the conflict rule)."""
    members = list(cycle.organization.committee_members.all())
    existing = set(Assignment.objects.filter(report__cycle=cycle).values_list("report_id", "reviewer_id"))
    new = [
        Assignment(report=report, reviewer=member)
        for report in cycle.reports.select_related("organization")
        for member in members
        if report.organization.secretary_id != member.pk and (report.pk, member.pk) not in existing
    ]
    Assignment.objects.bulk_create(new)
    reviewer_pseudonyms_draw(cycle=cycle, reviewers=members)
    return len(new)


@transaction.atomic
def cycle_launch(
    *,
    organization,
    year,
    title,
    submission_deadline,
    by,
    participants=None,
    copy_rubric_from=None,
    review_deadline=None,
    meeting_date=None,
    weights=None,
):
    """Create and open a cycle in one step: rubric, result settings (`weights`: any of
    SETTINGS_FIELDS to set at once), reports and default assignments. All or nothing."""
    problem_categories_ensure_default()
    cycle = cycle_create(
        organization=organization,
        year=year,
        title=title,
        submission_deadline=submission_deadline,
        review_deadline=review_deadline,
        meeting_date=meeting_date,
        by=by,
    )
    rubric_setup(cycle=cycle, copy_from=copy_rubric_from)
    cycle_open(cycle=cycle, by=by, participants=participants)
    assignments_create_default(cycle=cycle)
    notify_secretaries(
        cycle,
        f"{cycle.organization}已启动《{cycle.title}》，请于{deadline_label(submission_deadline)}前撰写并提交述职报告。",
        reverse("reports:home"),
    )
    if weights:
        result_settings_update(settings=cycle.result_settings, data=weights, by=by)
    return cycle
