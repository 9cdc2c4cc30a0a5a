"""The result sheet of one organization: data → context for templates/pdf/result.html (the annual
summary is reviews.results.summary). Rendering itself is reports.pdf.render_pdf.

Reviewer names: every document shows them only when the cycle's setting
`show_reviewer_names` allows; otherwise reviewers are 评议人N, the cycle's random numbering
(ReviewerPseudonym), the same on every page and document.
One rule for all documents, because result sheets are handed on and circulated.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from branches.downloads import safe_filename
from reports.pdf import chinese_numeral, render_pdf
from reports.word import OfficialDocument, chinese_date
from reviews.ballots.selectors import ballot_tally_for_report, evaluation_of, evaluation_tally
from reviews.computation import COMPONENTS, round2
from reviews.models import Evaluation
from reviews.results.selectors import cycle_results, secretary_result
from reviews.selectors import published_sheet, result_settings_for, reviewer_pseudonyms, submitted_reviews_of_cycle


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


def label_order(label):
    """评议人2 before 评议人10; names (when shown) after, alphabetically."""
    digits = label[3:] if label.startswith("评议人") else ""
    return (0, int(digits), "") if digits.isdigit() else (1, 0, label)


def rank_scope(ranked_count, report_count=None):
    """Out of what a rank is: the organizations that have a total (only they are ranked), saying
    so when the cycle has more (sheets published before report_count was kept pass None)."""
    if report_count == ranked_count:
        return f"共{ranked_count}个"
    if report_count is None:
        return f"{ranked_count}个参加排名"
    return f"{report_count}个党组织中{ranked_count}个有综合得分、参加排名"


def rank_text(rank, ranked_count, report_count=None):
    return f"{rank}（{rank_scope(ranked_count, report_count)}）" if rank else "—"


def result_sheet(row, reviews, *, settings, ranked_count, pseudonyms, ballot=None, report_count=None):
    """Everything the result page and the result PDF show of one organization, as JSON-able
    data: this is what a publication freezes (PublishedResult.sheet). `reviews` are its submitted
    reviews (reviews_for_report), `ballot` its (marks, EntryTally) or None. Reviewers appear as
    the cycle's pseudonyms unless the cycle shows names; columns follow the pseudonym numbers."""
    labels = reviewer_labels([review.reviewer for review in reviews], settings.show_reviewer_names, pseudonyms)
    reviews = sorted(reviews, key=lambda review: label_order(labels[review.reviewer_id]))
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
        "report_count": report_count,  # all the cycle's organizations, ranked or not
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
    """A frozen sheet's ballot tally, read as reviews.ballots.selectors.EntryTally is: the lines shown
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
        "rank_text": rank_text(sheet["rank"], sheet["ranked_count"], sheet.get("report_count")),
        "rank_scope": rank_scope(sheet["ranked_count"], sheet.get("report_count")),
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
        report_count=report.cycle.reports.count(),
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
            pseudonyms=pseudonyms, ballot=tallies.get(row.report.pk), report_count=len(rows),
        )
        for row in rows
    }


def result_context(row, reviews, *, settings, ranked_count, report_count=None):
    """Context of templates/pdf/result.html from one ResultRow and its submitted reviews
    (reviews.selectors.reviews_for_report: scores and problems prefetched), live."""
    report = row.report
    sheet = result_sheet(
        row, reviews, settings=settings, ranked_count=ranked_count,
        pseudonyms=reviewer_pseudonyms(report.cycle), ballot=ballot_tally_for_report(report),
        report_count=report.cycle.reports.count() if report_count is None else report_count,
    )
    return {**sheet_context(sheet, cycle=report.cycle), "report": report, "settings": settings}


def result_pdf(row, reviews, *, settings, ranked_count):
    return render_pdf(
        "pdf/result.html", result_context(row, reviews, settings=settings, ranked_count=ranked_count), stylesheets=("sheet.css",)
    )


def result_context_for_report(report):
    """The result sheet of one report as document context: while the cycle's results are
    published, the frozen sheet of the publication in force; otherwise (the administrator's
    preview) live data."""
    publication, sheet = published_sheet(report)
    if sheet is None:
        sheet = live_sheet(report)
    context = sheet_context(sheet, cycle=report.cycle, published_at=publication.published_at if publication else None)
    return {**context, "report": report}


def result_pdf_for_report(report):
    return render_pdf("pdf/result.html", result_context_for_report(report), stylesheets=("sheet.css",))


def result_docx_for_report(report):
    return result_docx(result_context_for_report(report))


def result_docx(context):
    """The result sheet as .docx: the sections of templates/pdf/result.html."""
    cycle, organization = context["cycle"], context["organization"]
    doc = OfficialDocument(title=f"{organization['name']}{cycle.year}年度述职评议结果", author=cycle.organization.name)
    doc.title(f"{cycle.year}年度党组织书记抓基层党建工作述职评议结果")
    doc.subtitle(organization["name"])
    published_at = context["published_at"]
    state = f"已于{chinese_date(timezone.localtime(published_at))}公布" if published_at else "尚未公布（仅供组织部门审核）"
    doc.table(
        ["项目", "内容"],
        [
            ["党组织", organization["name"]],
            ["书记", context["secretary_name"] or "—"],
            ["年度", f"{cycle.year}年度"],
            ["评议党组织", cycle.organization.name],
            ["状态", state],
        ],
        align=["center", "left"],
    )
    doc.heading("一、评分情况")
    if context["reviewers"]:
        doc.table(
            ["评价指标", "满分", *context["reviewers"], "平均"],
            [
                [line.criterion["name"], plain_number(line.criterion["max_points"]), *(plain_number(p) for p in line.points), line.average]
                for line in context["score_lines"]
            ]
            + [["合计", plain_number(context["rubric_max"]), *(plain_number(t) for t in context["reviewer_totals"]), context["average_total"]]],
            align=["left"] + ["right"] * (len(context["reviewers"]) + 2),
        )
    else:
        doc.paragraph("尚无已提交的评议。")
    doc.heading("二、综合评价")
    row = context["row"]
    header = [f"{label}得分（权重{plain_number(weight)}%）" for label, weight, _score in context["components"]] + ["综合得分"]
    values = [score for _label, _weight, score in context["components"]] + [row["total"]]
    if context["show_rank"]:
        header.append("排名")
        values.append(f"{row['rank']}（共{context['ranked_count']}）" if row["rank"] else None)
    header.append("等次")
    values.append(row["grade_label"] or "未定")
    doc.table(header, [values], align=["center"] * len(header))
    aggregation = (
        "去掉一个最高分和一个最低分后的平均（评议人不少于5人时）" if context["aggregation"] == "trimmed_mean" else "算术平均"
    )
    doc.small(f"评议得分为各评议人合计分的{aggregation}，折算为百分制。")
    if context["ballot"]:
        marks, tally = context["ballot"]
        labels = [mark.label for mark in marks]
        doc.small("民主测评票数（手机投票与纸质票合并）：")
        rows = []
        for line in tally.lines:
            label = line.label
            if not line.is_total:
                pooled = f"{'、'.join(line.pooled)}合并，" if line.pooled else ""
                label += f"（{pooled}权重{plain_number(line.weight)}）"
            rows.append(
                [label, *line.counts, line.total, _percent(line.best_share), _percent(line.top_two_share), line.score]
            )
        best = labels[0] if labels else ""
        second = labels[1] if len(labels) > 1 else ""
        doc.table(
            ["测评人类别", *labels, "合计", f"{best}率", f"{best}+{second}率", "得分"],
            rows,
            align=["left"] + ["right"] * (len(labels) + 4),
        )
    doc.heading("三、点评意见")
    for who, comment in context["comments"]:
        doc.paragraph(comment, heading=f"{who}：", level=0)
    if not context["comments"]:
        doc.paragraph("无。")
    doc.heading("四、查摆的问题")
    for number, group in enumerate(context["problem_groups"], start=1):
        doc.heading(f"（{chinese_numeral(number)}）{group.category}", level=2)
        for index, text in enumerate(group.problems, start=1):
            doc.paragraph(f"{index}. {text}")
    if not context["problem_groups"]:
        doc.paragraph("无。")
    date = published_at or context["generated_at"]
    doc.signature(cycle.organization.name, timezone.localtime(date).date(), lines=[f"生成时间：{timezone.localtime(context['generated_at']):%Y-%m-%d %H:%M}"])
    return doc.to_bytes()


def _percent(value):
    return None if value is None else f"{value}%"


def plain_number(value):
    """Decimal("25.00") → "25", 12.5 → "12.5", None → None (as the PDF's floatformat:"-1")."""
    return None if value is None else f"{Decimal(value).normalize():f}"


def result_filename(report, extension="pdf"):
    return safe_filename(f"{report.organization.name}{report.cycle.year}年度述职评议结果") + f".{extension}"
