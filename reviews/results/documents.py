"""The review documents: data → context for the result sheet of one organization and the
annual summary (templates/pdf/result.html, summary.html), and the summary as an Excel
workbook. Rendering itself is reports.pdf.render_pdf.

Reviewer names: every document shows them only when the cycle's setting
`show_reviewer_names` allows; otherwise reviewers are 评议人N, the cycle's random numbering
(ReviewerPseudonym), the same on every page and document.
One rule for all documents, because result sheets are handed on and circulated.
"""

from types import SimpleNamespace
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from branches.models import User
from branches.downloads import safe_filename, workbook_bytes, write_table
from reports.pdf import render_pdf

from reviews.ballots.selectors import ballot_tally_for_report, evaluation_of, evaluation_tally
from reviews.computation import COMPONENTS, round2
from reviews.models import Evaluation, Problem, Review, Score
from reviews.selectors import (
    cycle_results,
    grade_distribution,
    published_sheet,
    result_settings_for,
    reviewer_pseudonyms,
    secretary_result,
    submitted_reviews_of_cycle,
)

# How many distinct problems per category the summary lists.
COMMON_PROBLEMS_PER_CATEGORY = 5


def reviewer_labels(reviewers, show_names, pseudonyms=None):
    """{user id: label} for reviewers: their names, or their pseudonyms — the cycle's random
    评议人N (reviews.selectors.reviewer_pseudonyms) when given, else 评议人1, 2 … in the given order."""
    if show_names:
        return {reviewer.pk: reviewer.display_name for reviewer in reviewers}
    if pseudonyms is not None:
        return {reviewer.pk: pseudonyms[reviewer.pk] for reviewer in reviewers}
    return {reviewer.pk: f"评议人{index}" for index, reviewer in enumerate(reviewers, start=1)}


def components(settings):
    """[(name, label, weight)] of the total's components that count this year (weight > 0)."""
    weights = {"review": settings.review_weight, "routine": settings.routine_weight, "ballot": settings.ballot_weight}
    return [(name, label, weights[name]) for name, label in COMPONENTS.items() if weights[name]]


def component_scores(row, settings):
    """[(label, weight, score)] of one ResultRow's weighted components."""
    return [(label, weight, getattr(row, f"{name}_score")) for name, label, weight in components(settings)]


# --- The result of one organization ------------------------------------------------------


@dataclass
class ScoreLine:
    criterion: object
    points: list  # per reviewer, in column order (None: not scored)
    average: Decimal | None


@dataclass
class CategoryProblems:
    category: str
    problems: list = field(default_factory=list)  # distinct texts, first mention first


def problems_by_category(reviews):
    """[CategoryProblems] of the reviews' problems, categories in their order, each text once."""
    groups = {}
    for review in reviews:
        for problem in review.problems.all():
            category = problem.category
            group = groups.setdefault(category.pk, (category.order, CategoryProblems(category.name)))[1]
            if problem.text not in group.problems:
                group.problems.append(problem.text)
    return [group for _order, group in sorted(groups.values(), key=lambda item: (item[0], item[1].category))]


def _text(value):
    return None if value is None else str(value)


def _decimal(value):
    return None if value is None else Decimal(value)


def _label_order(label):
    """评议人2 before 评议人10; names (when shown) after, alphabetically."""
    digits = label[3:] if label.startswith("评议人") else ""
    return (0, int(digits), "") if digits.isdigit() else (1, 0, label)


def result_sheet(row, reviews, *, settings, ranked_count, pseudonyms, ballot=None):
    """Everything the result page and the result PDF show of one organization, as JSON-able
    data: this is what a publication freezes (PublishedResult.sheet). `reviews` are its submitted
    reviews (reviews_for_report), `ballot` its (marks, EntryTally) or None. Reviewers appear as
    the cycle's pseudonyms unless the cycle shows names; columns follow the pseudonym numbers."""
    labels = reviewer_labels([review.reviewer for review in reviews], settings.show_reviewer_names, pseudonyms)
    reviews = sorted(reviews, key=lambda review: _label_order(labels[review.reviewer_id]))
    criteria = [criterion for criterion, _average in row.criterion_averages]
    sheet = {
        "organization": row.organization.name,
        "secretary": row.secretary.display_name if row.secretary else "",
        "criteria": [{"name": c.name, "max_points": _text(c.max_points)} for c in criteria],
        "criterion_averages": [_text(average) for _criterion, average in row.criterion_averages],
        "reviews": [],
        "components": [
            {"name": name, "label": label, "weight": _text(weight), "score": _text(getattr(row, f"{name}_score"))}
            for name, label, weight in components(settings)
        ],
        "review_score": _text(row.review_score),
        "routine_score": _text(row.routine_score),
        "ballot_score": _text(row.ballot_score),
        "total": _text(row.total),
        "rank": row.rank,
        "ranked_count": ranked_count,
        "show_rank": settings.show_rank,
        "grade": row.grade,
        "grade_label": row.grade_label,
        "aggregation": settings.aggregation,
        "ballot": None,
    }
    for review in reviews:
        scored = {score.criterion_id: score.points for score in review.scores.all()}
        sheet["reviews"].append(
            {
                "reviewer": labels[review.reviewer_id],
                "version": review.version.number if review.version_id else None,
                "scores": [_text(scored.get(c.pk)) for c in criteria],
                "total": _text(sum(scored.values(), Decimal(0))),
                "comment": review.comment,
                "problems": [
                    {
                        "id": problem.pk,
                        "text": problem.text,
                        "category_id": problem.category_id,
                        "category": problem.category.name,
                        "category_order": problem.category.order,
                    }
                    for problem in review.problems.all()
                ],
            }
        )
    if ballot:
        marks, tally = ballot
        sheet["ballot"] = {
            "marks": [mark.label for mark in marks],
            "lines": [
                {
                    "group": {"name": line.group.name, "weight": _text(line.group.weight)} if line.group else None,
                    "label": line.label,
                    "weight": _text(line.weight),
                    "pooled": list(line.pooled),
                    "is_total": line.is_total,
                    "counts": list(line.counts),
                    "total": line.total,
                    "best_share": _text(line.best_share),
                    "top_two_share": _text(line.top_two_share),
                    "score": _text(line.score),
                }
                for line in tally.lines
            ],
        }
    return sheet


@dataclass
class SheetTally:
    """A frozen sheet's ballot tally, read as ballot_selectors.EntryTally is: the lines shown
    apart, "其他", then all groups (`overall`)."""

    lines: list

    @property
    def overall(self):
        return self.lines[-1] if self.lines else None

    @property
    def score(self):
        return self.overall.score if self.lines else None


def sheet_problem_groups(sheet):
    """[CategoryProblems] of a sheet's problems, categories in their order, each text once."""
    groups = {}
    for review in sheet["reviews"]:
        for problem in review["problems"]:
            key = (problem["category_order"], problem["category"])
            group = groups.setdefault(key, CategoryProblems(problem["category"]))
            if problem["text"] not in group.problems:
                group.problems.append(problem["text"])
    return [groups[key] for key in sorted(groups)]


def sheet_context(sheet, *, cycle, published_at=None):
    """Context of templates/pdf/result.html and the secretary's result page from a sheet."""
    criteria = [{"name": c["name"], "max_points": Decimal(c["max_points"])} for c in sheet["criteria"]]
    averages = [_decimal(value) for value in sheet["criterion_averages"]]
    reviews = sheet["reviews"]
    ballot = None
    if sheet["ballot"]:
        lines = [
            SimpleNamespace(
                group=SimpleNamespace(name=line["group"]["name"], weight=Decimal(line["group"]["weight"])) if line["group"] else None,
                label=line["label"],
                weight=_decimal(line["weight"]),
                pooled=line["pooled"],
                is_total=line["is_total"],
                counts=line["counts"],
                total=line["total"],
                best_share=_decimal(line["best_share"]),
                top_two_share=_decimal(line["top_two_share"]),
                score=_decimal(line["score"]),
            )
            for line in sheet["ballot"]["lines"]
        ]
        ballot = ([SimpleNamespace(label=label) for label in sheet["ballot"]["marks"]], SheetTally(lines))
    known = [average for average in averages if average is not None]
    return {
        "cycle": cycle,
        "published_at": published_at,
        "organization": {"name": sheet["organization"]},
        "secretary_name": sheet["secretary"],
        "row": {
            "total": _decimal(sheet["total"]),
            "rank": sheet["rank"],
            "grade": sheet["grade"],
            "grade_label": sheet["grade_label"],
        },
        "aggregation": sheet["aggregation"],
        "reviewers": [review["reviewer"] for review in reviews],
        "score_lines": [
            ScoreLine(criterion, [_decimal(review["scores"][index]) for review in reviews], averages[index])
            for index, criterion in enumerate(criteria)
        ],
        "rubric_max": sum((criterion["max_points"] for criterion in criteria), Decimal(0)),
        "reviewer_totals": [Decimal(review["total"]) for review in reviews],
        "average_total": round2(sum(known, Decimal(0))) if known else None,
        "components": [(c["label"], Decimal(c["weight"]), _decimal(c["score"])) for c in sheet["components"]],
        "ballot": ballot,
        "show_rank": sheet["show_rank"],
        "ranked_count": sheet["ranked_count"],
        "comments": [(review["reviewer"], review["comment"]) for review in reviews if review["comment"].strip()],
        "reviews": reviews,
        "problem_groups": sheet_problem_groups(sheet),
        "generated_at": timezone.localtime(),
    }


def live_sheet(report, settings=None):
    """The result sheet of a report computed from live data (the administrator's preview, and
    what a publication freezes)."""
    settings = settings or result_settings_for(report.cycle)
    row, reviews, ranked_count = secretary_result(report, settings)
    return result_sheet(
        row, reviews, settings=settings, ranked_count=ranked_count,
        pseudonyms=reviewer_pseudonyms(report.cycle), ballot=ballot_tally_for_report(report),
    )


def cycle_sheets(cycle, settings):
    """{report id: result sheet} of every report of the cycle, from live data, in a constant
    number of queries (what a publication freezes)."""
    rows = cycle_results(cycle, settings)
    reviews = {}
    for review in submitted_reviews_of_cycle(cycle):
        reviews.setdefault(review.report_id, []).append(review)
    ranked_count = sum(1 for row in rows if row.rank is not None)
    pseudonyms = reviewer_pseudonyms(cycle)
    evaluation = evaluation_of(cycle)
    tallies = {}
    if evaluation is not None and evaluation.status == Evaluation.Status.CLOSED:
        marks = list(evaluation.marks.all())
        tallies = {tally.entry.report_id: (marks, tally) for tally in evaluation_tally(evaluation)}
    return {
        row.report.pk: result_sheet(
            row, reviews.get(row.report.pk, []), settings=settings, ranked_count=ranked_count,
            pseudonyms=pseudonyms, ballot=tallies.get(row.report.pk),
        )
        for row in rows
    }


def result_context(row, reviews, *, settings, ranked_count):
    """Context of templates/pdf/result.html from one ResultRow and its submitted reviews
    (reviews.selectors.reviews_for_report: scores and problems prefetched), live."""
    report = row.report
    sheet = result_sheet(
        row, reviews, settings=settings, ranked_count=ranked_count,
        pseudonyms=reviewer_pseudonyms(report.cycle), ballot=ballot_tally_for_report(report),
    )
    return {**sheet_context(sheet, cycle=report.cycle), "report": report, "settings": settings}


def result_pdf(row, reviews, *, settings, ranked_count):
    return render_pdf(
        "pdf/result.html", result_context(row, reviews, settings=settings, ranked_count=ranked_count), stylesheets=("sheet.css",)
    )


def result_pdf_for_report(report):
    """The result sheet of one report: while the cycle's results are published, the frozen
    sheet of the publication in force; otherwise (the administrator's preview) live data."""
    publication, sheet = published_sheet(report)
    if sheet is None:
        sheet = live_sheet(report)
    context = sheet_context(sheet, cycle=report.cycle, published_at=publication.published_at if publication else None)
    return render_pdf("pdf/result.html", {**context, "report": report}, stylesheets=("sheet.css",))


def result_filename(report):
    return safe_filename(f"{report.organization.name}{report.cycle.year}年度述职评议结果") + ".pdf"


# --- The annual summary ------------------------------------------------------------------


@dataclass
class GradeBar:
    label: str
    count: int
    percent: Decimal
    width: Decimal  # bar length, % of the longest bar


def grade_bars(distribution):
    """The grade distribution as bars; the 未定等次 bar only when some report has no grade."""
    items = [item for item in distribution if item["grade"] or item["count"]]
    longest = max((item["count"] for item in items), default=0) or 1
    return [
        GradeBar(item["label"], item["count"], item["percent"], round2(Decimal(item["count"]) * 100 / longest))
        for item in items
    ]


def criterion_summary(rows, criteria):
    """[(criterion, mean of the organizations' averages, % of the maximum)] — every organization weighs the same."""
    result = []
    for index, criterion in enumerate(criteria):
        values = [row.criterion_averages[index][1] for row in rows if row.criterion_averages[index][1] is not None]
        mean = round2(sum(values, Decimal(0)) / len(values)) if values else None
        share = round2(mean * 100 / criterion.max_points) if mean is not None else None
        result.append((criterion, mean, share))
    return result


@dataclass
class CommonProblems:
    category: str
    mentions: int
    organizations: int
    top: list  # [(text, organizations, mentions)]


def common_problems(cycle, per_category=COMMON_PROBLEMS_PER_CATEGORY):
    """The problems named in the cycle's submitted reviews, by category: how often, in how
    many organizations, and the most common wordings. Two queries."""
    problems = Problem.objects.filter(review__report__cycle=cycle, review__status=Review.Status.SUBMITTED)
    categories = {
        item["category_id"]: item
        for item in problems.values("category_id", "category__name", "category__order")
        .annotate(mentions=Count("pk"), organizations=Count("review__report", distinct=True))
        .order_by()
    }
    top = {}
    for item in (
        problems.values("category_id", "text")
        .annotate(mentions=Count("pk"), organizations=Count("review__report", distinct=True))
        .order_by("-organizations", "-mentions", "text")
    ):
        texts = top.setdefault(item["category_id"], [])
        if len(texts) < per_category:
            texts.append((item["text"], item["organizations"], item["mentions"]))
    ordered = sorted(categories.values(), key=lambda item: (-item["organizations"], item["category__order"]))
    return [
        CommonProblems(item["category__name"], item["mentions"], item["organizations"], top[item["category_id"]])
        for item in ordered
    ]


def summary_table(cycle):
    """The ranking of the summary: cycle, settings, criteria, weighted components and
    rows [(ResultRow, component scores)]. Constant number of queries."""
    settings = result_settings_for(cycle)
    rows = cycle_results(cycle, settings)
    return {
        "cycle": cycle,
        "settings": settings,
        "criteria": list(cycle.criteria.all()),
        "components": components(settings),
        "rows": [(row, component_scores(row, settings)) for row in rows],
    }


def summary_context(cycle):
    """Context of templates/pdf/summary.html: the ranking, grade distribution, criterion
    averages and common problems. Constant number of queries."""
    context = summary_table(cycle)
    rows = [row for row, _scores in context["rows"]]
    return {
        **context,
        "organization_count": len(rows),
        "grade_bars": grade_bars(grade_distribution(cycle, context["settings"])),
        "criterion_summary": criterion_summary(rows, context["criteria"]),
        "common_problems": common_problems(cycle),
        "generated_at": timezone.localtime(),
        "date": timezone.localdate(),
    }


def summary_pdf(cycle):
    return render_pdf("pdf/summary.html", summary_context(cycle), stylesheets=("sheet.css",))


def summary_filename(cycle, extension):
    return safe_filename(f"{cycle.organization.name}{cycle.year}年度述职评议结果汇总") + f".{extension}"


# --- The annual summary as an Excel workbook ---------------------------------------------

SCORE_FORMAT = "0.00"


def _plain(number):
    """25.0 → "25", 12.5 → "12.5"."""
    return f"{Decimal(number).normalize():f}"


def _summary_sheet(sheet, context):
    from openpyxl.styles import Alignment, Font

    cycle = context["cycle"]
    labels = (
        ["排名", "党组织", "书记"]
        + [f"{criterion.name}（满分{_plain(criterion.max_points)}）" for criterion in context["criteria"]]
        + [f"{label}得分（{_plain(weight)}%）" for _name, label, weight in context["components"]]
        + ["综合得分", "等次", "备注"]
    )
    title = f"{cycle.organization.name}{cycle.year}年度党组织书记抓基层党建工作述职评议结果汇总表"
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(labels))
    rows = []
    for row, scores in context["rows"]:
        remarks = list(row.flags)
        if row.is_overridden:
            remarks.append(f"等次经调整（计算等次：{row.computed_grade_label}；理由：{row.override_reason}）")
        rows.append(
            [row.rank, row.organization.name, row.secretary.display_name if row.secretary else ""]
            + [average for _criterion, average in row.criterion_averages]
            + [score for _label, _weight, score in scores]
            + [row.total, row.grade_label, "；".join(remarks)]
        )
    write_table(sheet, 2, labels, rows, decimal_format=SCORE_FORMAT)
    sheet.freeze_panes = "C3"  # title and header rows, rank and organization columns
    sheet.row_dimensions[2].height = 48


def _detail_sheet(sheet, cycle, settings):
    reviewers = User.objects.filter(reviews__report__cycle=cycle, reviews__status=Review.Status.SUBMITTED)
    labels = reviewer_labels(reviewers.distinct().order_by("username"), settings.show_reviewer_names, reviewer_pseudonyms(cycle))
    scores = (
        Score.objects.filter(review__report__cycle=cycle, review__status=Review.Status.SUBMITTED)
        .order_by(
            "review__report__organization__order",
            "review__report__organization_id",
            "review__reviewer__username",
            "criterion__order",
            "criterion_id",
        )
        .values_list("review__report__organization__name", "review__reviewer_id", "criterion__name", "criterion__max_points", "points")
    )
    rows = (
        [organization, labels[reviewer_id], criterion, max_points, points]
        for organization, reviewer_id, criterion, max_points, points in scores.iterator()
    )
    write_table(sheet, 1, ["党组织", "评议人", "评价指标", "满分", "得分"], rows)
    sheet.auto_filter.ref = f"A1:E{sheet.max_row}"


def summary_workbook(cycle):
    """The summary as .xlsx bytes: sheet 汇总 (the ranking, one row per organization) and
    sheet 评分明细 (every submitted score). Chinese headers, frozen header rows, numbers as numbers."""
    from openpyxl import Workbook

    context = summary_table(cycle)
    workbook = Workbook()
    summary = workbook.active
    summary.title = "汇总"
    _summary_sheet(summary, context)
    _detail_sheet(workbook.create_sheet("评分明细"), cycle, context["settings"])
    workbook.properties.title = f"{cycle.year}年度述职评议结果汇总"
    return workbook_bytes(workbook)
