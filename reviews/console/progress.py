"""Reads of the administrator's progress dashboard. Constant numbers of queries."""

from django.db.models import Case, CharField, Count, F, OuterRef, Q, Value, When
from django.utils import timezone

from branches.models import User
from reports.models import Report
from reviews.models import Assignment, Review
from reviews.selectors import subquery_count


class Progress:
    """Where one organization's report stands in the cycle."""

    NOT_STARTED = Report.Status.NOT_STARTED.value
    DRAFT = Report.Status.DRAFT.value
    SUBMITTED = Report.Status.SUBMITTED.value  # submitted, reviews not all in
    RETURNED = Report.Status.RETURNED.value
    REVIEWED = "reviewed"  # submitted and every assigned reviewer has submitted a review
    LABELS = {
        NOT_STARTED: "未开始",
        DRAFT: "撰写中",
        SUBMITTED: "已提交",
        RETURNED: "已退回修改",
        REVIEWED: "已评议",
    }
    LATE = "late"
    NOT_SUBMITTED = [NOT_STARTED, DRAFT, RETURNED]


# The table's sortable columns (branches.tables: ?sort=key ascending, ?sort=-key descending).
SORTS = {
    "organization": ["organization__order", "organization__name"],
    "secretary": ["organization__secretary__name", "organization__secretary__username"],
    "state": ["state", "organization__order"],
    "activity": ["updated_at"],
    "reviews": ["reviews_done", "reviews_assigned", "organization__order"],
}
DEFAULT_SORT = "organization"


def progress_reports(cycle):
    """The cycle's reports with organization and secretary, annotated with reviews_assigned,
    reviews_done (submitted reviews) and `state` (a Progress value)."""
    assigned = subquery_count(Assignment.objects.filter(report=OuterRef("pk")))
    done = subquery_count(Review.objects.filter(report=OuterRef("pk"), status=Review.Status.SUBMITTED))
    return (
        cycle.reports.select_related("organization", "organization__secretary")
        .annotate(reviews_assigned=assigned, reviews_done=done)
        .annotate(
            state=Case(
                When(
                    Q(status=Report.Status.SUBMITTED, reviews_assigned__gt=0, reviews_done__gte=F("reviews_assigned")),
                    then=Value(Progress.REVIEWED),
                ),
                default=F("status"),
                output_field=CharField(),
            )
        )
    )


def late_filter(cycle):
    """Q of the late reports: not submitted and past the submission deadline."""
    if timezone.now() <= cycle.submission_deadline:
        return Q(pk__in=[])
    return Q(status__in=Progress.NOT_SUBMITTED)


def progress_counts(cycle):
    """{state: count, "late": count, "total": count} in one aggregate query."""
    states = {state: Count("pk", filter=Q(state=state)) for state in Progress.LABELS}
    return progress_reports(cycle).order_by().aggregate(
        total=Count("pk"), late=Count("pk", filter=late_filter(cycle)), **states
    )


def progress_table(cycle, *, state=""):
    """The table's rows, filtered by a Progress state or "late" (unsorted: see SORTS)."""
    reports = progress_reports(cycle)
    if state == Progress.LATE:
        reports = reports.filter(late_filter(cycle))
    elif state in Progress.LABELS:
        reports = reports.filter(state=state)
    return reports


def is_late(report):
    return report.status in Progress.NOT_SUBMITTED and report.cycle.is_past_deadline


def late_reports(cycle):
    """Late reports whose organization has a secretary to remind."""
    return (
        cycle.reports.filter(late_filter(cycle))
        .filter(organization__secretary__isnull=False)
        .select_related("organization__secretary", "cycle")
    )


def reviewer_progress(cycle):
    """The cycle's reviewers with assigned (all assignments), reviewable (assignments of submitted
    reports) and done (submitted reviews) counts."""
    assignments = Assignment.objects.filter(report__cycle=cycle, reviewer=OuterRef("pk"))
    # pk__in, not Exists(): the subquery runs once, not once per user of the whole system (SQLite
    # took seconds at 2,000 organizations).
    return (
        User.objects.filter(pk__in=Assignment.objects.filter(report__cycle=cycle).values("reviewer"))
        .annotate(
            assigned=subquery_count(assignments, group_by="reviewer"),
            reviewable=subquery_count(assignments.filter(report__status=Report.Status.SUBMITTED), group_by="reviewer"),
            done=subquery_count(
                Review.objects.filter(report__cycle=cycle, reviewer=OuterRef("pk"), status=Review.Status.SUBMITTED),
                group_by="reviewer",
            ),
        )
        .order_by("username")
    )
