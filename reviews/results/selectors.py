"""Reads of the year's results: the results table, its state and gaps, a secretary's result.
Every list is a constant number of queries."""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce

from reports.models import Report
from reviews.ballots.selectors import ballot_scores
from reviews.computation import COMPONENTS, round2, weighted_total
from reviews.models import Assignment, Grade, Notice, Result, Review, Score
from reviews.selectors import (
    latest_version,
    result_settings_for,
    reviews_for_report,
    reviews_with_outdated,
    subquery_count,
)


@dataclass
class ResultRow:
    """One organization's line of the results table. Exports render these rows.

    report             Report (organization and its secretary selected)
    organization       Organization
    secretary          User or None
    result             Result or None (None until the routine score is entered or results computed)
    criterion_averages [(Criterion, Decimal | None)] in rubric order: plain mean of the
                       submitted reviews' points, rounded half up to 2 places
    review_score       Decimal | None, the aggregated review score on 100 points (stored at computation)
    routine_score      Decimal | None, 日常考核, entered by the administrator
    ballot_score       Decimal | None, 民主测评
    total              Decimal | None, the weighted total (None while a weighted component is missing)
    rank               int | None, ties share the rank (1, 1, 3)
    computed_grade     Grade value or "", as computed (after the top-grade cap)
    grade              Grade value or "", the final grade (the override if any)
    grade_label        the final grade's label in this cycle's wording (好 or 优秀 …)
    computed_grade_label
    is_overridden      bool; override_reason str; overridden_by User or None; overridden_at
    reviews_submitted  int, submitted reviews; reviews_assigned int, assignments
    reviews_outdated   int, submitted reviews written against an older version
    is_submitted       bool, the report has a submitted version and is not back for revision
    flags              [str]: "未提交", "退回修改中", "评议未完成", "部分评议针对旧版本",
                       "缺…得分" for a weighted component without score, "未计算"
    """

    report: Report
    organization: object
    secretary: object
    result: Result | None
    criterion_averages: list
    review_score: Decimal | None
    routine_score: Decimal | None
    ballot_score: Decimal | None
    total: Decimal | None
    rank: int | None
    computed_grade: str
    grade: str
    grade_label: str
    computed_grade_label: str
    is_overridden: bool
    override_reason: str
    overridden_by: object
    overridden_at: object
    reviews_submitted: int
    reviews_assigned: int
    reviews_outdated: int
    is_submitted: bool
    flags: list = field(default_factory=list)

    @property
    def is_complete(self):
        return not self.flags


def _result_flags(report, result, settings):
    flags = []
    if report.status == Report.Status.RETURNED:
        flags.append("退回修改中")
    elif not report.is_submitted:
        flags.append("未提交")
    if report.is_submitted and report.reviews_submitted < report.reviews_assigned:
        flags.append("评议未完成")
    if report.reviews_outdated:
        flags.append("部分评议针对旧版本")
    if result is None or result.computed_at is None:
        flags.append("未计算")
    scores = {
        "review": result.review_score if result else None,
        "routine": result.routine_score if result else None,
        "ballot": result.ballot_score if result else None,
    }
    weights = {"review": settings.review_weight, "routine": settings.routine_weight, "ballot": settings.ballot_weight}
    flags.extend(f"缺{COMPONENTS[name]}得分" for name in weighted_total(scores, weights)[1])
    return flags


def cycle_results(cycle, settings=None):
    """The results table of a cycle: [ResultRow] (see its docstring), ranked rows by rank,
    then the unranked in organization order. Four queries (three when `settings` is
    given), whatever the number of organizations."""
    reports = list(result_reports(cycle.reports.all()).order_by("organization__order", "organization_id"))
    rows = result_rows(cycle, reports, settings or result_settings_for(cycle))
    # Ranked rows by rank; the rest keep the organizations' order (sort is stable).
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0))
    return rows


def result_reports(reports):
    """`reports` with what a ResultRow reads selected and annotated (review counts)."""
    return (
        reports.select_related("organization", "organization__secretary", "result", "result__overridden_by")
        .annotate(latest_version_id=latest_version())
        .annotate(
            reviews_assigned=subquery_count(Assignment.objects.filter(report=OuterRef("pk"))),
            reviews_submitted=subquery_count(Review.objects.filter(report=OuterRef("pk"), status=Review.Status.SUBMITTED)),
            reviews_outdated=subquery_count(
                Review.objects.filter(report=OuterRef("pk"), status=Review.Status.SUBMITTED).exclude(
                    version_id=OuterRef("latest_version_id")
                )
            ),
        )
    )


# The results page's table (branches.tables): sortable columns; NULLs (no result yet) sort last.
NO_GRADE = "none"
GRADE_ORDER = Case(
    *[When(result__grade=grade, then=Value(index)) for index, grade in enumerate(Grade.values)],
    default=Value(None),
    output_field=IntegerField(),
)
RESULT_SORTS = {
    "rank": [F("result__rank").asc(nulls_last=True), "organization__order", "organization__name"],
    "organization": ["organization__order", "organization__name"],
    "secretary": ["organization__secretary__name", "organization__secretary__username"],
    "review": [F("result__review_score").asc(nulls_last=True), "organization__order"],
    "routine": [F("result__routine_score").asc(nulls_last=True), "organization__order"],
    "ballot": [F("result__ballot_score").asc(nulls_last=True), "organization__order"],
    "total": [F("result__total").asc(nulls_last=True), "organization__order"],
    "grade": [GRADE_ORDER.asc(nulls_last=True), F("result__rank").asc(nulls_last=True), "organization__order"],
    "reviews": ["reviews_submitted", "reviews_assigned", "organization__order"],
}
RESULT_DEFAULT_SORT = "rank"
RESULT_DESCENDING_FIRST = {"review", "routine", "ballot", "total"}  # highest score first


def results_table(cycle, *, grade="", search=""):
    """The cycle's reports for the results page's table (result_reports), filtered by final grade
    (a Grade value, or NO_GRADE for none yet) and by a part of the organization's name; unsorted:
    see RESULT_SORTS."""
    reports = result_reports(cycle.reports.all())
    if grade == NO_GRADE:
        reports = reports.filter(Q(result__isnull=True) | Q(result__grade=""))
    elif grade in Grade.values:
        reports = reports.filter(result__grade=grade)
    if search:
        reports = reports.filter(organization__name__contains=search)
    return reports


def result_rows(cycle, reports, settings):
    """[ResultRow] of `reports` (a list from result_reports), in their order. One query for the
    criteria and one for the averages, whatever the number of reports."""
    criteria = list(cycle.criteria.all())
    averages = {
        (row["review__report_id"], row["criterion_id"]): row["average"]
        for row in Score.objects.filter(review__report__in=[r.pk for r in reports], review__status=Review.Status.SUBMITTED)
        .values("review__report_id", "criterion_id")
        .annotate(average=Avg("points"))
    }
    rows = []
    for report in reports:
        result = getattr(report, "result", None)
        grade = result.grade if result else ""
        computed = result.computed_grade if result else ""
        rows.append(
            ResultRow(
                report=report,
                organization=report.organization,
                secretary=report.organization.secretary,
                result=result,
                criterion_averages=[(c, round2(averages.get((report.pk, c.pk)))) for c in criteria],
                review_score=result.review_score if result else None,
                routine_score=result.routine_score if result else None,
                ballot_score=result.ballot_score if result else None,
                total=result.total if result else None,
                rank=result.rank if result else None,
                computed_grade=computed,
                grade=grade,
                grade_label=settings.grade_label(grade),
                computed_grade_label=settings.grade_label(computed),
                is_overridden=bool(result and result.is_overridden),
                override_reason=result.override_reason if result else "",
                overridden_by=result.overridden_by if result else None,
                overridden_at=result.overridden_at if result else None,
                reviews_submitted=report.reviews_submitted,
                reviews_assigned=report.reviews_assigned,
                reviews_outdated=report.reviews_outdated,
                is_submitted=report.is_submitted,
                flags=_result_flags(report, result, settings),
            )
        )
    return rows


def grade_distribution(cycle, settings=None):
    """[{"grade", "label", "count", "percent"}] for the four grades in order, then
    {"grade": "", "label": "未定等次", …} for reports without a grade. Percentages are of
    all the cycle's reports, rounded half up to 2 places. One query (plus settings)."""
    settings = settings or result_settings_for(cycle)
    counts = dict(
        Report.objects.filter(cycle=cycle)
        .annotate(final_grade=Coalesce("result__grade", Value("")))
        .values_list("final_grade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return distribution_of_counts(counts, settings)


def distribution_of_counts(counts, settings):
    """[{"grade", "label", "count", "percent"}] from {grade or "": count}: the four grades, then
    未定等次; percentages of all reports, half up to 2 places."""
    total = sum(counts.values())
    return [
        {
            "grade": grade,
            "label": settings.grade_label(grade) if grade else "未定等次",
            "count": counts.get(grade, 0),
            "percent": round2(Decimal(counts.get(grade, 0)) * 100 / total) if total else Decimal("0.00"),
        }
        for grade in [*Grade.values, ""]
    ]


# The result settings that feed the computation or what a published sheet shows.
FINGERPRINT_SETTINGS = [
    "aggregation", "review_weight", "routine_weight", "ballot_weight",
    "threshold_excellent", "threshold_good", "threshold_fair",
    "label_excellent", "label_good", "label_fair", "label_poor",
    "top_grade_cap_numerator", "top_grade_cap_denominator", "show_rank", "show_reviewer_names",
]


def results_fingerprint(cycle, settings=None):
    """SHA-256 of every input of the results computation: the reports, the rubric, the submitted
    reviews and their scores, the routine scores, the result settings and the closed ballot's
    scores. Taken at computation and compared afterwards, it catches any change, whichever path
    made it (a service, the Django admin, a data fix). Overrides are not inputs: they are results,
    read when publishing. A constant number of queries."""
    settings = settings or result_settings_for(cycle)
    submitted = Review.objects.filter(report__cycle=cycle, status=Review.Status.SUBMITTED)
    ballots = ballot_scores(cycle)
    inputs = {
        "reports": list(cycle.reports.order_by("pk").values_list("pk", flat=True)),
        "criteria": list(cycle.criteria.order_by("pk").values_list("pk", "max_points")),
        "reviews": list(submitted.order_by("pk").values_list("pk", "report_id", "version_id")),
        "scores": list(
            Score.objects.filter(review__in=submitted).order_by("review_id", "criterion_id").values_list("review_id", "criterion_id", "points")
        ),
        "routine": list(
            Result.objects.filter(report__cycle=cycle, routine_score__isnull=False).order_by("report_id").values_list("report_id", "routine_score")
        ),
        "settings": [getattr(settings, name) for name in FINGERPRINT_SETTINGS],
        # Without a closed evaluation the ballot scores on the results are inputs themselves.
        "ballots": sorted(ballots.items())
        if ballots is not None
        else list(
            Result.objects.filter(report__cycle=cycle, ballot_score__isnull=False).order_by("report_id").values_list("report_id", "ballot_score")
        ),
    }
    # Decimals as normalized text: 90 and 90.00 from different databases hash the same.
    def text(value):
        return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)

    return hashlib.sha256(json.dumps(inputs, default=text, sort_keys=True).encode()).hexdigest()


def results_state(cycle, settings=None):
    """"never" (not computed yet), "stale" (an input changed since: see results_fingerprint; or a
    report has no result) or "current"."""
    settings = settings or result_settings_for(cycle)
    if settings.results_computed_at is None:
        return "never"
    changed = (
        settings.results_fingerprint != results_fingerprint(cycle, settings)
        or Report.objects.filter(cycle=cycle, result__isnull=True).exists()
    )
    return "stale" if changed else "current"


def publication_gaps(cycle, settings=None, state=None):
    """What is incomplete before publishing, as Chinese lines (empty when complete): reports not
    submitted, reviews missing per reviewer, routine or ballot scores missing where their weight
    is not zero, results computed before the last change. A constant number of queries."""
    settings = settings or result_settings_for(cycle)
    gaps = []
    unsubmitted = list(
        cycle.reports.exclude(status=Report.Status.SUBMITTED).order_by("organization__order", "organization_id").values_list("organization__name", flat=True)
    )
    if unsubmitted:
        gaps.append(f"{len(unsubmitted)}份述职报告未提交或退回修改中：{'、'.join(unsubmitted)}")
    unreviewed = list(
        cycle.reports.filter(status=Report.Status.SUBMITTED)
        .exclude(Exists(Assignment.objects.filter(report=OuterRef("pk"))))
        .exclude(Exists(Review.objects.filter(report=OuterRef("pk"), status=Review.Status.SUBMITTED)))
        .order_by("organization__order", "organization_id")
        .values_list("organization__name", flat=True)
    )
    if unreviewed:
        gaps.append(f"{len(unreviewed)}份已提交的述职报告没有评议人，也没有评议：{'、'.join(unreviewed)}")
    missing = {}
    for reviewer_name, username, organization in (
        Assignment.objects.filter(report__cycle=cycle, report__status=Report.Status.SUBMITTED)
        .exclude(Exists(Review.objects.filter(report=OuterRef("report"), reviewer=OuterRef("reviewer"), status=Review.Status.SUBMITTED)))
        .order_by("reviewer__username", "report__organization__order", "report__organization_id")
        .values_list("reviewer__name", "reviewer__username", "report__organization__name")
    ):
        missing.setdefault(reviewer_name or username, []).append(organization)
    for reviewer, organizations in missing.items():
        gaps.append(f"{reviewer}尚未提交{len(organizations)}份评议：{'、'.join(organizations)}")
    # A submitted review of a version since superseded (sent back, submitted again) is not done either.
    outdated = {}
    for reviewer_name, username, organization in (
        reviews_with_outdated(Review.objects.filter(report__cycle=cycle, report__status=Report.Status.SUBMITTED, status=Review.Status.SUBMITTED))
        .filter(is_outdated=True)
        .order_by("reviewer__username", "report__organization__order", "report__organization_id")
        .values_list("reviewer__name", "reviewer__username", "report__organization__name")
    ):
        outdated.setdefault(reviewer_name or username, []).append(organization)
    for reviewer, organizations in outdated.items():
        gaps.append(f"{reviewer}的{len(organizations)}份评议针对重新提交前的旧版报告：{'、'.join(organizations)}")
    results = Result.objects.filter(report__cycle=cycle)
    for name, label, weight in (("routine", "日常考核", settings.routine_weight), ("ballot", "民主测评", settings.ballot_weight)):
        if weight:
            have = results.filter(**{f"{name}_score__isnull": False}).values("report_id")
            lacking = list(cycle.reports.exclude(pk__in=have).order_by("organization__order", "organization_id").values_list("organization__name", flat=True))
            if lacking:
                gaps.append(f"{len(lacking)}个党组织缺{label}得分（权重{points_percent(weight)}%）：{'、'.join(lacking)}")
    state = state or results_state(cycle, settings)
    if state == "never":
        gaps.append("尚未计算结果。")
    elif state == "stale":
        gaps.append("结果计算后评议、得分、设置或测评结果有变动，须重新计算。")
    return gaps


def points_percent(value):
    return format(Decimal(value).normalize(), "f")


def secretary_result(report, settings=None):
    """What a secretary sees of their own published result: (row, reviews, ranked_count).

    `row` is the report's ResultRow, `reviews` its submitted reviews with scores and
    problems, `ranked_count` how many organizations of the cycle have a rank."""
    settings = settings or result_settings_for(report.cycle)
    row = result_rows(report.cycle, list(result_reports(Report.objects.filter(pk=report.pk))), settings)[0]
    ranked_count = Result.objects.filter(report__cycle=report.cycle, rank__isnull=False).count()
    return row, list(reviews_for_report(report)), ranked_count


def notice_of(cycle):
    """The cycle's Notice (what the administrator wrote for the 通报), or an unsaved one."""
    return Notice.objects.filter(cycle=cycle).first() or Notice(cycle=cycle)


def previous_notice(cycle):
    """The Notice of the organization's latest earlier cycle with 下一步工作要求 written, or None."""
    return (
        Notice.objects.filter(cycle__organization_id=cycle.organization_id, cycle__year__lt=cycle.year)
        .exclude(requirements="")
        .select_related("cycle")
        .order_by("-cycle__year")
        .first()
    )
