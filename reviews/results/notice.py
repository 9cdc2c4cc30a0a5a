"""The 情况通报 (notice) of a cycle, drafted from its published results for the office to edit:
主送, 一、基本情况, 二、评议结果, 三、主要成效, 四、存在的共性问题, 五、下一步工作要求 (the
administrator's text, reviews.models.Notice), 附件 (the grade list), 落款 and date. As .docx
(reports.word) and PDF (templates/pdf/notice.html, the report's 公文 layout).

Every figure comes from the selectors the results page and the summary use (cycle_results,
grade_distribution, common_problems), so the notice and the page cannot disagree.
"""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from branches.downloads import safe_filename
from reports.models import FIGURES, Report, ReportVersion
from reports.pdf import Paragraph, chinese_numeral, paragraphs, render_pdf
from reports.word import OfficialDocument, chinese_date
from reviews.ballots.selectors import evaluation_of, evaluation_participation
from reviews.models import Evaluation, Review
from reviews.results.documents import plain_number
from reviews.results.selectors import cycle_results, grade_distribution, notice_of
from reviews.results.summary import common_problems
from reviews.selectors import latest_version, result_settings_for

# How many wordings per category the notice quotes.
NOTICE_WORDINGS_PER_CATEGORY = 3
# Figures the 主要成效 paragraph totals, in this order (member_count is a head count, said apart).
ACHIEVEMENT_FIGURES = ["member_meetings", "committee_meetings", "group_meetings", "party_lectures", "theme_days", "new_members"]
ACHIEVEMENT_WORDS = {
    "member_meetings": ("召开支部党员大会", "次"),
    "committee_meetings": ("召开支委会", "次"),
    "group_meetings": ("召开党小组会", "次"),
    "party_lectures": ("讲党课", "次"),
    "theme_days": ("开展主题党日", "次"),
    "new_members": ("发展党员", "名"),
}


@dataclass
class NoticeSection:
    heading: str
    paragraphs: list = field(default_factory=list)  # reports.pdf.Paragraph


def notice_title(cycle):
    return f"关于{cycle.year}年度党组织书记抓基层党建工作述职评议考核情况的通报"


def figure_totals(cycle):
    """{figure: (total, reports that gave it)} over the latest submitted version of each submitted
    report. One query."""
    latest = Report.objects.filter(cycle=cycle, status=Report.Status.SUBMITTED).annotate(version_id=latest_version())
    totals = {name: [0, 0] for name in FIGURES}
    for figures in ReportVersion.objects.filter(pk__in=latest.values("version_id")).values_list("figures", flat=True):
        for name in FIGURES:
            value = (figures or {}).get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                totals[name][0] += value
                totals[name][1] += 1
    return {name: tuple(value) for name, value in totals.items()}


def _p(text, heading="", level=0):
    return Paragraph(level, heading, text)


def notice_context(cycle):
    """Everything the notice says, as sections of paragraphs plus the attachment's grade list."""
    settings = result_settings_for(cycle)
    rows = cycle_results(cycle, settings)
    distribution = grade_distribution(cycle, settings)
    notice = notice_of(cycle)
    organization = cycle.organization.name
    submitted = sum(1 for row in rows if row.is_submitted)
    reviews = Review.objects.filter(report__cycle=cycle, status=Review.Status.SUBMITTED).aggregate(
        reviewers=Count("reviewer", distinct=True), reviews=Count("pk")
    )

    # 一、基本情况
    when = f"{chinese_date(cycle.meeting_date)}，" if cycle.meeting_date else ""
    basic = [
        f"{when}{organization}召开{cycle.year}年度党组织书记抓基层党建工作述职评议会。"
        f"参加述职评议的党组织共{len(rows)}个，其中{submitted}个党组织书记提交了述职报告。"
        f"{reviews['reviewers']}名班子成员对述职报告逐一评议打分、点评，共提交评议{reviews['reviews']}份。"
    ]
    evaluation = evaluation_of(cycle)
    if evaluation is not None and evaluation.status == Evaluation.Status.CLOSED:
        participation = evaluation_participation(evaluation)
        percent = f"，参测率{participation.percent}%" if participation.percent is not None else ""
        basic.append(f"会上进行了民主测评，应参加测评{participation.expected}人，实际参加{participation.voted}人{percent}。")
    weights = [
        (label, weight)
        for label, weight in (("现场述职评议", settings.review_weight), ("日常考核", settings.routine_weight), ("民主测评", settings.ballot_weight))
        if weight
    ]
    if weights:
        basic.append(
            "综合评价按" + "、".join(f"{label}{plain_number(weight)}%" for label, weight in weights) + "的权重计算综合得分，评定等次。"
        )

    # 二、评议结果
    names = {}
    for row in rows:
        names.setdefault(row.grade, []).append(row.organization.name)
    result_lines = []
    for item in distribution:
        if not item["count"]:
            continue
        listed = "、".join(names.get(item["grade"], []))
        label = f"“{item['label']}”等次" if item["grade"] else "未评定等次的"
        result_lines.append(f"{label}{item['count']}个（占{item['percent']}%）：{listed}。")
    results = [_p(f"经综合评定，{len(rows)}个党组织书记抓基层党建工作述职评议等次如下：")] + [_p(line) for line in result_lines]
    if not result_lines:
        results = [_p("尚未评定等次。")]

    # 三、主要成效
    totals = figure_totals(cycle)
    achievements = [
        f"{ACHIEVEMENT_WORDS[name][0]}{totals[name][0]}{ACHIEVEMENT_WORDS[name][1]}"
        for name in ACHIEVEMENT_FIGURES
        if totals[name][1]
    ]
    effects = []
    if achievements:
        effects.append(f"据{submitted}份述职报告统计，各党组织全年共" + "，".join(achievements) + "。")
    if totals["member_count"][1]:
        effects.append(f"{totals['member_count'][1]}个党组织现有党员共{totals['member_count'][0]}名。")
    if not effects:
        effects.append("述职报告未填写关键数据。")

    # 四、存在的共性问题
    problems = []
    for number, group in enumerate(common_problems(cycle, per_category=NOTICE_WORDINGS_PER_CATEGORY), start=1):
        wordings = "；".join(f"{text}（{organizations}个党组织）" for text, organizations, _mentions in group.top)
        problems.append(
            _p(
                f"涉及{group.organizations}个党组织，评议中共指出{group.mentions}条，主要是：{wordings}。",
                heading=f"（{chinese_numeral(number)}）{group.category}方面。",
                level=2,
            )
        )
    if not problems:
        problems = [_p("评议中未查摆出共性问题。")]

    # 五、下一步工作要求
    requirements = paragraphs(notice.requirements) or [_p("（请填写下一步工作要求。）")]

    attachment_title = f"{cycle.year}年度党组织书记抓基层党建工作述职评议等次名单"
    return {
        "cycle": cycle,
        "title": notice_title(cycle),
        "addressee": notice.addressee,
        "opening": _p(
            f"根据年度述职评议考核工作安排，{organization}组织开展了{cycle.year}年度党组织书记抓基层党建工作述职评议考核。现将有关情况通报如下。"
        ),
        "sections": [
            NoticeSection("一、基本情况", [_p(text) for text in basic]),
            NoticeSection("二、评议结果", results),
            NoticeSection("三、主要成效", [_p(text) for text in effects]),
            NoticeSection("四、存在的共性问题", problems),
            NoticeSection("五、下一步工作要求", requirements),
        ],
        "attachment_title": attachment_title,
        "attachment_header": ["序号", "党组织", "书记", "综合得分", "等次"],
        "attachment_rows": [
            [index, row.organization.name, row.secretary.display_name if row.secretary else "", row.total, row.grade_label or "未定"]
            for index, row in enumerate(rows, start=1)
        ],
        "organization": organization,
        "date": timezone.localdate(),
        "generated_at": timezone.localtime(),
    }


def notice_docx(cycle, context=None):
    context = context or notice_context(cycle)
    doc = OfficialDocument(title=context["title"], author=context["organization"])
    doc.title(context["title"])
    doc.addressee(context["addressee"])
    doc.paragraphs([context["opening"]])
    for section in context["sections"]:
        doc.heading(section.heading, level=1)
        doc.paragraphs(section.paragraphs)
    doc.attachments([context["attachment_title"]])
    doc.signature(context["organization"], context["date"])
    doc.page_break()
    doc.paragraph("", heading="附件", level=1, indent=False)
    doc.title(context["attachment_title"])
    doc.table(context["attachment_header"], context["attachment_rows"], align=["center", "left", "left", "right", "center"])
    return doc.to_bytes()


def notice_pdf(cycle, context=None):
    context = context or notice_context(cycle)
    return render_pdf("pdf/notice.html", {**context, "opening_items": [context["opening"]]}, stylesheets=("report.css", "notice.css"))


def notice_filename(cycle, extension):
    return safe_filename(f"{cycle.organization.name}{cycle.year}年度述职评议情况通报") + f".{extension}"
