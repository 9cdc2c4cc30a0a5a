"""The annual summary (年度汇总): data → context for templates/pdf/summary.html, and the same
as an Excel workbook. Reviewer names follow the one rule of reviews.results.documents."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from branches.charts import Series, TableColumn, bar_chart
from branches.downloads import cell_value, print_setup, safe_filename, workbook_bytes, write_table
from branches.models import User
from reports.pdf import chinese_numeral, render_pdf
from reports.word import OfficialDocument, chinese_date
from reviews.ballots.selectors import evaluation_of, evaluation_tally
from reviews.computation import round2
from reviews.models import Evaluation, Problem, Review, Score
from reviews.results.documents import component_scores, components, label_order, plain_number, reviewer_labels
from reviews.results.selectors import cycle_results, grade_distribution
from reviews.selectors import result_settings_for, reviewer_pseudonyms

# How many distinct problems per category the summary lists.
COMMON_PROBLEMS_PER_CATEGORY = 5
# The ranking's many columns in Word: 五号.
TABLE_SIZE_SMALL = Pt(10.5)


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
    distribution = grade_distribution(cycle, context["settings"])
    return {
        **context,
        "organization_count": len(rows),
        # The chart for the PDF, the bars' figures for Word and Excel (native tables and charts there).
        "grade_chart": grade_chart(distribution),
        "grade_bars": grade_bars(distribution),
        "criterion_summary": criteria,
        "criterion_chart": criterion_chart(criteria),
        "common_problems": common_problems(cycle),
        "generated_at": timezone.localtime(),
        "date": timezone.localdate(),
    }


def summary_pdf(cycle, context=None):
    return render_pdf("pdf/summary.html", context or summary_context(cycle), stylesheets=("sheet.css",))


def summary_docx(cycle, context=None):
    """The annual summary as .docx: the sections of templates/pdf/summary.html."""
    context = context or summary_context(cycle)
    doc = OfficialDocument(title=f"{cycle.organization.name}{cycle.year}年度述职评议结果汇总", author=cycle.organization.name)
    doc.title(f"{cycle.year}年度党组织书记抓基层党建工作\n述职评议结果汇总表")
    published = f"{chinese_date(timezone.localtime(cycle.published_at))}公布" if cycle.published_at else "尚未公布"
    doc.subtitle(f"{cycle.organization.name} · 共{context['organization_count']}个党组织 · {published}")
    doc.heading("一、综合排名")
    rows = []
    for row, scores in context["rows"]:
        name = row.organization.name + (f"（{'，'.join(row.flags)}）" if row.flags else "")
        grade = (row.grade_label or "—") + ("*" if row.is_overridden else "")
        rows.append(
            [row.rank, name, row.secretary.display_name if row.secretary else "", *(score for _l, _w, score in scores), row.total, grade]
        )
    labels = [f"{label}\n（{plain_number(weight)}%）" for _name, label, weight in context["components"]]
    doc.table(
        ["排名", "党组织", "书记", *labels, "综合得分", "等次"],
        rows,
        align=["center", "left", "left"] + ["right"] * (len(labels) + 1) + ["center"],
        size=TABLE_SIZE_SMALL,
    )
    if rows:
        doc.small("综合得分 = 各项得分 × 权重之和。标 * 的等次经组织部门调整。")
    doc.heading("二、等次分布")
    doc.table(
        ["等次", "数量", "比例"],
        [[bar.label, f"{bar.count}个", f"{bar.percent}%"] for bar in context["grade_bars"]],
        align=["center", "right", "right"],
    )
    doc.heading("三、各项评价指标平均得分")
    doc.table(
        ["评价指标", "满分", "平均得分", "得分率"],
        [
            [criterion.name, plain_number(criterion.max_points), mean, None if share is None else f"{share}%"]
            for criterion, mean, share in context["criterion_summary"]
        ],
        align=["left", "right", "right", "right"],
    )
    doc.heading("四、共性问题")
    for number, group in enumerate(context["common_problems"], start=1):
        doc.heading(f"（{chinese_numeral(number)}）{group.category}（涉及{group.organizations}个党组织，共{group.mentions}条）", level=2)
        for index, (text, organizations, _mentions) in enumerate(group.top, start=1):
            doc.paragraph(f"{index}. {text}（{organizations}个党组织）")
    if not context["common_problems"]:
        doc.paragraph("评议中未查摆问题。")
    doc.blank_line()
    doc.paragraph("制表人：　　　　　　审核人：", indent=False)
    doc.signature(
        f"{cycle.organization.name}（盖章）", context["date"],
        lines=[f"生成时间：{timezone.localtime(context['generated_at']):%Y-%m-%d %H:%M}"],
    )
    return doc.to_bytes()


def summary_filename(cycle, extension):
    return safe_filename(f"{cycle.organization.name}{cycle.year}年度述职评议结果汇总") + f".{extension}"


# --- The annual summary as an Excel workbook ---------------------------------------------

SCORE_FORMAT = "0.00"


def _summary_sheet(sheet, context):

    cycle = context["cycle"]
    labels = (
        ["排名", "党组织", "书记"]
        + [f"{criterion.name}（满分{plain_number(criterion.max_points)}）" for criterion in context["criteria"]]
        + [f"{label}得分（{plain_number(weight)}%）" for _name, label, weight in context["components"]]
        + ["综合得分", "等次", "备注"]
    )
    title = f"{cycle.organization.name}{cycle.year}年度党组织书记抓基层党建工作述职评议结果汇总表"
    sheet.cell(row=1, column=1, value=cell_value(title)).font = Font(bold=True, size=14)
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
    """评分明细 in wide form: one row per organization and reviewer, one column per criterion.
    Rows of an organization follow the reviewers' labels (评议人1, 2 …), never the usernames: the
    pseudonyms are drawn at random, and an order by account would give them away."""
    criteria = list(cycle.criteria.all())
    reviewers = User.objects.filter(reviews__report__cycle=cycle, reviews__status=Review.Status.SUBMITTED).distinct()
    labels = reviewer_labels(list(reviewers), settings.show_reviewer_names, reviewer_pseudonyms(cycle))
    column = {criterion.pk: index for index, criterion in enumerate(criteria)}
    lines = {}
    scores = (
        Score.objects.filter(review__report__cycle=cycle, review__status=Review.Status.SUBMITTED)
        .order_by("review__report__organization__order", "review__report__organization_id")
        .values_list("review__report__organization__name", "review__report_id", "review__reviewer_id", "criterion_id", "points")
    )
    for organization, report_id, reviewer_id, criterion_id, points in scores.iterator():
        line = lines.setdefault((report_id, reviewer_id), [organization, labels[reviewer_id]] + [None] * len(criteria))
        line[2 + column[criterion_id]] = points
    order = {key: index for index, key in enumerate(dict.fromkeys(report_id for report_id, _reviewer in lines))}
    rows = [
        line + [sum((points for points in line[2:] if points is not None), Decimal(0))]
        for (report_id, _reviewer), line in sorted(lines.items(), key=lambda item: (order[item[0][0]], label_order(item[1][1])))
    ]
    header = ["党组织", "评议人"] + [f"{criterion.name}（满分{plain_number(criterion.max_points)}）" for criterion in criteria] + ["合计"]
    write_table(sheet, 1, header, rows, decimal_format="0.0#")
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(sheet.max_row, 1)}"
    sheet.freeze_panes = "C2"
    sheet.row_dimensions[1].height = 48


def _grade_sheet(sheet, context):
    """等次分布 with a native bar chart over its figures."""
    write_table(sheet, 1, ["等次", "党组织数", "比例（%）"], [[bar.label, bar.count, bar.percent] for bar in context["grade_bars"]], decimal_format=SCORE_FORMAT)
    count = len(context["grade_bars"])
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = "等次分布"
    chart.y_axis.title = "党组织数"
    chart.legend = None
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=1 + count), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=1 + count))
    chart.height, chart.width = 7.5, 15
    sheet.add_chart(chart, "E2")


def _criteria_sheet(sheet, context):
    write_table(
        sheet, 1, ["评价指标", "满分", "平均得分", "得分率（%）"],
        [[criterion.name, criterion.max_points, mean, share] for criterion, mean, share in context["criterion_summary"]],
        decimal_format=SCORE_FORMAT,
    )


def _problems_sheet(sheet, context):
    rows = []
    for group in context["common_problems"]:
        for text, organizations, mentions in group.top:
            rows.append([group.category, group.organizations, group.mentions, text, organizations, mentions])
    write_table(sheet, 1, ["类别", "涉及党组织数", "问题条数", "主要表述", "该表述涉及党组织数", "该表述条数"], rows)


def _ballot_sheet(sheet, cycle):
    """民主测评: each organization's tally per voter group and mark, as the result sheet shows it
    (groups with fewer than MIN_GROUP_VOTES votes pooled, as everywhere)."""
    evaluation = evaluation_of(cycle)
    if evaluation is None or evaluation.status != Evaluation.Status.CLOSED:
        write_table(sheet, 1, ["说明"], [["本年度民主测评尚未结束或未进行。"]])
        return
    marks = [mark.label for mark in evaluation.marks.all()]
    best = marks[0] if marks else ""
    second = marks[1] if len(marks) > 1 else ""
    rows = []
    for tally in evaluation_tally(evaluation):
        for line in tally.lines:
            label = line.label if line.is_total else line.label + (f"（{'、'.join(line.pooled)}合并）" if line.pooled else "")
            rows.append(
                [tally.entry.report.organization.name, label, None if line.is_total else line.weight, *line.counts, line.total,
                 line.best_share, line.top_two_share, line.score]
            )
    write_table(
        sheet, 1, ["党组织", "测评人类别", "权重", *marks, "合计", f"{best}率（%）", f"{best}+{second}率（%）", "得分"], rows,
        decimal_format=SCORE_FORMAT,
    )


def _signature_rows(sheet, cycle, width, date):
    """制表人 / 审核人 and the 落款 under the table."""
    row = sheet.max_row + 2
    sheet.cell(row=row, column=1, value="制表人：")
    sheet.cell(row=row, column=3, value="审核人：")
    sheet.cell(row=row + 1, column=max(width - 2, 1), value=cell_value(f"{cycle.organization.name}（盖章）"))
    sheet.cell(row=row + 2, column=max(width - 2, 1), value=f"{date.year}年{date.month}月{date.day}日")


def summary_workbook(cycle):
    """The summary as .xlsx bytes, everything the PDF carries: 汇总 (the ranking, then 制表人 /
    审核人 / 落款), 等次分布 (with a native bar chart), 指标平均分, 共性问题, 民主测评 (tallies per
    group and mark) and 评分明细 (organization × reviewer × criterion). Chinese headers, frozen
    header rows, numbers as numbers, every sheet printable on A4 landscape."""
    context = summary_context(cycle)
    workbook = Workbook()
    summary = workbook.active
    summary.title = "汇总"
    _summary_sheet(summary, context)
    _signature_rows(summary, cycle, summary.max_column, context["date"])
    print_setup(summary, title_rows="1:2")
    for title, build in (
        ("等次分布", lambda sheet: _grade_sheet(sheet, context)),
        ("指标平均分", lambda sheet: _criteria_sheet(sheet, context)),
        ("共性问题", lambda sheet: _problems_sheet(sheet, context)),
        ("民主测评", lambda sheet: _ballot_sheet(sheet, cycle)),
        ("评分明细", lambda sheet: _detail_sheet(sheet, cycle, context["settings"])),
    ):
        sheet = workbook.create_sheet(title)
        build(sheet)
        print_setup(sheet, title_rows="1:1")
    workbook.properties.title = f"{cycle.year}年度述职评议结果汇总"
    return workbook_bytes(workbook)
