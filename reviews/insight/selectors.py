"""Reads of the insight pages: an organization's file across years, a cycle's analysis, the
cycles of a subtree side by side. Every figure is aggregated in the database; every function is
a constant number of queries whatever the number of organizations or years.

The official grade of a report is the grade of the publication in force (PublishedResult, the
record once published); before publication, or while withdrawn, the live Result's grade. Trends,
distributions and flags all read it, so a page never mixes a snapshot with later live data.

Calibration of reviewers (校准): each submitted review's total is put on 100 points (total × 100
÷ the rubric's maximum). Per reviewer: the number of reviews, the mean and the population
standard deviation of those totals, and the mean distance from the others — over the reports
the reviewer scored together with at least one other reviewer, the reviewer's total minus the
mean of the other reviewers' totals of that report (positive: more lenient than the others).
The normalised view: each review's z-score within its reviewer ((total − reviewer's mean) ÷
reviewer's SD; reviewers whose SD is 0 give none), averaged per report. It is shown beside the
official review score, never instead of it.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce

from branches.models import Organization, User
from reports.models import Cycle, Report, ReportVersion
from reviews.computation import COMPONENTS, round2
from reviews.models import (
    Criterion,
    Grade,
    Problem,
    PublishedResult,
    RectificationItem,
    RectificationPlan,
    Result,
    Review,
    Score,
)
from reviews.rectification.selectors import overdue_q, rectification_today, state_label, with_state
from reviews.results.documents import reviewer_labels
from reviews.results.selectors import distribution_of_counts
from reviews.selectors import result_settings_for, reviewer_pseudonyms, rubric_max

# Grades at or below which an organization is a 约谈 candidate when two years run.
LOW_GRADES = (Grade.FAIR, Grade.POOR)
# How many lines the analysis lists where there can be thousands (the ledger lists them all).
LIST_LIMIT = 50


def official_grade():
    """The official grade of a Report queryset's rows as an expression (see the module docstring)."""
    published = PublishedResult.objects.filter(report=OuterRef("pk"), publication__withdrawn_at__isnull=True)
    return Coalesce(
        Subquery(published.annotate(grade=KeyTextTransform("grade", "sheet")).values("grade")[:1]),
        "result__grade",
        Value(""),
        output_field=CharField(),
    )


def previous_cycle(cycle):
    """Last year's cycle of the same reviewing organization, or None."""
    return Cycle.objects.filter(organization_id=cycle.organization_id, year=cycle.year - 1).first()


def grade_counts(cycles):
    """{cycle id: {grade or "": count}} of the official grades of the cycles' reports. One query."""
    counts = {cycle.pk: {} for cycle in cycles}
    rows = (
        Report.objects.filter(cycle__in=[cycle.pk for cycle in cycles])
        .annotate(official=official_grade())
        .values("cycle_id", "official")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["cycle_id"]][row["official"] or ""] = row["n"]
    return counts


def distribution(counts, settings):
    """The distribution of one cycle from grade_counts' entry (the results page's own rule)."""
    return distribution_of_counts(counts, settings)


# ---------------------------------------------------------------- criterion averages


def criterion_means(cycles):
    """{cycle id: [(name, max_points, mean)]}: per criterion, the (unrounded) mean over the organizations of
    their average points in submitted reviews (every organization weighs the same, as in the
    summary). The rubric's order. One query: the organizations' averages are a derived table."""
    ids = [cycle.pk for cycle in cycles]
    result = {pk: [] for pk in ids}
    if not ids:
        return result
    criterion, score, review, report = (model._meta.db_table for model in (Criterion, Score, Review, Report))
    marks = ", ".join(["%s"] * len(ids))
    # Driven from the cycles' reports (their index), the organizations' averages as a derived table.
    sql = f"""
        SELECT c.cycle_id, c.name, c.max_points, AVG(t.average)
        FROM {criterion} c
        LEFT JOIN (
            SELECT s.criterion_id, r.report_id, AVG(s.points) AS average
            FROM {report} p JOIN {review} r ON r.report_id = p.id JOIN {score} s ON s.review_id = r.id
            WHERE r.status = %s AND p.cycle_id IN ({marks})
            GROUP BY r.report_id, s.criterion_id
        ) t ON t.criterion_id = c.id
        WHERE c.cycle_id IN ({marks})
        GROUP BY c.cycle_id, c.id, c.name, c.max_points, c."order"
        ORDER BY c.cycle_id, c."order", c.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [Review.Status.SUBMITTED, *ids, *ids])
        for cycle_id, name, max_points, mean in cursor.fetchall():
            # Unrounded: the rate is computed from it, then each figure is rounded once.
            result[cycle_id].append((name, Decimal(str(max_points)), Decimal(str(mean)) if mean is not None else None))
    return result


@dataclass
class CriterionLine:
    name: str
    max_points: Decimal
    mean: Decimal | None
    rate: Decimal | None  # mean as % of the maximum
    last_rate: Decimal | None  # last year's rate of the criterion of the same name
    change: Decimal | None  # rate − last_rate, percentage points


def criterion_lines(cycle, previous):
    means = criterion_means([cycle] + ([previous] if previous else []))
    last = {name: (max_points, mean) for name, max_points, mean in means.get(previous.pk, [])} if previous else {}

    def rate(mean, max_points):
        return round2(mean * 100 / max_points) if mean is not None and max_points else None

    lines = []
    for name, max_points, mean in means[cycle.pk]:
        this_rate = rate(mean, max_points)
        last_rate = rate(last[name][1], last[name][0]) if name in last else None
        change = this_rate - last_rate if this_rate is not None and last_rate is not None else None
        lines.append(CriterionLine(name, max_points, round2(mean), this_rate, last_rate, change))
    return lines


# ---------------------------------------------------------------- reviewers' calibration


def _scaled_cte(cycle):
    """(SQL, params) of the common table expressions every calibration query starts from:
    `scaled` (each submitted review of the cycle: reviewer, report, total on 100 points) and
    `report_totals` (per report: sum and number of those totals). One pass over the scores."""
    top = rubric_max(cycle) or Decimal(100)
    score, review, report = (model._meta.db_table for model in (Score, Review, Report))
    sql = f"""
        WITH scaled AS (
            SELECT r.id AS review_id, r.reviewer_id, r.report_id, SUM(s.points) * 100.0 / %s AS total
            FROM {review} r JOIN {report} p ON p.id = r.report_id JOIN {score} s ON s.review_id = r.id
            WHERE p.cycle_id = %s AND r.status = %s
            GROUP BY r.id, r.reviewer_id, r.report_id
        ),
        report_totals AS (
            SELECT report_id, SUM(total) AS total_sum, COUNT(*) AS n FROM scaled GROUP BY report_id
        )
    """
    return sql, [top, cycle.pk, Review.Status.SUBMITTED]


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass
class ReviewerLine:
    reviewer_id: int
    label: str
    reviews: int
    mean: Decimal | None
    sd: Decimal | None
    distance: Decimal | None  # mean (own − others' mean) over shared reports; None without any
    shared: int  # reports scored together with another reviewer


def _decimal2(value):
    return None if value is None else round2(Decimal(str(value)))


def reviewer_stats(cycle):
    """[ReviewerLine] of the cycle's reviewers (labels per the cycle's pseudonym setting), most
    lenient first. One query for the figures (population SD), plus the labels'."""
    cte, params = _scaled_cte(cycle)
    rows = _fetch(
        cte
        + """
        SELECT t.reviewer_id, COUNT(*), AVG(t.total), STDDEV_POP(t.total),
               AVG(CASE WHEN o.n > 1 THEN t.total - (o.total_sum - t.total) / (o.n - 1) END),
               SUM(CASE WHEN o.n > 1 THEN 1 ELSE 0 END)
        FROM scaled t JOIN report_totals o ON o.report_id = t.report_id
        GROUP BY t.reviewer_id
        """,
        params,
    )
    labels = _labels(cycle, [row[0] for row in rows])
    lines = [
        ReviewerLine(reviewer_id, labels[reviewer_id], count, _decimal2(mean), _decimal2(sd), _decimal2(distance), shared or 0)
        for reviewer_id, count, mean, sd, distance, shared in rows
    ]
    lines.sort(key=lambda line: (line.distance is None, -(line.distance or 0), line.label))
    return lines


def _labels(cycle, reviewer_ids):
    settings = result_settings_for(cycle)
    people = list(User.objects.filter(pk__in=reviewer_ids).order_by("username"))
    return reviewer_labels(people, settings.show_reviewer_names, None if settings.show_reviewer_names else reviewer_pseudonyms(cycle))


@dataclass
class NormalisedLine:
    organization: object
    report_id: int
    review_score: Decimal | None  # the official aggregation (Result.review_score)
    rank: int | None  # by review score, ties sharing
    z: Decimal | None  # mean z-score of its reviews
    z_rank: int | None
    moved: int | None  # rank − z_rank (positive: higher when normalised)


def _ranks(values):
    ordered = sorted((value for value in values.values() if value is not None), reverse=True)
    first = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return {key: first.get(value) if value is not None else None for key, value in values.items()}


def normalised_view(cycle):
    """[NormalisedLine] of every report with a submitted review: the official review score and
    rank beside the mean z-score and its rank, largest moves first. One query."""
    cte, params = _scaled_cte(cycle)
    organization, report, result = (model._meta.db_table for model in (Organization, Report, Result))
    rows = _fetch(
        cte
        + f"""
        , reviewers AS (
            SELECT reviewer_id, AVG(total) AS mean, STDDEV_POP(total) AS sd FROM scaled GROUP BY reviewer_id
        )
        SELECT t.report_id, g.id, g.name, g.path, res.review_score,
               AVG(CASE WHEN v.sd > 0 THEN (t.total - v.mean) / v.sd END)
        FROM scaled t
        JOIN reviewers v ON v.reviewer_id = t.reviewer_id
        JOIN {report} p ON p.id = t.report_id
        JOIN {organization} g ON g.id = p.organization_id
        LEFT JOIN {result} res ON res.report_id = t.report_id
        GROUP BY t.report_id, g.id, g.name, g.path, res.review_score
        """,
        params,
    )
    scores = {row[0]: Decimal(str(row[4])) if row[4] is not None else None for row in rows}
    zs = {row[0]: _decimal2(row[5]) for row in rows}
    ranks, z_ranks = _ranks(scores), _ranks(zs)
    lines = [
        NormalisedLine(
            _OrganizationRef(organization_id, name, path), report_id, scores[report_id], ranks[report_id], zs[report_id],
            z_ranks[report_id], ranks[report_id] - z_ranks[report_id] if ranks[report_id] and z_ranks[report_id] else None,
        )
        for report_id, organization_id, name, path, _score, _z in rows
    ]
    lines.sort(key=lambda line: (-abs(line.moved or 0), line.rank or 10**9, line.organization.name))
    return lines


@dataclass
class _OrganizationRef:
    """Enough of an Organization to name it and link its file (pk, name, path)."""

    pk: int
    name: str
    path: str

    def __str__(self):
        return self.name


# ---------------------------------------------------------------- problems


@dataclass
class CategoryLine:
    category: str
    organizations: int
    mentions: int
    last_organizations: int
    last_mentions: int

    @property
    def change(self):
        return self.organizations - self.last_organizations


def problem_categories(cycles):
    """{cycle id: {category name: (organizations, mentions, category order)}} of the problems named
    in the cycles' submitted reviews. One query."""
    result = {cycle.pk: {} for cycle in cycles}
    rows = (
        Problem.objects.filter(review__report__cycle__in=[cycle.pk for cycle in cycles], review__status=Review.Status.SUBMITTED)
        .values("review__report__cycle_id", "category__name", "category__order")
        .annotate(organizations=Count("review__report", distinct=True), mentions=Count("pk"))
        .order_by()
    )
    for row in rows:
        result[row["review__report__cycle_id"]][row["category__name"]] = (row["organizations"], row["mentions"], row["category__order"])
    return result


def category_lines(cycle, previous):
    counts = problem_categories([cycle] + ([previous] if previous else []))
    this, last = counts[cycle.pk], counts.get(previous.pk, {}) if previous else {}
    names = sorted(set(this) | set(last), key=lambda name: (-(this.get(name, (0, 0, 0))[0]), (this.get(name) or last.get(name))[2], name))
    return [
        CategoryLine(name, this.get(name, (0, 0))[0], this.get(name, (0, 0))[1], last.get(name, (0, 0))[0], last.get(name, (0, 0))[1])
        for name in names
    ]


def recurring_problems(cycle):
    """[(organization, [category names])]: the organizations of the cycle for which the same
    category of problem was named (in submitted reviews) this year and last year. Two queries:
    last year's (organization, category) pairs, then this year's that are among them."""
    submitted = Problem.objects.filter(review__status=Review.Status.SUBMITTED)
    last_year = set(
        submitted.filter(
            review__report__cycle__year=cycle.year - 1,
            review__report__organization__in=Report.objects.filter(cycle=cycle).values("organization"),
        )
        .values_list("review__report__organization_id", "category_id")
        .distinct()
        .order_by()
    )
    rows = (
        submitted.filter(review__report__cycle=cycle)
        .values(
            "review__report__organization_id", "review__report__organization__name", "review__report__organization__path",
            "review__report__organization__order", "category_id", "category__name", "category__order",
        )
        .distinct()
        .order_by("review__report__organization__order", "review__report__organization_id", "category__order")
    )
    grouped = {}
    for row in rows:
        key = row["review__report__organization_id"]
        if (key, row["category_id"]) not in last_year:
            continue
        organization = _OrganizationRef(key, row["review__report__organization__name"], row["review__report__organization__path"])
        grouped.setdefault(key, (organization, []))[1].append(row["category__name"])
    return list(grouped.values())


# ---------------------------------------------------------------- rectification and flags


@dataclass
class CompletionLine:
    organization: object
    plan_id: int
    total: int
    completed: int
    overdue: int

    @property
    def rate(self):
        return round2(Decimal(self.completed) * 100 / self.total) if self.total else None


def rectification_completion(cycle, today):
    """(totals dict, [CompletionLine] lowest completion first): the cycle's problem lists by
    organization. One query."""
    plans = (
        RectificationPlan.objects.filter(report__cycle=cycle)
        .annotate(
            total=Count("items"),
            completed=Count("items", filter=Q(items__status=RectificationItem.Status.COMPLETED)),
            overdue=Count("items", filter=overdue_q(today, prefix="items__")),
        )
        .filter(total__gt=0)
        .values("pk", "total", "completed", "overdue", "report__organization_id", "report__organization__name", "report__organization__path")
        .order_by()
    )
    lines = [
        CompletionLine(
            _OrganizationRef(plan["report__organization_id"], plan["report__organization__name"], plan["report__organization__path"]),
            plan["pk"], plan["total"], plan["completed"], plan["overdue"],
        )
        for plan in plans
    ]
    lines.sort(key=lambda line: (line.rate, -line.overdue, line.organization.name))
    totals = {
        "organizations": len(lines),
        "items": sum(line.total for line in lines),
        "completed": sum(line.completed for line in lines),
        "overdue": sum(line.overdue for line in lines),
        "all_done": sum(1 for line in lines if line.completed == line.total),
    }
    totals["rate"] = round2(Decimal(totals["completed"]) * 100 / totals["items"]) if totals["items"] else None
    return totals, lines


def low_two_years(cycle):
    """[(organization, this year's grade, last year's grade)]: organizations graded 一般 or below
    (official grades) this year and last year — 约谈 candidates. One query."""
    last = Report.objects.filter(organization=OuterRef("organization"), cycle__year=cycle.year - 1).annotate(
        official=official_grade()
    )
    rows = (
        Report.objects.filter(cycle=cycle)
        .annotate(official=official_grade(), last_official=Subquery(last.values("official")[:1]))
        .filter(official__in=LOW_GRADES, last_official__in=LOW_GRADES)
        .values("organization_id", "organization__name", "organization__path", "official", "last_official")
        .order_by("organization__order", "organization_id")
    )
    return [
        (_OrganizationRef(row["organization_id"], row["organization__name"], row["organization__path"]), row["official"], row["last_official"])
        for row in rows
    ]


# ---------------------------------------------------------------- across levels


@dataclass
class CycleColumn:
    cycle: Cycle
    settings: object
    total: int = 0
    submitted: int = 0
    returned: int = 0
    not_started: int = 0
    distribution: list = field(default_factory=list)
    categories: dict = field(default_factory=dict)  # category name -> organizations

    @property
    def submitted_percent(self):
        return round2(Decimal(self.submitted) * 100 / self.total) if self.total else None


def levels_overview(cycles):
    """[CycleColumn] for `cycles` (already scoped to what the user administers): progress,
    official grade distribution and problem categories of each. Four queries whatever their number."""
    cycles = list(cycles.select_related("organization", "result_settings").order_by("organization__path"))
    progress = {
        row["cycle_id"]: row
        for row in Report.objects.filter(cycle__in=[cycle.pk for cycle in cycles])
        .values("cycle_id")
        .annotate(
            total=Count("pk"),
            submitted=Count("pk", filter=Q(status=Report.Status.SUBMITTED)),
            returned=Count("pk", filter=Q(status=Report.Status.RETURNED)),
            not_started=Count("pk", filter=Q(status=Report.Status.NOT_STARTED)),
        )
        .order_by()
    }
    grades = grade_counts(cycles)
    problems = problem_categories(cycles)
    columns = []
    for cycle in cycles:
        line = progress.get(cycle.pk, {})
        columns.append(
            CycleColumn(
                cycle,
                cycle.result_settings,
                total=line.get("total", 0),
                submitted=line.get("submitted", 0),
                returned=line.get("returned", 0),
                not_started=line.get("not_started", 0),
                distribution=distribution(grades[cycle.pk], cycle.result_settings),
                categories={name: value[0] for name, value in problems[cycle.pk].items()},
            )
        )
    return columns


# ---------------------------------------------------------------- an organization's file


@dataclass
class FileYear:
    """One year of an organization's file: its report and, where the viewer may see it, the result."""

    report: Report
    cycle: Cycle
    has_version: bool
    official: bool  # the result shown is the publication in force (else live, for administrators)
    visible: bool  # the viewer may see this year's result at all
    report_visible: bool  # the viewer may open the report (its secretary, the cycle's administrators)
    grade_label: str = ""
    total: Decimal | None = None
    rank: int | None = None
    ranked_count: int | None = None
    components: list = field(default_factory=list)  # [(label, weight, score)]
    items: list = field(default_factory=list)  # RectificationItem with state, state_text


def organization_file(organization, *, administers, is_secretary):
    """[FileYear] of every report of `organization`, oldest year first. `administers(cycle)` says
    whether the viewer administers the cycle (then: the official record when published, else the
    live result marked as not published); `is_secretary`: the organization's own secretary, who
    sees published results only (and the rank only where the cycle shows it). Three queries."""
    reports = list(
        Report.objects.filter(organization=organization)
        .select_related("cycle__organization", "cycle__result_settings", "result")
        .annotate(has_version=Exists(ReportVersion.objects.filter(report=OuterRef("pk"))))
        .order_by("cycle__year", "cycle_id")
    )
    sheets = dict(
        PublishedResult.objects.filter(report__in=reports, publication__withdrawn_at__isnull=True).values_list("report_id", "sheet")
    )
    items = {}
    for item in with_state(
        RectificationItem.objects.filter(plan__report__in=reports).select_related("category"), rectification_today()
    ).order_by("order", "id"):
        item.state_text = state_label(item.state)
        items.setdefault(item.plan_id, []).append(item)
    plan_of = dict(RectificationPlan.objects.filter(report__in=reports).values_list("report_id", "pk"))
    ranked = dict(
        Result.objects.filter(report__cycle__in={report.cycle_id for report in reports}, rank__isnull=False)
        .values("report__cycle_id")
        .annotate(n=Count("pk"))
        .values_list("report__cycle_id", "n")
        .order_by()
    )
    years = []
    for report in reports:
        cycle = report.cycle
        sheet = sheets.get(report.pk)
        admin = administers(cycle)
        visible = admin or (is_secretary and sheet is not None)
        year = FileYear(
            report, cycle, report.has_version, official=sheet is not None, visible=visible, report_visible=admin or is_secretary
        )
        if visible and sheet is not None:
            year.grade_label = sheet["grade_label"]
            year.total = Decimal(sheet["total"]) if sheet["total"] is not None else None
            if admin or sheet["show_rank"]:
                year.rank, year.ranked_count = sheet["rank"], sheet["ranked_count"]
            year.components = [
                (c["label"], Decimal(c["weight"]), Decimal(c["score"]) if c["score"] is not None else None) for c in sheet["components"]
            ]
        elif visible:
            _live(year, report, ranked.get(cycle.pk))
        if visible:
            year.items = items.get(plan_of.get(report.pk), [])
        years.append(year)
    return years


def _live(year, report, ranked_count):
    """An administrator's view of a year not (or no longer) published: the live result."""
    settings = report.cycle.result_settings
    result = getattr(report, "result", None)
    if result is None:
        return
    year.grade_label = settings.grade_label(result.grade)
    year.total = result.total
    year.rank = result.rank
    year.ranked_count = ranked_count if result.rank else None
    weights = {"review": settings.review_weight, "routine": settings.routine_weight, "ballot": settings.ballot_weight}
    year.components = [
        (label, weights[name], getattr(result, f"{name}_score")) for name, label in COMPONENTS.items() if weights[name]
    ]
