"""Each role's home as a to-do list (待办): the review rooms' part of reports:home.

reports.views.home sends reports.signals.home_todo; `home_todo_context` (connected in reviews.apps)
answers with what the reports app cannot know. Reads only, a constant number of queries whatever
the number of reports, cycles or questions (tests/reviews/console/test_home.py counts them):

- the secretary: unanswered questions per report, last years' published grades, the rectification
  lists to fill and items due;
- the reviewer: per running cycle, the reports still to review (and how many are done), and the
  answers to their questions;
- the administrator: per cycle still running (or with plans to approve), its stage on the
  stepper 准备→收集→评议→测评→结果→整改 with the next step, late and returned reports, plans
  awaiting approval, unanswered questions.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from reports.models import Cycle, Report
from reviews.models import (
    Evaluation,
    PublishedResult,
    Question,
    RectificationItem,
    RectificationPlan,
    Result,
    Review,
)
from reviews.rectification.selectors import DUE_SOON_DAYS, rectification_today
from reviews.selectors import cycles_administered_by, cycles_for_reviewer, latest_version, subquery_count

# The stages of a cycle as the administrator's stepper shows them.
STAGES = [
    ("preparing", "准备"),
    ("collecting", "收集"),
    ("reviewing", "评议"),
    ("voting", "测评"),
    ("results", "结果"),
    ("rectification", "整改"),
]
# The next step of each stage: (what to do, URL name of the page where it is done).
NEXT_STEPS = {
    "preparing": ("设置评价指标、结果设置和评议分工", "reviews:admin_cycle"),
    "collecting": ("跟踪报告提交，提醒逾期未提交的书记", "reviews:progress"),
    "reviewing": ("跟踪评议进度，设置并开始民主测评", "reviews:evaluation"),
    "voting": ("投票结束后结束测评", "reviews:evaluation"),
    "results": ("计算结果、调整等次并公布", "reviews:results"),
    "rectification": ("审核整改清单，跟踪整改台账", "reviews:rectification_ledger"),
}


@dataclass
class Step:
    key: str
    label: str
    state: str  # done / current / todo


def cycle_stage(cycle):
    """The stage of an administered cycle annotated by administered_cycles_todo. Published (or
    closed) results leave rectification; computed results or a closed vote, results; an open
    vote, voting; every report in (or the deadline past), reviewing; else collecting."""
    if cycle.status == Cycle.Status.PREPARING:
        return "preparing"
    if cycle.published_at is not None or cycle.status == Cycle.Status.CLOSED:
        return "rectification"
    if cycle.evaluation_status == Evaluation.Status.CLOSED or cycle.has_results:
        return "results"
    if cycle.evaluation_status == Evaluation.Status.OPEN:
        return "voting"
    if cycle.report_count and (cycle.submitted_count == cycle.report_count or cycle.submission_deadline < timezone.now()):
        return "reviewing"
    return "collecting"


def stage_steps(stage):
    keys = [key for key, _label in STAGES]
    position = keys.index(stage)
    return [
        Step(key, label, "done" if index < position else "current" if index == position else "todo")
        for index, (key, label) in enumerate(STAGES)
    ]


def administered_cycles_todo(user):
    """The administered cycles still running, or closed with plans awaiting approval, newest first,
    each annotated with its counts (one query) and given `stage`, `steps`, `next_step`, `next_url`."""
    now = timezone.now()
    reports = Report.objects.filter(cycle=OuterRef("pk"))
    not_submitted = [Report.Status.NOT_STARTED, Report.Status.DRAFT, Report.Status.RETURNED]
    cycles = (
        cycles_administered_by(user)
        .annotate(
            report_count=subquery_count(reports, group_by="cycle"),
            submitted_count=subquery_count(reports.filter(status=Report.Status.SUBMITTED), group_by="cycle"),
            returned_count=subquery_count(reports.filter(status=Report.Status.RETURNED), group_by="cycle"),
            late_count=subquery_count(
                reports.filter(status__in=not_submitted, cycle__submission_deadline__lt=now), group_by="cycle"
            ),
            plans_waiting=subquery_count(
                RectificationPlan.objects.filter(report__cycle=OuterRef("pk"), status=RectificationPlan.Status.SUBMITTED),
                group_by="report__cycle",
            ),
            unanswered_count=subquery_count(
                Question.objects.filter(report__cycle=OuterRef("pk"), answer=""), group_by="report__cycle"
            ),
            evaluation_status=Subquery(Evaluation.objects.filter(cycle=OuterRef("pk")).values("status")[:1]),
            has_results=Exists(Result.objects.filter(report__cycle=OuterRef("pk"), computed_at__isnull=False)),
        )
        .filter(~Q(status=Cycle.Status.CLOSED) | Q(plans_waiting__gt=0))
        .order_by("-year", "organization__name")
    )
    cycles = list(cycles)
    for cycle in cycles:
        cycle.stage = cycle_stage(cycle)
        cycle.steps = stage_steps(cycle.stage)
        cycle.next_step, url_name = NEXT_STEPS[cycle.stage]
        cycle.next_url = reverse(url_name, args=[cycle.pk])
    return cycles


def reviewer_cycles_todo(user):
    """The running cycles the user reviews in, with queue_count and done_count (as the queue counts
    them) and todo_count: submitted reports assigned to the user without their up-to-date submitted
    review (a report sent back waits for its secretary, not for the reviewer)."""
    reviewed = (
        Review.objects.filter(report=OuterRef("pk"), reviewer=user, status=Review.Status.SUBMITTED)
        .annotate(latest_version_id=latest_version(report_ref="report_id"))
        .filter(version_id=F("latest_version_id"))
    )
    waiting = (
        Report.objects.filter(cycle=OuterRef("pk"), assignments__reviewer=user, status=Report.Status.SUBMITTED)
        .exclude(organization__secretary=user)
        .exclude(Exists(reviewed))
    )
    return list(
        cycles_for_reviewer(user)
        .exclude(status=Cycle.Status.CLOSED)
        .annotate(todo_count=subquery_count(waiting, group_by="cycle"))
        .order_by("-year", "organization__name")
    )


def answered_questions(user, limit=5):
    """The latest answers to the user's questions in running cycles, and how many there are."""
    answered = (
        Question.objects.filter(asked_by=user, report__cycle__status__in=[Cycle.Status.COLLECTING, Cycle.Status.REVIEWING])
        .exclude(answer="")
        .select_related("report__organization")
        .order_by("-answered_at", "-pk")
    )
    latest = list(answered[: limit + 1])
    return latest[:limit], len(latest) > limit


def secretary_rectification_todo(user, today):
    """The user's organizations' problem lists to fill (or fix) and their items due within
    DUE_SOON_DAYS or overdue. Two queries."""
    plans = list(
        RectificationPlan.objects.filter(
            report__organization__secretary=user,
            status__in=[RectificationPlan.Status.DRAFTING, RectificationPlan.Status.RETURNED],
        )
        .select_related("report__cycle", "report__organization")
        .annotate(item_count=Count("items"))
        .order_by("-report__cycle__year", "report__organization__order")
    )
    due = (
        RectificationItem.objects.filter(
            plan__report__organization__secretary=user, plan__status=RectificationPlan.Status.APPROVED
        )
        .exclude(status=RectificationItem.Status.COMPLETED)
        .filter(deadline__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
        .select_related("plan__report__organization")
        .order_by("deadline", "pk")
    )
    items = list(due)
    for item in items:
        item.is_overdue = item.deadline < today
    return plans, items


def home_todo_context(*, user, reports, **kwargs):
    """Receiver of reports.signals.home_todo (see the module's docstring)."""
    report_ids = [report.pk for report in reports]
    context = {}
    if report_ids:
        context["unanswered_by_report"] = dict(
            Question.objects.filter(report_id__in=report_ids, answer="")
            .values("report_id")
            .annotate(n=Count("pk"))
            .values_list("report_id", "n")
        )
        # Last years' grades as their secretary was shown them: the publication in force.
        context["published_grades"] = dict(
            PublishedResult.objects.filter(report_id__in=report_ids, publication__withdrawn_at__isnull=True)
            .values_list("report_id", "sheet__grade_label")
        )
        plans, items = secretary_rectification_todo(user, rectification_today())
        context.update({"plans_to_fill": plans, "items_due": items})
    if user.committee_organizations.exists():
        answers, more = answered_questions(user)
        context.update({"reviewer_cycles": reviewer_cycles_todo(user), "answered_questions": answers, "more_answers": more})
    admin_cycles = administered_cycles_todo(user)
    if admin_cycles:
        context["admin_cycles"] = admin_cycles
    return context
