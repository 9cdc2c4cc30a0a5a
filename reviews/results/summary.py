"""The annual summary (年度汇总): data → context for templates/pdf/summary.html, and the same
as an Excel workbook. Reviewer names follow the one rule of reviews.results.documents."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from branches.charts import Series, TableColumn, bar_chart
from branches.downloads import safe_filename, workbook_bytes, write_table
from branches.models import User
from reports.pdf import render_pdf
from reviews.computation import round2
from reviews.models import Problem, Review, Score
from reviews.results.documents import component_scores, components, reviewer_labels
from reviews.results.selectors import cycle_results, grade_distribution
from reviews.selectors import result_settings_for, reviewer_pseudonyms

# How many distinct problems per category the summary lists.
COMMON_PROBLEMS_PER_CATEGORY = 5


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


def grade_chart(distribution, title="等次分布"):
    """The grade distribution as a bar chart (counts drawn; the table adds the shares). The
    未定等次 bar only when some report has no grade. The results page and the summary PDF both draw it."""
    items = [item for item in distribution if item["grade"] or item["count"]]
    return bar_chart(
        title=title,
        categories=[item["label"] for item in items],
        series=[Series("党组织数", [item["count"] for item in items])],
        unit="个",
        table_extra=[TableColumn("占比", [item["percent"] for item in items], "%")],
    )


def criterion_chart(summary):
    """Each criterion's mean as a share of its maximum (得分率), from criterion_summary."""
    return bar_chart(
        title="各项评价指标得分率（平均得分 ÷ 满分）",
        categories=[criterion.name for criterion, _mean, _share in summary],
        series=[Series("得分率", [share for _criterion, _mean, share in summary])],
        unit="%",
        horizontal=True,
        value_max=100,
    )


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
    criteria = criterion_summary(rows, context["criteria"])
    return {
        **context,
        "organization_count": len(rows),
        "grade_chart": grade_chart(grade_distribution(cycle, context["settings"])),
        "criterion_summary": criteria,
        "criterion_chart": criterion_chart(criteria),
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
    context = summary_table(cycle)
    workbook = Workbook()
    summary = workbook.active
    summary.title = "汇总"
    _summary_sheet(summary, context)
    _detail_sheet(workbook.create_sheet("评分明细"), cycle, context["settings"])
    workbook.properties.title = f"{cycle.year}年度述职评议结果汇总"
    return workbook_bytes(workbook)
