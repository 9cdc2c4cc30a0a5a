"""Scenes for the rectification tests, built through the real services: last year's cycle
(the world's cycle) reviewed and published, so each branch has its problem list. Plain
functions, shared by the fixtures here and the browser journey."""

import datetime

from reviews.models import ProblemCategory, RectificationPlan
from reviews.rectification.services import plan_approve, plan_save
from reviews.results.services import cycle_publish, results_compute
from reviews.services import assignment_add
from tests.factories import INCOMPLETE_OK, UserFactory, launch_cycle
from tests.reviews.helpers import submit_report, submit_review


def category(name):
    return ProblemCategory.objects.get(name=name)


def build_published(w):
    """The world's cycle with report_a named three problems by two reviewers (two of them the
    same problem in other words), report_b one; results computed and published."""
    w.reviewer2 = UserFactory(username="reviewer2_t", name="李评议")
    w.committee.committee_members.add(w.reviewer2)
    for report in (w.report_a, w.report_b):
        assignment_add(report=report, reviewer=w.reviewer2, by=w.admin)
    submit_report(w.report_a)
    submit_report(w.report_b)
    organizing, thinking = category("组织建设"), category("思想政治建设")
    submit_review(
        w.report_a,
        w.reviewer,
        90,
        problems=[
            {"text": "“三会一课”记录不规范", "category": organizing},
            {"text": "理论学习不够深入", "category": thinking},
        ],
    )
    submit_review(w.report_a, w.reviewer2, 85, problems=[{"text": "三会一课记录不够规范", "category": organizing}])
    submit_review(w.report_b, w.reviewer, 80, problems=[{"text": "党建与业务融合不够", "category": category("作风建设")}])
    results_compute(cycle=w.cycle, by=w.admin)
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    w.cycle.refresh_from_db()
    w.plan_a = RectificationPlan.objects.get(report=w.report_a)
    w.plan_b = RectificationPlan.objects.get(report=w.report_b)
    w.items_a = list(w.plan_a.items.order_by("order"))
    w.item_a = w.items_a[0]
    return w


def fill_plan(plan, by, deadline=datetime.date(2026, 6, 30), submit=True):
    """Fill every item's measures, owner and deadline through the service (and submit)."""
    entries = {
        item.pk: {"measures": f"针对“{item.text}”建立台账，每月检查", "owner": "王书记", "deadline": deadline.isoformat()}
        for item in plan.items.all()
    }
    return plan_save(plan=plan, by=by, entries=entries, submit=submit)


def build_approved(w):
    """report_a's plan filled, submitted and approved."""
    fill_plan(w.plan_a, w.secretary_a)
    plan_approve(plan=w.plan_a, by=w.admin)
    w.plan_a.refresh_from_db()
    for item in w.items_a:
        item.refresh_from_db()
    return w


def build_next_year(w):
    """Next year's cycle of the committee, with report_a of next year (not started)."""
    w.next_cycle = launch_cycle(organization=w.committee, year=w.cycle.year + 1, by=w.admin)
    w.next_report_a = w.next_cycle.reports.get(organization=w.branch_a)
    return w
