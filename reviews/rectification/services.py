"""Writes of rectification (整改): from a published review's problems to next year's report.

The package, by step:
- problem_lists: problem_list_generate (at publication, one RectificationItem per problem of the
  frozen sheet); problem_lists_follow_publication / proposal_decide (after a republication, lists
  not yet approved are regenerated; approved ones get proposals the administrator accepts or
  dismisses); items_merge / item_edit (the administrator merges duplicates, keeping every source
  Problem, hence who named it, and edits text and category);
- here: plan_save (and submit), plan_approve, plan_return (the 整改清单); progress_report (with
  evidence files, checked by evidence.evidence_check), item_confirm (销号), item_reopen;
- next_year: this year's 上年度问题整改情况 drafted from last year's items;
- reminders: the daily reminders (management command rectification_reminders).

Everything is recorded as a RectificationEvent (who, when, what, why). Notifications go
through branches.services.notify.
"""

import datetime
import uuid

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from branches.services import notify
from reviews.common import clean_text
from reviews.models import RectificationEvidence, RectificationItem
from reviews.rectification.common import (
    ItemStatus,
    Kind,
    PlanStatus,
    administrators_of,
    item_url,
    lock_item,
    lock_plan,
    plan_url,
    record_event,
    require,
    secretary_of,
)
from reviews.rectification.evidence import MAX_EVIDENCE_FILES, evidence_check
from reviews.rectification.selectors import can_fill_plan, can_manage_plan

# ---------------------------------------------------------------- the plan


def _parse_deadline(value):
    if isinstance(value, datetime.date) or value is None:
        return value
    value = (value or "").strip()
    if not value:
        return None
    return datetime.date.fromisoformat(value)


@transaction.atomic
def plan_save(*, plan, by, entries, submit=False):
    """The secretary writes measures, owner and deadline per item: `entries` maps item ids to
    {"measures", "owner", "deadline"}. With `submit`, every item must be complete and the plan
    goes to the administrators for approval. Errors are keyed `<field>_<item id>`."""
    plan = lock_plan(plan)
    require(can_fill_plan(by, plan), "只有本组织书记可以填写整改清单。")
    require(plan.is_editable_by_secretary, "整改清单已提交审核或已通过，不能再修改。")
    items = {item.pk: item for item in plan.items.all()}
    errors = {}
    for item_id, entry in entries.items():
        item = items.get(int(item_id))
        if item is None:
            raise ValidationError("包含不属于本整改清单的问题。")
        try:
            item.measures = clean_text(entry.get("measures"), field=f"measures_{item.pk}", label="整改措施", max_length=3000, required=False)
            item.owner = clean_text(entry.get("owner"), field=f"owner_{item.pk}", label="责任人", max_length=100, required=False)
        except ValidationError as error:
            errors.update(error.message_dict)
        try:
            item.deadline = _parse_deadline(entry.get("deadline"))
        except ValueError:
            errors[f"deadline_{item.pk}"] = "整改时限须为日期，如 2026-06-30。"
    if submit:
        for item in items.values():
            for field, label, value in (("measures", "整改措施", item.measures), ("owner", "责任人", item.owner), ("deadline", "整改时限", item.deadline)):
                if not value and f"{field}_{item.pk}" not in errors:
                    errors[f"{field}_{item.pk}"] = f"请填写{label}。"
        if not items:
            errors[NON_FIELD_ERRORS] = ["问题清单为空，无需提交。"]
    if errors:
        raise ValidationError(errors)
    RectificationItem.objects.bulk_update(list(items.values()), ["measures", "owner", "deadline", "updated_at"])
    record_event(plan, by, Kind.PLAN_SAVED, text=f"填写{len(entries)}个问题的整改措施、责任人和时限")
    if submit:
        plan.status = PlanStatus.SUBMITTED
        plan.submitted_at = timezone.now()
        plan.save(update_fields=["status", "submitted_at"])
        record_event(plan, by, Kind.PLAN_SUBMITTED)
        notify(
            users=administrators_of(plan),
            text=f"{plan.report.organization}提交了{plan.report.cycle.year}年度整改清单，待审核。",
            url=plan_url(plan),
        )
    return plan


@transaction.atomic
def plan_approve(*, plan, by):
    plan = lock_plan(plan)
    require(can_manage_plan(by, plan), "只有本年度评议的管理员可以审核整改清单。")
    require(plan.status == PlanStatus.SUBMITTED, "只有待审核的整改清单可以审核。")
    # While withdrawn the list may still change with the next publication (regenerated then).
    require(plan.report.cycle.published_at is not None, "本年度结果已撤回公布，问题清单可能随重新公布而变化，请重新公布后再审核。")
    plan.status, plan.decided_at, plan.decided_by, plan.return_reason = PlanStatus.APPROVED, timezone.now(), by, ""
    plan.save(update_fields=["status", "decided_at", "decided_by", "return_reason"])
    record_event(plan, by, Kind.PLAN_APPROVED)
    notify(users=secretary_of(plan), text=f"您的{plan.report.cycle.year}年度整改清单已审核通过，请按时限推进整改并报告进展。", url=plan_url(plan))
    return plan


@transaction.atomic
def plan_return(*, plan, by, reason):
    plan = lock_plan(plan)
    require(can_manage_plan(by, plan), "只有本年度评议的管理员可以审核整改清单。")
    require(plan.status == PlanStatus.SUBMITTED, "只有待审核的整改清单可以退回。")
    reason = clean_text(reason, field="reason", label="退回原因", max_length=2000)
    plan.status, plan.decided_at, plan.decided_by, plan.return_reason = PlanStatus.RETURNED, timezone.now(), by, reason
    plan.save(update_fields=["status", "decided_at", "decided_by", "return_reason"])
    record_event(plan, by, Kind.PLAN_RETURNED, reason=reason)
    notify(users=secretary_of(plan), text=f"您的{plan.report.cycle.year}年度整改清单被退回修改：{reason}", url=plan_url(plan))
    return plan


# ---------------------------------------------------------------- progress and evidence


@transaction.atomic
def progress_report(*, item, by, text, files=(), request_completion=False):
    """The secretary reports progress on an item of an approved plan, with evidence files;
    `request_completion` asks the administrators to confirm it done (销号)."""
    item = lock_item(item)
    plan = item.plan
    require(can_fill_plan(by, plan), "只有本组织书记可以报告整改进展。")
    require(plan.status == PlanStatus.APPROVED, "整改清单审核通过后才能报告整改进展。")
    require(item.status != ItemStatus.COMPLETED, "该问题已销号，如需继续整改请联系管理员重新打开。")
    text = clean_text(text, field="text", label="整改进展", max_length=3000)
    files = list(files)
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError({"files": f"每次最多上传 {MAX_EVIDENCE_FILES} 个文件。"})
    checked = []
    for upload in files:
        try:
            checked.append((upload, *evidence_check(upload)))
        except ValidationError as error:
            raise ValidationError({"files": error.messages}) from None
    event = record_event(plan, by, Kind.PROGRESS, item=item, text=text)
    for upload, extension, content_type, display in checked:
        evidence = RectificationEvidence(
            item=item,
            event=event,
            stored_name=f"{uuid.uuid4().hex}{extension}",
            original_name=display,
            content_type=content_type,
            size=upload.size,
            uploaded_by=by,
        )
        evidence.file.save(evidence.stored_name, upload, save=False)
        evidence.save()
    fields = ["updated_at"]
    if item.status == ItemStatus.NOT_STARTED:
        item.status = ItemStatus.IN_PROGRESS
        fields.append("status")
    if request_completion:
        item.completion_requested_at = timezone.now()
        fields.append("completion_requested_at")
        record_event(plan, by, Kind.COMPLETION_REQUESTED, item=item)
        notify(
            users=administrators_of(plan),
            text=f"{plan.report.organization}申请对“{item.text[:40]}”销号，待确认。",
            url=item_url(item),
        )
    item.save(update_fields=fields)
    return event


@transaction.atomic
def item_confirm(*, item, by):
    """销号: the administrator confirms the item completed."""
    item = lock_item(item)
    plan = item.plan
    require(can_manage_plan(by, plan), "只有本年度评议的管理员可以确认销号。")
    require(plan.status == PlanStatus.APPROVED, "整改清单审核通过后才能销号。")
    require(item.status != ItemStatus.COMPLETED, "该问题已经销号。")
    item.status, item.completed_at, item.completed_by = ItemStatus.COMPLETED, timezone.now(), by
    item.save(update_fields=["status", "completed_at", "completed_by", "updated_at"])
    record_event(plan, by, Kind.CONFIRMED, item=item)
    notify(users=secretary_of(plan), text=f"整改事项“{item.text[:40]}”已确认销号。", url=item_url(item))
    return item


@transaction.atomic
def item_reopen(*, item, by, reason):
    """Reopen a completed item, or turn down a request for 销号, with a reason."""
    item = lock_item(item)
    plan = item.plan
    require(can_manage_plan(by, plan), "只有本年度评议的管理员可以重新打开整改事项。")
    require(
        item.status == ItemStatus.COMPLETED or item.completion_requested_at is not None,
        "只有已销号或申请销号的整改事项可以重新打开。",
    )
    reason = clean_text(reason, field="reason", label="重新打开的原因", max_length=2000)
    item.status = ItemStatus.IN_PROGRESS
    item.completion_requested_at = item.completed_at = item.completed_by = None
    item.save(update_fields=["status", "completion_requested_at", "completed_at", "completed_by", "updated_at"])
    record_event(plan, by, Kind.REOPENED, item=item, reason=reason)
    notify(users=secretary_of(plan), text=f"整改事项“{item.text[:40]}”被重新打开：{reason}", url=item_url(item))
    return item
