"""Demo data for rectification (called by seed_demo): last year's problem lists merged,
plans in every state, items in every state (with progress and an evidence file), and this
year's draft reports with the 上年度问题整改情况 section pre-filled.

The first branch's plan (secretary1) is left to be filled, the second waits for approval
(orgadmin approves it), so that both can be tried out.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from reports.models import Report
from reports.services import report_save_draft
from reviews.models import RectificationPlan
from reviews.rectification.problem_lists import items_merge
from reviews.rectification.selectors import rectification_prefill_text, rectification_today
from reviews.rectification.services import item_confirm, plan_approve, plan_return, plan_save, progress_report

MEASURES = [
    "制定专项整改方案，建立问题台账，支委会每月研究一次整改进展",
    "开展专题学习和培训，完善制度并严格执行，支部书记带头落实",
    "对照问题逐项建立整改责任清单，明确完成时限，组织委员跟踪督促",
]
OWNERS = ["支部书记", "组织委员", "宣传委员"]
PROGRESS = "已召开支委会专题研究，制定整改方案，完成组织生活记录本的统一和补录。"
# A minimal, valid one-page PDF used as the demo's evidence file.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _merge_duplicates(plan, by):
    """Merge the items several reviewers named in the same words (keeping who named them)."""
    by_text = {}
    for item in plan.items.prefetch_related("problems").order_by("order", "id"):
        by_text.setdefault(item.text, []).append(item)
    for items in by_text.values():
        if len(items) > 1:
            items_merge(plan=plan, items=items, by=by)


def _fill(plan, today, deadlines):
    items = list(plan.items.order_by("order", "id"))
    entries = {
        item.pk: {
            "measures": MEASURES[index % len(MEASURES)],
            "owner": OWNERS[index % len(OWNERS)],
            "deadline": deadlines[index % len(deadlines)](today),
        }
        for index, item in enumerate(items)
    }
    return items, entries


def seed_rectification(*, last_cycle, current_cycle, orgadmin, today=None):
    today = today or rectification_today()
    plans = list(
        RectificationPlan.objects.filter(report__cycle=last_cycle)
        .select_related("report__organization__secretary", "report__cycle__organization")
        .order_by("report__organization__order")
    )
    # Deadlines relative to today: overdue, due within a week, later, later.
    deadlines = [
        lambda d: d - datetime.timedelta(days=20),
        lambda d: d + datetime.timedelta(days=5),
        lambda d: d + datetime.timedelta(days=60),
        lambda d: d + datetime.timedelta(days=90),
    ]
    for index, plan in enumerate(plans):
        _merge_duplicates(plan, orgadmin)
        secretary = plan.report.organization.secretary
        if index == 0:
            continue  # secretary1 fills this one in the demo
        # Plans not yet approved only have deadlines ahead (overdue needs an approved plan to be meaningful).
        items, entries = _fill(plan, today, deadlines if index > 2 else deadlines[1:])
        plan_save(plan=plan, by=secretary, entries=entries, submit=True)
        if index == 1:
            continue  # waiting for orgadmin's approval
        if index == 2:
            plan_return(plan=plan, by=orgadmin, reason="整改措施不够具体，请写明完成标准和检查方式。")
            continue
        plan_approve(plan=plan, by=orgadmin)
        # Items in every state: overdue (the first deadline), not started, in progress, completed,
        # and one waiting for 销号.
        for number, item in enumerate(items):
            role = (number + index) % 4
            if role == 0:
                continue  # not started (overdue when its deadline is the past one)
            files = [SimpleUploadedFile("整改佐证材料.pdf", DEMO_PDF)] if number == 0 else []
            progress_report(item=item, by=secretary, text=PROGRESS, files=files, request_completion=role >= 2)
            if role == 3:
                item_confirm(item=item, by=orgadmin)

    # This year's draft reports were started when last year's items were there: their
    # 上年度问题整改情况 holds the pre-filled text, as the editor wrote it on first opening.
    for report in Report.objects.filter(cycle=current_cycle, status=Report.Status.DRAFT).select_related(
        "organization__secretary", "cycle"
    ):
        report_save_draft(
            report=report,
            by=report.organization.secretary,
            data={"rectification": rectification_prefill_text(report, today)},
            base_revision=report.revision,
        )
