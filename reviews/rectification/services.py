"""Writes of rectification (整改): from a published review's problems to next year's report.

- problem_list_generate: at publication, one RectificationItem per problem of the frozen sheet;
- problem_lists_follow_publication / proposal_decide: after a republication, lists not yet
  approved are regenerated; approved ones get proposals the administrator accepts or dismisses;
- items_merge / item_edit: the administrator merges duplicates (keeping every source
  Problem, hence who named it) and edits text and category;
- plan_save (and submit), plan_approve, plan_return: the 整改清单;
- progress_report (with evidence files), item_confirm (销号), item_reopen;
- report_prefill_rectification: this year's 上年度问题整改情况 drafted from last year's items;
- reminders_send: the daily reminders (management command rectification_reminders).

Everything is recorded as a RectificationEvent (who, when, what, why). Notifications go
through branches.services.notify.
"""

import datetime
import re
import unicodedata
import uuid
import zipfile
from pathlib import PurePosixPath

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from branches.archives import ArchiveRefused, archive_check
from branches.services import notify
from reports.models import Report
from reports.services import ReportConflict, ReportLocked, report_save_draft

from reviews.models import (
    Problem,
    ProblemCategory,
    ProblemListProposal,
    RectificationEvent,
    RectificationEvidence,
    RectificationItem,
    RectificationPlan,
    RectificationReminder,
)
from reviews.selectors import current_publication
from reviews.rectification.selectors import (
    can_fill_plan,
    can_manage_plan,
    rectification_prefill_text,
    rectification_today,
    reminder_candidates,
)

Kind = RectificationEvent.Kind
ItemStatus = RectificationItem.Status
PlanStatus = RectificationPlan.Status

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_FILES = 5
# Allowed evidence: extension -> (content type, check of the file's first bytes / structure).
EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_SIGNATURES = {".pdf": b"%PDF-", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG\r\n\x1a\n"}
_ZIP_MEMBERS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
# The server only lists a package's parts, but the file goes on to the administrators' Word and
# Excel: a 10 MB package of pictures inflates to little more, a bomb to far more.
MAX_EVIDENCE_INFLATED_BYTES = 50 * 1024 * 1024


def _text(value, *, field, label, max_length, required=True):
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: f"请填写{label}。"})
    if len(text) > max_length:
        raise ValidationError({field: f"{label}最多 {max_length} 字，当前 {len(text)} 字。"})
    return text


def _event(plan, by, kind, *, item=None, text="", reason=""):
    return RectificationEvent.objects.create(plan=plan, item=item, kind=kind, text=text, reason=reason, actor=by)


def _plan_url(plan):
    return reverse("reviews:rectification_plan", args=[plan.pk])


def _item_url(item):
    return reverse("reviews:rectification_item", args=[item.pk])


def _administrators(plan):
    return list(plan.report.cycle.organization.administrators.all())


def _secretary(plan):
    return [plan.report.organization.secretary] if plan.report.organization.secretary_id else []


def _lock_plan(plan):
    return RectificationPlan.objects.select_for_update(of=("self",)).select_related(
        "report__organization__secretary", "report__cycle__organization"
    ).get(pk=plan.pk)


def _lock_item(item):
    return RectificationItem.objects.select_for_update(of=("self",)).select_related(
        "plan__report__organization__secretary", "plan__report__cycle__organization", "category"
    ).get(pk=item.pk)


def _require(allowed, message):
    if not allowed:
        raise ValidationError(message)


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
        _event(plan, by, Kind.GENERATED, text=f"根据第{publication.number}次公布的{len(items)}条评议意见生成问题清单")
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
            _event(plan, by, Kind.REGENERATED, text=f"第{publication.number}次公布的问题有变化：问题清单由{len(items)}条重新生成为{len(new_items)}条")
            notify(users=_secretary(plan), text=f"{plan.report.cycle.year}年度评议结果重新公布，您的问题清单已更新，请核对整改措施。", url=_plan_url(plan))
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
            users=_administrators(plan),
            text=f"{plan.report.organization}的整改清单已审核通过，重新公布的结果中问题有{len(proposals)}处变化，请在整改清单页面决定是否采纳。",
            url=_plan_url(plan),
        )
    return counts


@transaction.atomic
def proposal_decide(*, proposal, by, accept):
    """The administrator accepts (applies) or dismisses a proposed change of an approved problem
    list. Accepting an addition adds the item (the secretary is told to fill in its measures);
    accepting a removal deletes the item the proposal points at. Decided once: a second decision
    (or a parallel one) is refused."""
    proposal = ProblemListProposal.objects.select_for_update(of=("self",)).select_related("plan", "item", "category").get(pk=proposal.pk)
    plan = _lock_plan(proposal.plan)
    _require(can_manage_plan(by, plan), "只有本年度评议的管理员可以处理问题清单变更。")
    _require(proposal.status == ProblemListProposal.Status.PENDING, "该变更已处理。")
    item = None
    if accept and proposal.kind == ProblemListProposal.Kind.ADD:
        order = (plan.items.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        item = RectificationItem.objects.create(plan=plan, text=proposal.text, category=proposal.category, order=order)
        notify(users=_secretary(plan), text=f"您的{plan.report.cycle.year}年度问题清单新增一个问题，请填写整改措施、责任人和时限。", url=_plan_url(plan))
    elif accept and proposal.item_id:
        _require(
            not proposal.item.events.filter(kind=Kind.PROGRESS).exists(),
            "该问题已有整改进展和佐证材料，不能直接删除；请与书记核实后，确认销号或忽略此变更。",
        )
        proposal.item.delete()
    proposal.status = ProblemListProposal.Status.ACCEPTED if accept else ProblemListProposal.Status.DISMISSED
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    _event(
        plan, by, Kind.PROPOSAL_ACCEPTED if accept else Kind.PROPOSAL_DISMISSED, item=item,
        text=f"{proposal.get_kind_display()}：{proposal.category.name}：{proposal.text}",
    )
    return proposal


@transaction.atomic
def items_merge(*, plan, items, by, text="", category=None):
    """Merge several items of one plan into the first: all their source problems (and thus who
    named them) are kept; the text and category are the given ones or the first item's."""
    plan = _lock_plan(plan)
    _require(can_manage_plan(by, plan), "只有本年度评议的管理员可以合并问题。")
    _require(plan.status != PlanStatus.APPROVED, "整改清单已审核通过，不能再合并问题。")
    items = sorted(items, key=lambda item: (item.order, item.pk))
    if len(items) < 2 or any(item.plan_id != plan.pk for item in items):
        raise ValidationError("请选择本组织问题清单中的至少两个问题进行合并。")
    keep, others = items[0], items[1:]
    text = _text(text or keep.text, field="text", label="问题", max_length=300)
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
    _event(plan, by, Kind.MERGED, item=keep, text="；".join(merged_texts) + f" → {text}")
    return keep


@transaction.atomic
def item_edit(*, item, by, text, category):
    item = _lock_item(item)
    plan = item.plan
    _require(can_manage_plan(by, plan), "只有本年度评议的管理员可以修改问题清单。")
    _require(plan.status != PlanStatus.APPROVED, "整改清单已审核通过，不能再修改问题。")
    text = _text(text, field="text", label="问题", max_length=300)
    if not isinstance(category, ProblemCategory):
        raise ValidationError({"category": "请选择问题类别。"})
    old = f"{item.category.name}：{item.text}"
    item.text, item.category = text, category
    item.save(update_fields=["text", "category", "updated_at"])
    _event(plan, by, Kind.EDITED, item=item, text=f"{old} → {category.name}：{text}")
    return item


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
    plan = _lock_plan(plan)
    _require(can_fill_plan(by, plan), "只有本组织书记可以填写整改清单。")
    _require(plan.is_editable_by_secretary, "整改清单已提交审核或已通过，不能再修改。")
    items = {item.pk: item for item in plan.items.all()}
    errors = {}
    for item_id, entry in entries.items():
        item = items.get(int(item_id))
        if item is None:
            raise ValidationError("包含不属于本整改清单的问题。")
        try:
            item.measures = _text(entry.get("measures"), field=f"measures_{item.pk}", label="整改措施", max_length=3000, required=False)
            item.owner = _text(entry.get("owner"), field=f"owner_{item.pk}", label="责任人", max_length=100, required=False)
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
    _event(plan, by, Kind.PLAN_SAVED, text=f"填写{len(entries)}个问题的整改措施、责任人和时限")
    if submit:
        plan.status = PlanStatus.SUBMITTED
        plan.submitted_at = timezone.now()
        plan.save(update_fields=["status", "submitted_at"])
        _event(plan, by, Kind.PLAN_SUBMITTED)
        notify(
            users=_administrators(plan),
            text=f"{plan.report.organization}提交了{plan.report.cycle.year}年度整改清单，待审核。",
            url=_plan_url(plan),
        )
    return plan


@transaction.atomic
def plan_approve(*, plan, by):
    plan = _lock_plan(plan)
    _require(can_manage_plan(by, plan), "只有本年度评议的管理员可以审核整改清单。")
    _require(plan.status == PlanStatus.SUBMITTED, "只有待审核的整改清单可以审核。")
    plan.status, plan.decided_at, plan.decided_by, plan.return_reason = PlanStatus.APPROVED, timezone.now(), by, ""
    plan.save(update_fields=["status", "decided_at", "decided_by", "return_reason"])
    _event(plan, by, Kind.PLAN_APPROVED)
    notify(users=_secretary(plan), text=f"您的{plan.report.cycle.year}年度整改清单已审核通过，请按时限推进整改并报告进展。", url=_plan_url(plan))
    return plan


@transaction.atomic
def plan_return(*, plan, by, reason):
    plan = _lock_plan(plan)
    _require(can_manage_plan(by, plan), "只有本年度评议的管理员可以审核整改清单。")
    _require(plan.status == PlanStatus.SUBMITTED, "只有待审核的整改清单可以退回。")
    reason = _text(reason, field="reason", label="退回原因", max_length=2000)
    plan.status, plan.decided_at, plan.decided_by, plan.return_reason = PlanStatus.RETURNED, timezone.now(), by, reason
    plan.save(update_fields=["status", "decided_at", "decided_by", "return_reason"])
    _event(plan, by, Kind.PLAN_RETURNED, reason=reason)
    notify(users=_secretary(plan), text=f"您的{plan.report.cycle.year}年度整改清单被退回修改：{reason}", url=_plan_url(plan))
    return plan


# ---------------------------------------------------------------- progress and evidence


def evidence_display_name(name):
    """The uploaded file's name as display text: last path part only, no control characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip().lstrip(".")
    return name[-120:] or "附件"


def evidence_check(upload):
    """(extension, content type, display name) of an acceptable evidence file, else a Chinese
    ValidationError: only pdf, jpg, png, docx, xlsx whose content matches the extension, ≤ 10 MB."""
    display = evidence_display_name(upload.name)
    extension = PurePosixPath(display.lower()).suffix
    allowed = "PDF、JPG、PNG、Word（.docx）或 Excel（.xlsx）"
    if extension not in EVIDENCE_TYPES:
        raise ValidationError(f"“{display}”的类型不允许上传，佐证材料只能是 {allowed} 文件。")
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(f"“{display}”太大（{upload.size / 1024 / 1024:.1f} MB），每个文件不能超过 10 MB。")
    if upload.size == 0:
        raise ValidationError(f"“{display}”是空文件。")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if extension in _SIGNATURES:
        valid = head.startswith(_SIGNATURES[extension])
    else:
        try:
            archive_check(upload, max_total=MAX_EVIDENCE_INFLATED_BYTES, label=f"文件“{display}”")
            with zipfile.ZipFile(upload) as archive:
                valid = _ZIP_MEMBERS[extension] in archive.namelist()
        except ArchiveRefused:
            raise
        except (ValidationError, zipfile.BadZipFile):
            valid = False
        upload.seek(0)
    if not valid:
        raise ValidationError(f"“{display}”的内容与扩展名不符（可能已损坏，或只是改了扩展名），请上传真实的 {allowed} 文件。")
    return extension, EVIDENCE_TYPES[extension], display


@transaction.atomic
def progress_report(*, item, by, text, files=(), request_completion=False):
    """The secretary reports progress on an item of an approved plan, with evidence files;
    `request_completion` asks the administrators to confirm it done (销号)."""
    item = _lock_item(item)
    plan = item.plan
    _require(can_fill_plan(by, plan), "只有本组织书记可以报告整改进展。")
    _require(plan.status == PlanStatus.APPROVED, "整改清单审核通过后才能报告整改进展。")
    _require(item.status != ItemStatus.COMPLETED, "该问题已销号，如需继续整改请联系管理员重新打开。")
    text = _text(text, field="text", label="整改进展", max_length=3000)
    files = list(files)
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError({"files": f"每次最多上传 {MAX_EVIDENCE_FILES} 个文件。"})
    checked = []
    for upload in files:
        try:
            checked.append((upload, *evidence_check(upload)))
        except ValidationError as error:
            raise ValidationError({"files": error.messages}) from None
    event = _event(plan, by, Kind.PROGRESS, item=item, text=text)
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
        _event(plan, by, Kind.COMPLETION_REQUESTED, item=item)
        notify(
            users=_administrators(plan),
            text=f"{plan.report.organization}申请对“{item.text[:40]}”销号，待确认。",
            url=_item_url(item),
        )
    item.save(update_fields=fields)
    return event


@transaction.atomic
def item_confirm(*, item, by):
    """销号: the administrator confirms the item completed."""
    item = _lock_item(item)
    plan = item.plan
    _require(can_manage_plan(by, plan), "只有本年度评议的管理员可以确认销号。")
    _require(plan.status == PlanStatus.APPROVED, "整改清单审核通过后才能销号。")
    _require(item.status != ItemStatus.COMPLETED, "该问题已经销号。")
    item.status, item.completed_at, item.completed_by = ItemStatus.COMPLETED, timezone.now(), by
    item.save(update_fields=["status", "completed_at", "completed_by", "updated_at"])
    _event(plan, by, Kind.CONFIRMED, item=item)
    notify(users=_secretary(plan), text=f"整改事项“{item.text[:40]}”已确认销号。", url=_item_url(item))
    return item


@transaction.atomic
def item_reopen(*, item, by, reason):
    """Reopen a completed item, or turn down a request for 销号, with a reason."""
    item = _lock_item(item)
    plan = item.plan
    _require(can_manage_plan(by, plan), "只有本年度评议的管理员可以重新打开整改事项。")
    _require(
        item.status == ItemStatus.COMPLETED or item.completion_requested_at is not None,
        "只有已销号或申请销号的整改事项可以重新打开。",
    )
    reason = _text(reason, field="reason", label="重新打开的原因", max_length=2000)
    item.status = ItemStatus.IN_PROGRESS
    item.completion_requested_at = item.completed_at = item.completed_by = None
    item.save(update_fields=["status", "completion_requested_at", "completed_at", "completed_by", "updated_at"])
    _event(plan, by, Kind.REOPENED, item=item, reason=reason)
    notify(users=_secretary(plan), text=f"整改事项“{item.text[:40]}”被重新打开：{reason}", url=_item_url(item))
    return item


# ---------------------------------------------------------------- into next year


def report_prefill_rectification(*, report, by, today=None):
    """When the secretary first opens this year's report (not started yet), draft its
    上年度问题整改情况 from last year's items (through the reports service, so it is saved like
    any draft). Only the first opening: a secretary who later empties the section keeps it empty.
    Returns the report (refreshed when something was written)."""
    first_opening = report.status == Report.Status.NOT_STARTED and not report.rectification.strip()
    if not first_opening or not report.cycle.accepts_reports:
        return report
    text = rectification_prefill_text(report, today or rectification_today())
    if not text:
        return report
    try:
        return report_save_draft(report=report, by=by, data={"rectification": text}, base_revision=report.revision)
    except (ReportConflict, ReportLocked):
        return report  # someone saved meanwhile: their text wins, nothing is pre-filled


# ---------------------------------------------------------------- reminders


def _remind_once(key, today):
    """True the first time `key` is reminded today (a unique row per key and day)."""
    try:
        with transaction.atomic():
            RectificationReminder.objects.create(key=key, sent_on=today)
    except IntegrityError:
        return False
    return True


def reminders_send(*, today=None, email=False):
    """The day's reminders: items due within 7 days (secretary), overdue items (secretary and
    administrators), plans waiting for approval (administrators). Each at most once a day.
    Returns the number of notifications sent."""
    today = today or rectification_today()
    due_soon, overdue, waiting = reminder_candidates(today)
    reminders = [
        (
            f"item:{item.pk}:due",
            _secretary(item.plan),
            f"整改事项“{item.text[:40]}”的时限（{item.deadline:%Y-%m-%d}）"
            + ("今天到期。" if item.deadline == today else f"{(item.deadline - today).days}天后到期。"),
            _item_url(item),
        )
        for item in due_soon
    ]
    reminders += [
        (
            f"item:{item.pk}:overdue",
            _secretary(item.plan) + _administrators(item.plan),
            f"{item.plan.report.organization}的整改事项“{item.text[:40]}”已逾期（时限 {item.deadline:%Y-%m-%d}）。",
            _item_url(item),
        )
        for item in overdue
    ]
    reminders += [
        (f"plan:{plan.pk}:waiting", _administrators(plan), f"{plan.report.organization}的整改清单等待审核。", _plan_url(plan))
        for plan in waiting
    ]
    return sum(
        notify(users=users, text=text, url=url, email=email)
        for key, users, text, url in reminders
        if _remind_once(key, today)
    )
