"""Reads of the review workflow. Every list is a constant number of queries."""

from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from branches.selectors import organizations_administered_by
from reports.models import Cycle, Report, ReportVersion
from reviews.models import (
    Assignment,
    Problem,
    Publication,
    PublishedResult,
    Question,
    ResultSettings,
    Review,
    ReviewChange,
    ReviewerPseudonym,
    Score,
)


class ReviewState:
    """A reviewer's progress on one report of the queue."""

    UNREVIEWED = "unreviewed"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    OUTDATED = "outdated"
    LABELS = {UNREVIEWED: "未评议", DRAFT: "草稿", SUBMITTED: "已评", OUTDATED: "报告已更新，请重新评议"}
    # Still to do: "save and go to the next unreviewed" goes to the first of these.
    TODO = (UNREVIEWED, DRAFT, OUTDATED)


def latest_version(field_name="pk", report_ref="pk"):
    """A subquery: the latest ReportVersion's `field_name` of the report at `report_ref`."""
    return Subquery(
        ReportVersion.objects.filter(report=OuterRef(report_ref)).order_by("-number").values(field_name)[:1]
    )


def subquery_count(queryset, group_by="report"):
    """A correlated COUNT subquery (no join, so several counts do not multiply each other)."""
    return Coalesce(
        Subquery(queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


# ---------------------------------------------------------------- cycles


def cycles_administered_by(user):
    """Cycles whose reviewing organization the user administers."""
    return Cycle.objects.filter(organization__in=organizations_administered_by(user)).select_related("organization")


def cycles_with_report_counts(user):
    """The user's administered cycles, newest first, each with `report_count` and `submitted_count`."""
    return (
        cycles_administered_by(user)
        .annotate(
            report_count=Count("reports", distinct=True),
            submitted_count=Count("reports", filter=Q(reports__status=Report.Status.SUBMITTED), distinct=True),
        )
        .order_by("-year", "organization_id")
    )


def cycle_report_counts(cycle):
    """{total, submitted, returned}: the cycle's reports by state, in one query."""
    return cycle.reports.aggregate(
        total=Count("pk"),
        submitted=Count("pk", filter=Q(status=Report.Status.SUBMITTED)),
        returned=Count("pk", filter=Q(status=Report.Status.RETURNED)),
    )


def administered_reports(user):
    """Reports of the cycles the user administers."""
    return Report.objects.filter(cycle__in=cycles_administered_by(user)).select_related(
        "cycle__organization", "organization__secretary"
    )


def cycles_for_reviewer(user):
    """Open or past cycles of the committees the user sits on, annotated with the user's
    progress as the queue counts it: queue_count (reports to review) and done_count
    (up-to-date submitted reviews)."""
    if not user.is_authenticated:
        return Cycle.objects.none()
    queue = (
        Report.objects.filter(cycle=OuterRef("pk"), assignments__reviewer=user)
        .filter(Exists(ReportVersion.objects.filter(report=OuterRef("pk"))))
        .exclude(organization__secretary=user)
    )
    done = (
        Review.objects.filter(report__cycle=OuterRef("pk"), reviewer=user, status=Review.Status.SUBMITTED)
        .annotate(latest_version_id=latest_version(report_ref="report_id"))
        .filter(version_id=F("latest_version_id"))
    )
    return (
        Cycle.objects.filter(organization__committee_members=user)
        .exclude(status=Cycle.Status.PREPARING)
        .select_related("organization")
        .annotate(
            queue_count=subquery_count(queue, group_by="cycle"),
            done_count=subquery_count(done, group_by="report__cycle"),
        )
    )


def rubric_is_locked(cycle):
    """The rubric is locked once anyone has given a score."""
    return Score.objects.filter(criterion__cycle=cycle).exists()


def rubric_max(cycle):
    return cycle.criteria.aggregate(total=Sum("max_points"))["total"] or Decimal(0)


# ---------------------------------------------------------------- reviewers


def review_queue(user, cycle):
    """The reports of `cycle` the user is assigned to and which have a submitted version.

    Each Report is annotated with: latest_version_id, latest_version_number,
    review_id / review_status / review_version_id / review_version_number (the user's
    own review, None if not started), `state` (ReviewState), and question_count (the
    user's questions). Ordered as the organizations are.
    """
    own = Review.objects.filter(report=OuterRef("pk"), reviewer=user)
    return (
        Report.objects.filter(cycle=cycle)
        .filter(Exists(Assignment.objects.filter(report=OuterRef("pk"), reviewer=user)))
        .filter(Exists(ReportVersion.objects.filter(report=OuterRef("pk"))))
        .exclude(organization__secretary=user)
        .select_related("organization", "organization__secretary")
        .annotate(
            latest_version_id=latest_version(),
            latest_version_number=latest_version("number"),
            review_id=Subquery(own.values("pk")[:1]),
            review_status=Subquery(own.values("status")[:1]),
            review_version_id=Subquery(own.values("version_id")[:1]),
            review_version_number=Subquery(own.values("version__number")[:1]),
            question_count=subquery_count(Question.objects.filter(report=OuterRef("pk"), asked_by=user)),
        )
        .annotate(
            state=Case(
                When(review_id__isnull=True, then=Value(ReviewState.UNREVIEWED)),
                When(review_status=Review.Status.DRAFT, then=Value(ReviewState.DRAFT)),
                When(review_version_id=F("latest_version_id"), then=Value(ReviewState.SUBMITTED)),
                default=Value(ReviewState.OUTDATED),
            )
        )
        .order_by("organization__order", "organization_id")
    )


# The reviewer's queue's sortable columns (branches.tables).
QUEUE_SORTS = {
    "organization": ["organization__order", "organization__name"],
    "secretary": ["organization__secretary__name", "organization__secretary__username"],
    "state": ["state", "organization__order"],
    "questions": ["question_count", "organization__order"],
}


def queue_filtered(queue, *, state="", search=""):
    """review_queue narrowed to a ReviewState (or "todo": every state still to do) and to a part
    of the organization's name."""
    if state == "todo":
        queue = queue.filter(state__in=ReviewState.TODO)
    elif state in ReviewState.LABELS:
        queue = queue.filter(state=state)
    if search:
        queue = queue.filter(organization__name__contains=search)
    return queue


def queue_counts(queue):
    """(done, total) of a review_queue queryset in one aggregate query."""
    counts = queue.order_by().aggregate(total=Count("pk"), done=Count("pk", filter=Q(state=ReviewState.SUBMITTED)))
    return counts["done"], counts["total"]


def queue_first_todo(queue):
    """The first report of a review_queue queryset still to be reviewed (queue_next without `after`)."""
    return queue.filter(state__in=ReviewState.TODO, status=Report.Status.SUBMITTED).first()


def queue_progress(queue):
    """(done, total) of an evaluated queue: up-to-date submitted reviews of all queued reports."""
    return sum(1 for report in queue if report.state == ReviewState.SUBMITTED), len(queue)


def queue_next(queue, after=None):
    """The first report after `after` (wrapping around) still to be reviewed, or None."""
    todo = [r for r in queue if r.state in ReviewState.TODO and r.is_submitted]
    if after is not None:
        later = [r for r in todo if r.pk != after.pk]
        position = next((i for i, r in enumerate(queue) if r.pk == after.pk), -1)
        ordered = [r for r in queue[position + 1 :] if r in later] + [r for r in queue[: position + 1] if r in later]
        return ordered[0] if ordered else None
    return todo[0] if todo else None


def reviewable_reports(user):
    """Reports the user may review: assigned, on the reviewing committee, not their own organization's."""
    if not user.is_authenticated:
        return Report.objects.none()
    return (
        Report.objects.filter(
            Exists(Assignment.objects.filter(report=OuterRef("pk"), reviewer=user)),
            cycle__organization__committee_members=user,
        )
        .exclude(organization__secretary=user)
        .select_related("cycle", "cycle__organization", "organization", "organization__secretary")
    )


def reviews_with_outdated(reviews):
    return reviews.annotate(
        latest_version_id=latest_version(report_ref="report_id"),
        latest_version_number=latest_version("number", report_ref="report_id"),
    ).annotate(
        is_outdated=Case(
            When(version_id=F("latest_version_id"), then=Value(False)),
            default=Value(True),
            output_field=BooleanField(),
        )
    )


def reviews_for_report(report, submitted_only=True):
    """The report's reviews with reviewer, version, scores (criterion order) and problems prefetched.

    Each Review is annotated with total_points (the sum of its scores), latest_version_id,
    latest_version_number and is_outdated (written against an older version than the latest).
    """
    return _reviews_in_detail(Review.objects.filter(report=report), submitted_only)


def submitted_reviews_of_cycle(cycle):
    """Every submitted review of the cycle, prefetched as reviews_for_report's. Constant queries."""
    return _reviews_in_detail(Review.objects.filter(report__cycle=cycle), True)


def _reviews_in_detail(reviews, submitted_only):
    if submitted_only:
        reviews = reviews.filter(status=Review.Status.SUBMITTED)
    return (
        reviews_with_outdated(reviews.annotate(total_points=Sum("scores__points")))
        .select_related("reviewer", "version")
        .prefetch_related(
            Prefetch("scores", queryset=Score.objects.select_related("criterion").order_by("criterion__order", "criterion_id")),
            Prefetch("problems", queryset=Problem.objects.select_related("category")),
        )
        .order_by("reviewer__username")
    )


def review_of(report, reviewer):
    """The reviewer's own review of the report with scores and problems, or None."""
    return reviews_for_report(report, submitted_only=False).filter(reviewer=reviewer).first()


def review_changes(review):
    return ReviewChange.objects.filter(review=review).select_related("changed_by")


def questions_for_report(report):
    return Question.objects.filter(report=report).select_related("asked_by", "answered_by")


# ---------------------------------------------------------------- secretaries


def reports_led_by(user):
    """Reports of the organizations the user leads, newest year first, with question counts."""
    if not user.is_authenticated:
        return Report.objects.none()
    return (
        Report.objects.filter(organization__secretary=user)
        .select_related("cycle", "organization")
        .annotate(
            question_count=subquery_count(Question.objects.filter(report=OuterRef("pk"))),
            unanswered_count=subquery_count(Question.objects.filter(report=OuterRef("pk"), answer="")),
        )
        .order_by("-cycle__year", "organization__order")
    )


def secretary_report_context(*, report, **kwargs):
    """Receiver of reports.signals.secretary_report_context: the questions still to answer."""
    return {"unanswered_questions": Question.objects.filter(report=report, answer="").count()}


# ---------------------------------------------------------------- administrators


# The assignments page's sortable columns (branches.tables).
ASSIGNMENT_SORTS = {
    "organization": ["organization__order", "organization__name"],
    "secretary": ["organization__secretary__name", "organization__secretary__username"],
    "reviewers": ["assignment_count", "organization__order"],
}


def assignments_overview(cycle, *, missing_only=False, search=""):
    """The cycle's reports with their assignments (reviewer selected) and own-review status
    prefetched (for the rows of a page only, when sliced), annotated with assignment_count and
    version_count; `missing_only` keeps the reports without a reviewer, `search` a part of the
    organization's name."""
    reports = (
        cycle.reports.select_related("organization", "organization__secretary")
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("reviewer").order_by("reviewer__username")),
            Prefetch("reviews", queryset=Review.objects.only("pk", "report_id", "reviewer_id", "status")),
        )
        .annotate(
            version_count=subquery_count(ReportVersion.objects.filter(report=OuterRef("pk"))),
            assignment_count=subquery_count(Assignment.objects.filter(report=OuterRef("pk"))),
        )
    )
    if missing_only:
        reports = reports.filter(assignment_count=0)
    if search:
        reports = reports.filter(organization__name__contains=search)
    return reports


def result_settings_for(cycle):
    return ResultSettings.objects.get(cycle=cycle)


def current_publication(cycle):
    """The cycle's publication in force (not withdrawn), or None."""
    return Publication.objects.filter(cycle=cycle, withdrawn_at__isnull=True).first()


def publications_of(cycle):
    return Publication.objects.filter(cycle=cycle).select_related("published_by", "withdrawn_by").order_by("-number")


def published_sheet(report):
    """(Publication, sheet dict) of the report in the publication in force, or (None, None)."""
    published = (
        PublishedResult.objects.filter(report=report, publication__withdrawn_at__isnull=True)
        .select_related("publication")
        .first()
    )
    return (published.publication, published.sheet) if published else (None, None)


def reviewer_pseudonyms(cycle):
    """{user id: "评议人N"}: the cycle's random numbering (drawn when reviewers are assigned).
    Anyone who reviewed without a drawn number (data from before numbering) follows, in id order."""
    labels = {reviewer_id: f"评议人{number}" for reviewer_id, number in ReviewerPseudonym.objects.filter(cycle=cycle).values_list("reviewer_id", "number")}
    others = (
        Review.objects.filter(report__cycle=cycle).exclude(reviewer_id__in=list(labels)).order_by("reviewer_id").values_list("reviewer_id", flat=True).distinct()
    )
    for reviewer_id in others:
        labels[reviewer_id] = f"评议人{len(labels) + 1}"
    return labels
