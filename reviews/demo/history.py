"""Demo data across years and levels (called by seed_demo), so that trends and comparisons show
something: a county committee (清河县委) above two townships — 城关街道党工委 (the main demo) and
东关镇党委 with its own branches and committee members — and closed years before last year.

Older years are written through the same services as the rest of the demo (reports submitted,
reviews, results computed, published, closed; problem lists filled, approved, mostly completed),
only with fewer problems per review, to keep `make run` quick.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from reports.models import Report, ReportVersion
from reports.services import report_save_draft, report_submit
from reviews.console.launch import cycle_launch
from reviews.models import Grade, RectificationPlan
from reviews.rectification.services import item_confirm, plan_approve, plan_save, progress_report
from reviews.results.services import cycle_close, cycle_publish, results_compute
from reviews.services import review_save, routine_score_set

COUNTY_NAME = "清河县委"
TOWNSHIP_NAME = "东关镇党委"
TOWNSHIP_REVIEWERS = [("reviewer4", "高德明"), ("reviewer5", "林秀英"), ("reviewer6", "马振华")]
TOWNSHIP_BRANCHES = [
    ("东关村党支部", "secretary9", "黄春生"),
    ("西坡村党支部", "secretary10", "曹丽娟"),
    ("南湖社区党支部", "secretary11", "谢永强"),
    ("镇机关党支部", "secretary12", "邓红霞"),
    ("东关中学党支部", "secretary13", "彭建华"),
    ("农业合作社党支部", "secretary14", "范志勇"),
]
COUNTY_REVIEWERS = [("county1", "宋立军"), ("county2", "唐晓梅")]

# Target totals by years back (3 = three years ago …). 城关's last year is the main demo's.
STREET_TARGETS = {3: [86, 82, 76, 90, 75, 72, 70, 64], 2: [90, 86, 80, 88, 78, 70, 62, 58]}
TOWNSHIP_TARGETS = {3: [78, 84, 66, 90, 72, 58], 2: [82, 86, 64, 88, 70, 56], 1: [87, 91, 68, 86, 74, 62]}
COUNTY_TARGETS = {3: [84, 80], 2: [88, 83], 1: [92, 86]}
# Reviewers' leanings (points above their colleagues): the third is stricter, for the calibration.
OFFSETS = [0, 2, -4]
# Problems named per branch (by index) every year: these come back (recurring in the analysis).
RECURRING = {2: "组织建设", 5: "作风建设"}

# The wording of a recurring category's problem.
PROBLEM_FOR = {
    "组织建设": ("“三会一课”记录不规范，组织生活质量不高", "组织建设"),
    "作风建设": ("党建与业务融合不够，存在“两张皮”现象", "作风建设"),
}


RECTIFICATION_TEXT = "针对上年度评议指出的问题，逐项制定整改措施并落实，已完成大部分整改事项，个别事项持续推进。"


def half_points(value):
    """Round to whole or half points, as reviewers score."""
    return (Decimal(value) * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2


def _grade(total):
    if total >= 90:
        return Grade.EXCELLENT
    if total >= 80:
        return Grade.GOOD
    if total >= 60:
        return Grade.FAIR
    return Grade.POOR


def report_write(report, text, secretary, seed):
    figures = {
        "member_meetings": 4, "committee_meetings": 12, "group_meetings": 24 + seed, "party_lectures": 4,
        "theme_days": 12, "member_count": 20 + 3 * seed, "new_members": seed % 3,
    }
    report_save_draft(report=report, by=secretary, data={**text, "rectification": RECTIFICATION_TEXT, **figures}, base_revision=None)
    report_submit(report=report, by=secretary)


def closed_year(*, committee, organizations, reviewers, year, targets, by, texts, problems, categories, comments, rng):
    """One closed year of `committee`: every report submitted and reviewed, computed, published,
    closed; problem lists approved and (mostly) completed."""
    tz = timezone.get_current_timezone()
    cycle = cycle_launch(
        organization=committee,
        year=year,
        title=f"{year}年度党组织书记抓基层党建工作述职评议",
        submission_deadline=datetime.datetime(year + 1, 1, 15, 18, 0, tzinfo=tz),
        meeting_date=datetime.date(year + 1, 1, 22),
        by=by,
    )
    criteria = list(cycle.criteria.all())
    for index, organization in enumerate(organizations):
        report = Report.objects.get(cycle=cycle, organization=organization)
        report_write(report, texts[index % len(texts)], organization.secretary, index)
        target = targets[index]
        for number, reviewer in enumerate(reviewers):
            total = max(30, min(100, target + OFFSETS[number % len(OFFSETS)]))
            named = []
            if number == 0 and index in RECURRING:
                named.append(PROBLEM_FOR[RECURRING[index]])
            if number == len(reviewers) - 1:
                named.append(rng.choice(problems))
            review_save(
                report=report,
                reviewer=reviewer,
                scores={c.pk: min(c.max_points, half_points(c.max_points * Decimal(total) / 100)) for c in criteria},
                comment=comments[(index + number) % len(comments)],
                suggested_grade=_grade(target),
                problems=[{"text": text, "category": categories[category]} for text, category in named],
                submit=True,
            )
        routine_score_set(report=report, score=Decimal(target), by=by)
    when = datetime.datetime(year + 1, 1, 10, 9, 30, tzinfo=tz)
    Report.objects.filter(cycle=cycle).update(submitted_at=when, is_late=False)
    ReportVersion.objects.filter(report__cycle=cycle).update(submitted_at=when, is_late=False)
    results_compute(cycle=cycle, by=by)
    cycle_publish(cycle=cycle, by=by, reason="演示数据：历史年度")
    cycle_close(cycle=cycle, by=by)
    _rectify(cycle, by, year)
    return cycle


def _rectify(cycle, by, year):
    """Every plan filled and approved; all items but every fourth completed (those stay overdue)."""
    deadline = datetime.date(year + 1, 6, 30)
    number = 0
    for plan in RectificationPlan.objects.filter(report__cycle=cycle).select_related("report__organization__secretary"):
        secretary = plan.report.organization.secretary
        items = list(plan.items.order_by("order", "id"))
        if not items:
            continue
        entries = {item.pk: {"measures": "制定整改方案，明确责任人和时限，逐项整改落实", "owner": "支部书记", "deadline": deadline} for item in items}
        plan_save(plan=plan, by=secretary, entries=entries, submit=True)
        plan_approve(plan=plan, by=by)
        for item in items:
            number += 1
            if number % 4 == 0:
                continue
            progress_report(item=item, by=secretary, text="已完成整改。", request_completion=True)
            item_confirm(item=item, by=by)
