"""Reads of rectification (整改): problem lists, plans, the ledger, last year's items.

Overdue (逾期) is derived, never stored: an item whose deadline is before `today` (a date in
Asia/Shanghai, passed explicitly so that tests control it) and which is not completed.
Every list is a constant number of queries.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Prefetch, Q, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from branches.permissions import is_administrator_of, is_secretary_of
from branches.selectors import organizations_administered_by
from reviews.models import Problem, RectificationEvent, RectificationEvidence, RectificationItem, RectificationPlan

OVERDUE = "overdue"
STATE_LABELS = {
    RectificationItem.Status.NOT_STARTED: "未开始",
    RectificationItem.Status.IN_PROGRESS: "整改中",
    OVERDUE: "逾期",
    RectificationItem.Status.COMPLETED: "已完成",
}
# Within this many days of its deadline an item is "due soon" (reminders, badges).
DUE_SOON_DAYS = 7


def rectification_today():
    """Today in the project's time zone (Asia/Shanghai)."""
    return timezone.localdate()


def overdue_q(today, prefix=""):
    return Q(**{f"{prefix}deadline__lt": today}) & ~Q(**{f"{prefix}status": RectificationItem.Status.COMPLETED})


def with_state(items, today):
    """Annotate `state`: completed, overdue (derived from the deadline), or the stored status."""
    return items.annotate(
        state=Case(
            When(status=RectificationItem.Status.COMPLETED, then=Value(RectificationItem.Status.COMPLETED)),
            When(overdue_q(today), then=Value(OVERDUE)),
            default="status",
            output_field=CharField(),
        )
    )


def state_label(state):
    return STATE_LABELS.get(state, "")


def with_state_text(items):
    """Evaluate items annotated by with_state and give each its label as `state_text`."""
    items = list(items)
    for item in items:
        item.state_text = state_label(item.state)
    return items


# ---------------------------------------------------------------- who may see what


def can_manage_plan(user, plan):
    """The administrators of the reviewing organization (merge, approve, confirm, reopen)."""
    return is_administrator_of(user, plan.report.cycle.organization)


def can_fill_plan(user, plan):
    """The secretary of the organization (measures, progress, evidence)."""
    return is_secretary_of(user, plan.report.organization)


def _plans():
    return RectificationPlan.objects.select_related(
        "report", "report__cycle", "report__cycle__organization", "report__organization", "report__organization__secretary", "decided_by"
    )


def plans_for_secretary(user):
    if not user.is_authenticated:
        return RectificationPlan.objects.none()
    return _plans().filter(report__organization__secretary=user).order_by("-report__cycle__year", "report__organization__order")


def plans_administered_by(user):
    if not user.is_authenticated:
        return RectificationPlan.objects.none()
    return _plans().filter(report__cycle__organization__in=organizations_administered_by(user))


def plans_visible_to(user):
    """The user's own organizations' plans and the plans of the cycles they administer."""
    if not user.is_authenticated:
        return RectificationPlan.objects.none()
    return _plans().filter(
        Q(report__organization__secretary=user)
        | Q(report__cycle__organization__in=organizations_administered_by(user))
    )


def plan_visible_or_404(user, pk):
    return get_object_or_404(plans_visible_to(user), pk=pk)


def plan_administered_or_404(user, pk):
    return get_object_or_404(plans_administered_by(user), pk=pk)


def item_visible_or_404(user, pk):
    return get_object_or_404(
        RectificationItem.objects.filter(plan__in=plans_visible_to(user)).select_related(
            "category",
            "completed_by",
            "plan__report__cycle__organization",
            "plan__report__organization__secretary",
        ),
        pk=pk,
    )


def evidence_visible_or_404(user, pk):
    return get_object_or_404(
        RectificationEvidence.objects.filter(item__plan__in=plans_visible_to(user)).select_related("item"), pk=pk
    )


# ---------------------------------------------------------------- lists


def _source_problems():
    return Prefetch(
        "problems",
        queryset=Problem.objects.select_related("review__reviewer", "category").order_by("review__reviewer__username", "id"),
    )


def plan_items(plan, today):
    """The plan's items with state, category and source problems (with who named them)."""
    return (
        with_state(plan.items.all(), today)
        .select_related("category", "completed_by")
        .prefetch_related(_source_problems())
        .order_by("order", "id")
    )


def item_history(item):
    """The item's events (and the plan-level ones), oldest first, with their evidence."""
    return (
        RectificationEvent.objects.filter(Q(item=item) | Q(plan=item.plan_id, item=None))
        .select_related("actor")
        .prefetch_related("evidence")
        .order_by("created_at", "id")
    )


def plan_history(plan):
    return RectificationEvent.objects.filter(plan=plan).select_related("actor", "item").order_by("-created_at", "-id")


def ledger_summary(cycle, today):
    """The ledger's counters over the whole cycle (database aggregates): counts by state, by
    category, the total and the completion rate. Two queries."""
    items = ledger_items(cycle, today)
    state_counts = {state: 0 for state in STATE_LABELS}
    for row in items.order_by().values("state").annotate(n=Count("pk")):
        state_counts[row["state"]] = row["n"]
    by_category = list(
        items.order_by()
        .values("category__name", "category__order")
        .annotate(
            total=Count("pk"),
            completed=Count("pk", filter=Q(status=RectificationItem.Status.COMPLETED)),
            overdue=Count("pk", filter=overdue_q(today)),
        )
        .order_by("category__order", "category__name")
    )
    total = sum(state_counts.values())
    return {
        "cycle": cycle,
        "today": today,
        "state_counts": [(state, STATE_LABELS[state], count) for state, count in state_counts.items()],
        "by_category": by_category,
        "total": total,
        "completion_rate": round(state_counts[RectificationItem.Status.COMPLETED] * 100 / total) if total else None,
    }


def ledger_plans(cycle, today):
    """The cycle's plans (one per organization) annotated with total, completed and overdue item
    counts; unsorted: see LEDGER_PLAN_SORTS."""
    return (
        _plans()
        .filter(report__cycle=cycle)
        .annotate(
            total=Count("items"),
            completed=Count("items", filter=Q(items__status=RectificationItem.Status.COMPLETED)),
            overdue=Count("items", filter=overdue_q(today, prefix="items__")),
        )
    )


def ledger_items(cycle, today, *, state="", category=None):
    """The cycle's rectification items with `state` (with_state), optionally only those in a state
    (a STATE_LABELS key) or a category (an id); unsorted: see LEDGER_ITEM_SORTS."""
    items = with_state(RectificationItem.objects.filter(plan__report__cycle=cycle), today)
    if state in STATE_LABELS:
        items = items.filter(state=state)
    if category is not None:
        items = items.filter(category_id=category)
    return items


def ledger_item_rows(items):
    return items.select_related("category", "plan__report__organization").annotate(
        overdue_first=Case(When(state=OVERDUE, then=Value(0)), default=Value(1))
    )


# The ledger page's sortable tables (branches.tables).
LEDGER_PLAN_SORTS = {
    "organization": ["report__organization__order", "report__organization__name"],
    "status": ["status", "report__organization__order"],
    "total": ["total", "report__organization__order"],
    "completed": ["completed", "report__organization__order"],
    "overdue": ["overdue", "report__organization__order"],
}
LEDGER_ITEM_SORTS = {
    "urgency": ["overdue_first", "deadline", "plan__report__organization__order", "order"],
    "organization": ["plan__report__organization__order", "plan__report__organization__name", "order"],
    "category": ["category__order", "plan__report__organization__order", "order"],
    "deadline": ["deadline", "plan__report__organization__order", "order"],
    "state": ["state", "deadline", "plan__report__organization__order", "order"],
}


@dataclass
class OrganizationLine:
    plan: RectificationPlan
    total: int
    completed: int
    overdue: int

    @property
    def completion_rate(self):
        return round(self.completed * 100 / self.total) if self.total else None


def organization_lines(plans):
    return [OrganizationLine(plan, plan.total, plan.completed, plan.overdue) for plan in plans]


def ledger(cycle, today):
    """The whole 整改台账 of a cycle (the exports): ledger_summary, one line per organization with
    its completion rate, and every item (overdue first, then by deadline). Four queries."""
    plans = ledger_plans(cycle, today).order_by("report__organization__order", "report__organization_id")
    rows = with_state_text(
        ledger_item_rows(ledger_items(cycle, today)).order_by(
            "overdue_first", "deadline", "plan__report__organization__order", "order", "id"
        )
    )
    return {**ledger_summary(cycle, today), "lines": organization_lines(plans), "items": rows}


def cycles_with_problem_lists(cycles):
    """Annotate cycles with plan_count (how many organizations have a problem list)."""
    # order_by: Meta.ordering does not apply to a GROUP BY query.
    return cycles.annotate(plan_count=Count("reports__rectification_plan", distinct=True)).order_by("-year", "organization_id")


# ---------------------------------------------------------------- into next year


def previous_plan(report):
    """The organization's plan from the latest earlier cycle of the same reviewing organization."""
    return (
        _plans()
        .filter(
            report__organization_id=report.organization_id,
            report__cycle__organization_id=report.cycle.organization_id,
            report__cycle__year__lt=report.cycle.year,
        )
        .order_by("-report__cycle__year")
        .first()
    )


def last_year_items(report, today):
    """(plan, [items with state]) of last year for this year's `report`; (None, []) if none."""
    plan = previous_plan(report)
    if plan is None:
        return None, []
    return plan, with_state_text(with_state(plan.items.all(), today).select_related("category").order_by("order", "id"))


def check_context_last_year(sender, *, report, **kwargs):
    """Receiver of reports.signals.report_check_context (connected in reviews.apps): the names of
    last year's problems, which the 体检 looks for in the 上年度问题整改情况 section."""
    plan = previous_plan(report)
    if plan is None:
        return None
    return {"last_year_items": list(plan.items.order_by("order", "id").values_list("text", flat=True))}


def rectification_prefill_text(report, today):
    """The 上年度问题整改情况 section drafted from last year's items, measures and states."""
    plan, items = last_year_items(report, today)
    if not items:
        return ""
    completed = sum(1 for item in items if item.state == RectificationItem.Status.COMPLETED)
    lines = [
        f"针对{plan.report.cycle.year}年度述职评议指出的{len(items)}个问题，支部逐条制定整改措施、明确责任人和整改时限。"
        f"截至目前，已完成整改{completed}项，尚未完成{len(items) - completed}项。"
    ]
    for number, item in enumerate(items, start=1):
        line = f"{number}. 关于“{item.text}”的问题（{item.category.name}）：整改状态为{state_label(item.state)}。"
        if item.measures.strip():
            line += f"整改措施：{item.measures.strip()}"
        if item.owner:
            line += f"（责任人：{item.owner}"
            line += f"，时限：{item.deadline:%Y年%-m月%-d日}）" if item.deadline else "）"
        lines.append(line)
    return "\n".join(lines)


# ---------------------------------------------------------------- reminders


def reminder_candidates(today):
    """(due_soon items, overdue items, plans waiting for approval) for the reminders."""
    active = RectificationItem.objects.filter(
        plan__status=RectificationPlan.Status.APPROVED, deadline__isnull=False
    ).exclude(status=RectificationItem.Status.COMPLETED).select_related(
        "plan__report__organization__secretary", "plan__report__cycle__organization"
    )
    due_soon = list(active.filter(deadline__gte=today, deadline__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)))
    overdue = list(active.filter(deadline__lt=today))
    waiting = list(_plans().filter(status=RectificationPlan.Status.SUBMITTED))
    return due_soon, overdue, waiting


def review_page_last_year(sender, *, report, **kwargs):
    """Receiver of reviews.signals.review_page_context (connected in reviews.apps): last year's
    plan and items beside the report the reviewer reads."""
    plan, items = last_year_items(report, rectification_today())
    return {"last_year_plan": plan, "last_year_items": items}
