"""The problem list (问题清单) of a published review: generated from the frozen sheets, kept
in step with a republication (proposals), merged and edited by the administrator."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from branches.services import notify
from reviews.common import clean_text
from reviews.models import Problem, ProblemCategory, ProblemListProposal, RectificationItem, RectificationPlan
from reviews.rectification.common import (
    Kind,
    PlanStatus,
    administrators_of,
    lock_item,
    lock_plan,
    plan_url,
    record_event,
    require,
    secretary_of,
)
from reviews.rectification.selectors import can_manage_plan
from reviews.selectors import current_publication

# ---------------------------------------------------------------- the problem list


def _sheet_problems(sheet):
    """[(text, category id, problem id)] of a published sheet, in the sheet's order."""
    return [
        (problem["text"], problem["category_id"], problem.get("id"))
        for review in sheet["reviews"]
        for problem in review["problems"]
    ]


def _problem_keys(sheet):
    """The multiset of (category id, text) a sheet names, as a sorted list."""
    return sorted((category_id, text) for text, category_id, _id in _sheet_problems(sheet or {"reviews": []}))


def _items_from_sheet(plan, sheet, carry_over=None):
    """Create the plan's items from a published sheet's problems, linking the reviewers'
    Problems that still exist; `carry_over` {(category id, text): item} keeps what the secretary
    had written for a problem that is still named."""
    problems = _sheet_problems(sheet)
    # The reviewers' problems that still exist, in the order the list has always had.
    existing = list(
        Problem.objects.filter(pk__in=[pid for _t, _c, pid in problems if pid])
        .order_by("review__reviewer__username", "order", "id")
        .values_list("pk", flat=True)
    )
    position = {pid: index for index, pid in enumerate(existing)}
    problems.sort(key=lambda problem: position.get(problem[2], len(position)))
    carry_over = carry_over or {}
    items = []
    for index, (text, category_id, _pid) in enumerate(problems):
        previous = carry_over.get((category_id, text))
        items.append(
            RectificationItem(
                plan=plan, text=text, category_id=category_id, order=index,
                measures=previous.measures if previous else "",
                owner=previous.owner if previous else "",
                deadline=previous.deadline if previous else None,
            )
        )
    items = RectificationItem.objects.bulk_create(items)
    RectificationItem.problems.through.objects.bulk_create(
        [
            RectificationItem.problems.through(rectificationitem_id=item.pk, problem_id=pid)
            for item, (_t, _c, pid) in zip(items, problems, strict=True)
            if pid in existing
        ]
    )
    return items


@transaction.atomic
def problem_list_generate(*, cycle, by):
    """Give each organization of a published cycle its problem list from the publication in
    force (the frozen sheets, never live reviews): one item per problem named. Organizations that
    already have a list are left alone (problem_lists_follow_publication updates them). Returns
    the number of new plans."""

    publication = current_publication(cycle)
    if publication is None:
        raise ValidationError("结果公布后才能生成问题清单。")
    created = 0
    published = publication.results.exclude(report__rectification_plan__isnull=False).order_by("report_id")
    for report_id, sheet in published.values_list("report_id", "sheet"):
        if not _sheet_problems(sheet):
            continue
        plan = RectificationPlan.objects.create(report_id=report_id)
        items = _items_from_sheet(plan, sheet)
        record_event(plan, by, Kind.GENERATED, text=f"根据第{publication.number}次公布的{len(items)}条评议意见生成问题清单")
        created += 1
    return created


@transaction.atomic
def problem_lists_follow_publication(*, cycle, publication, previous, by):
    """After a (re)publication each organization's problem list follows the new sheets:
    - no list yet: generated;
    - a list not yet approved whose problems changed: regenerated from the new sheet (what the
      secretary wrote for a problem still named is kept; a submitted list goes back to drafting);
    - an approved list whose problems changed: nothing is applied; each difference is offered to
      the administrators as a ProblemListProposal (add / remove) on the plan page.
    Returns {"generated", "regenerated", "proposed"} counts."""
    counts = {"generated": problem_list_generate(cycle=cycle, by=by), "regenerated": 0, "proposed": 0}
    if previous is None:
        return counts
    old_sheets = dict(previous.results.values_list("report_id", "sheet"))
    plans = RectificationPlan.objects.select_for_update(of=("self",)).filter(report__cycle=cycle).select_related(
        "report__organization__secretary", "report__cycle__organization"
    )
    new_sheets = dict(publication.results.values_list("report_id", "sheet"))
    for plan in plans:
        sheet = new_sheets.get(plan.report_id)
        if sheet is None or _problem_keys(old_sheets.get(plan.report_id)) == _problem_keys(sheet):
            continue
        if plan.status != PlanStatus.APPROVED:
            items = list(plan.items.all())
            carry_over = {(item.category_id, item.text): item for item in items}
            plan.items.all().delete()
            new_items = _items_from_sheet(plan, sheet, carry_over)
            if plan.status == PlanStatus.SUBMITTED:
                plan.status = PlanStatus.DRAFTING
                plan.save(update_fields=["status"])
            record_event(plan, by, Kind.REGENERATED, text=f"第{publication.number}次公布的问题有变化：问题清单由{len(items)}条重新生成为{len(new_items)}条")
            notify(users=secretary_of(plan), text=f"{plan.report.cycle.year}年度评议结果重新公布，您的问题清单已更新，请核对整改措施。", url=plan_url(plan))
            counts["regenerated"] += 1
            continue
        old, new = _problem_keys(old_sheets.get(plan.report_id)), _problem_keys(sheet)
        added, removed = list(new), []
        for key in old:
            if key in added:
                added.remove(key)
            else:
                removed.append(key)
        items = list(plan.items.all())
        proposals = [
            ProblemListProposal(plan=plan, publication=publication, kind=ProblemListProposal.Kind.ADD, text=text, category_id=category_id)
            for category_id, text in added
        ] + [
            ProblemListProposal(
                plan=plan, publication=publication, kind=ProblemListProposal.Kind.REMOVE, text=text, category_id=category_id,
                item=next((item for item in items if item.text == text), None),
            )
            for category_id, text in removed
        ]
        ProblemListProposal.objects.bulk_create(proposals)
        counts["proposed"] += len(proposals)
        notify(
            users=administrators_of(plan),
            text=f"{plan.report.organization}的整改清单已审核通过，重新公布的结果中问题有{len(proposals)}处变化，请在整改清单页面决定是否采纳。",
            url=plan_url(plan),
        )
    return counts


@transaction.atomic
def proposal_decide(*, proposal, by, accept):
    """The administrator accepts (applies) or dismisses a proposed change of an approved problem
    list. Accepting an addition adds the item (the secretary is told to fill in its measures);
    accepting a removal deletes the item the proposal points at. Decided once: a second decision
    (or a parallel one) is refused."""
    proposal = (
        ProblemListProposal.objects.select_for_update(of=("self",))
        .select_related("plan", "item", "category", "publication")
        .get(pk=proposal.pk)
    )
    plan = lock_plan(proposal.plan)
    require(can_manage_plan(by, plan), "只有本年度评议的管理员可以处理问题清单变更。")
    require(proposal.status == ProblemListProposal.Status.PENDING, "该变更已处理。")
    # An offer stands only while the publication that made it is in force.
    require(
        not accept or proposal.publication.withdrawn_at is None,
        "该变更来自已撤回的公布，不能采纳，只能忽略；请以当前公布的结果为准。",
    )
    item = None
    if accept and proposal.kind == ProblemListProposal.Kind.ADD:
        order = (plan.items.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        item = RectificationItem.objects.create(plan=plan, text=proposal.text, category=proposal.category, order=order)
        notify(users=secretary_of(plan), text=f"您的{plan.report.cycle.year}年度问题清单新增一个问题，请填写整改措施、责任人和时限。", url=plan_url(plan))
    elif accept and proposal.item_id:
        require(
            not proposal.item.events.filter(kind=Kind.PROGRESS).exists(),
            "该问题已有整改进展和佐证材料，不能直接删除；请与书记核实后，确认销号或忽略此变更。",
        )
        proposal.item.delete()
    proposal.status = ProblemListProposal.Status.ACCEPTED if accept else ProblemListProposal.Status.DISMISSED
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    record_event(
        plan, by, Kind.PROPOSAL_ACCEPTED if accept else Kind.PROPOSAL_DISMISSED, item=item,
        text=f"{proposal.get_kind_display()}：{proposal.category.name}：{proposal.text}",
    )
    return proposal


@transaction.atomic
def items_merge(*, plan, items, by, text="", category=None):
    """Merge several items of one plan into the first: all their source problems (and thus who
    named them) are kept; the text and category are the given ones or the first item's."""
    plan = lock_plan(plan)
    require(can_manage_plan(by, plan), "只有本年度评议的管理员可以合并问题。")
    require(plan.status != PlanStatus.APPROVED, "整改清单已审核通过，不能再合并问题。")
    items = sorted(items, key=lambda item: (item.order, item.pk))
    if len(items) < 2 or any(item.plan_id != plan.pk for item in items):
        raise ValidationError("请选择本组织问题清单中的至少两个问题进行合并。")
    keep, others = items[0], items[1:]
    text = clean_text(text or keep.text, field="text", label="问题", max_length=300)
    if category is not None and not isinstance(category, ProblemCategory):
        raise ValidationError({"category": "请选择问题类别。"})
    merged_texts = [item.text for item in items]
    sources = [problem.pk for item in items for problem in item.problems.all()]
    measures = [item.measures.strip() for item in items if item.measures.strip()]
    keep.text = text
    keep.category = category or keep.category
    keep.measures = "\n".join(dict.fromkeys(measures))
    keep.save()
    keep.problems.add(*sources)
    RectificationItem.objects.filter(pk__in=[item.pk for item in others]).delete()
    record_event(plan, by, Kind.MERGED, item=keep, text="；".join(merged_texts) + f" → {text}")
    return keep


@transaction.atomic
def item_edit(*, item, by, text, category):
    item = lock_item(item)
    plan = item.plan
    require(can_manage_plan(by, plan), "只有本年度评议的管理员可以修改问题清单。")
    require(plan.status != PlanStatus.APPROVED, "整改清单已审核通过，不能再修改问题。")
    text = clean_text(text, field="text", label="问题", max_length=300)
    if not isinstance(category, ProblemCategory):
        raise ValidationError({"category": "请选择问题类别。"})
    old = f"{item.category.name}：{item.text}"
    item.text, item.category = text, category
    item.save(update_fields=["text", "category", "updated_at"])
    record_event(plan, by, Kind.EDITED, item=item, text=f"{old} → {category.name}：{text}")
    return item
