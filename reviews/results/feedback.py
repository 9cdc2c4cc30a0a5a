"""点评反馈意见书 (feedback letters): one per organization, addressed to its secretary, drafted from
the published (frozen) result sheet: the reviewers' comments as 主要成绩, their problems by
category as 存在问题, and 整改要求 with the deadline the administrator set (Notice) and each item's
own deadline where the 整改清单 has one. As .docx (reports.word) and PDF; all of a cycle's as one
.zip for the administrator.

Reviewers are not named in a letter: it merges what they said, whatever the cycle's setting.
"""

import io
import zipfile

from django.utils import timezone

from branches.downloads import safe_filename, unique_name
from reports.pdf import Paragraph, chinese_numeral, render_pdf
from reports.word import OfficialDocument, chinese_date
from reviews.models import PublishedResult, RectificationItem
from reviews.results.documents import sheet_problem_groups
from reviews.results.selectors import notice_of


def letter_title(cycle, organization_name):
    return f"{organization_name}书记{cycle.year}年度抓基层党建工作述职评议点评反馈意见书"


def _p(text, heading="", level=0):
    return Paragraph(level, heading, text)


def letter_context(cycle, report, sheet, *, published_at, notice, deadlines):
    """The letter of one organization from its frozen sheet. `deadlines`: [(problem text, date)] of
    its 整改清单 items that have one."""
    organization = sheet["organization"]
    secretary = sheet["secretary"]
    grade = sheet["grade_label"]
    facts = []
    if grade:
        facts.append(f"述职评议等次为“{grade}”")
    if sheet["total"] is not None:
        facts.append(f"综合得分{sheet['total']}分")
    if sheet["show_rank"] and sheet["rank"]:
        facts.append(f"在{sheet['ranked_count']}个党组织中排名第{sheet['rank']}")
    opening = (
        f"根据{cycle.year}年度党组织书记抓基层党建工作述职评议考核工作安排，{cycle.organization.name}班子成员"
        f"对您{cycle.year}年度抓基层党建工作述职进行了评议。" + ("经综合评定，您" + "，".join(facts) + "。" if facts else "")
        + "现将点评意见反馈如下，请认真研究，抓好整改落实。"
    )
    comments = [review["comment"].strip() for review in sheet["reviews"] if review["comment"].strip()]
    achievements = [_p(text) for text in dict.fromkeys(comments)] or [_p("（评议中未提出点评意见。）")]
    groups = sheet_problem_groups(sheet)
    problems = []
    for number, group in enumerate(groups, start=1):
        problems.append(_p("", heading=f"（{chinese_numeral(number)}）{group.category}方面", level=2))
        problems.extend(_p(f"{index}. {text}") for index, text in enumerate(group.problems, start=1))
    if not problems:
        problems = [_p("评议中未查摆出具体问题。")]
    when = f"于{chinese_date(notice.rectification_deadline)}前" if notice.rectification_deadline else "按要求"
    requirements = [
        _p(
            f"请针对上述问题，逐条制定整改措施，明确责任人和整改时限，{when}在述评系统中提交整改清单，"
            "经审核后抓好落实，并在下一年度述职报告中专门报告整改情况。"
        )
    ]
    if deadlines:
        requirements.append(_p("已确定的整改时限："))
        requirements.extend(_p(f"{index}. {text}：{chinese_date(date)}前完成。") for index, (text, date) in enumerate(deadlines, start=1))
    return {
        "cycle": cycle,
        "report": report,
        "title": letter_title(cycle, organization),
        "addressee": f"{secretary}同志" if secretary else organization,
        "opening": _p(opening),
        "sections": [
            ("一、主要成绩", achievements),
            ("二、存在问题", problems),
            ("三、整改要求", requirements),
        ],
        "organization": cycle.organization.name,
        "date": timezone.localtime(published_at).date(),
    }


def letters(cycle):
    """[letter context] of every organization in the publication in force, in the organizations'
    order. A constant number of queries."""
    published = list(
        PublishedResult.objects.filter(publication__cycle=cycle, publication__withdrawn_at__isnull=True)
        .select_related("publication", "report__organization")
        .order_by("report__organization__order", "report__organization_id")
    )
    notice = notice_of(cycle)
    deadlines = {}
    for report_id, text, date in (
        RectificationItem.objects.filter(plan__report__cycle=cycle, deadline__isnull=False)
        .order_by("plan__report_id", "order", "pk")
        .values_list("plan__report_id", "text", "deadline")
    ):
        deadlines.setdefault(report_id, []).append((text, date))
    return [
        letter_context(
            cycle, item.report, item.sheet, published_at=item.publication.published_at, notice=notice,
            deadlines=deadlines.get(item.report_id, []),
        )
        for item in published
    ]


def letter_for_report(report):
    """The letter of one report, or None when its results are not published."""
    published = (
        PublishedResult.objects.filter(report=report, publication__withdrawn_at__isnull=True).select_related("publication").first()
    )
    if published is None:
        return None
    deadlines = list(
        RectificationItem.objects.filter(plan__report=report, deadline__isnull=False).order_by("order", "pk").values_list("text", "deadline")
    )
    return letter_context(
        report.cycle, report, published.sheet, published_at=published.publication.published_at,
        notice=notice_of(report.cycle), deadlines=deadlines,
    )


def letter_docx(context):
    doc = OfficialDocument(title=context["title"], author=context["organization"])
    doc.title(context["title"])
    doc.addressee(context["addressee"])
    doc.paragraphs([context["opening"]])
    for heading, items in context["sections"]:
        doc.heading(heading, level=1)
        doc.paragraphs(items)
    doc.signature(context["organization"], context["date"])
    return doc.to_bytes()


def letter_pdf(context):
    return render_pdf("pdf/letter.html", context, stylesheets=("report.css", "notice.css"))


def letter_filename(context, extension):
    return safe_filename(context["title"]) + f".{extension}"


def letters_zip_write(cycle, fileobj, *, formats=("docx",), progress=None):
    """Write every letter of the cycle, in `formats` ("docx", "pdf"), into a .zip on `fileobj`."""
    contexts = letters(cycle)
    total = len(contexts) * len(formats)
    done = 0
    taken = set()
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_DEFLATED) as archive:
        for context in contexts:
            for extension in formats:
                content = letter_docx(context) if extension == "docx" else letter_pdf(context).content
                archive.writestr(unique_name(letter_filename(context, extension), taken), content)
                done += 1
                if progress:
                    progress(done, total)
    return total


def letters_zip(cycle, formats=("docx",)):
    buffer = io.BytesIO()
    letters_zip_write(cycle, buffer, formats=formats)
    return buffer.getvalue()


def letters_zip_filename(cycle, extension):
    return safe_filename(f"{cycle.organization.name}{cycle.year}年度点评反馈意见书（{extension.upper()}）") + ".zip"
