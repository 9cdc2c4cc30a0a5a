from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from branches.models import AuditEntry
from branches.services import audit_record, notify

from .checks import KINDS
from .models import FIGURES, SECTION_MAX_LENGTH, SECTIONS, Cycle, Report, ReportVersion
from .report_checks import report_findings
from .selectors import report_requires_rectification
from .signals import report_started, report_submitted

TEXT_FIELDS = ["preamble", *SECTIONS]
REQUIRED_SECTIONS = ["performance", "problems", "plans"]
FIELD_LABELS = {"preamble": "导语及未归类内容", **SECTIONS}


class ReportConflict(Exception):
    """The report changed since the editor loaded it (another tab or device saved first)."""

    def __init__(self, report):
        super().__init__("该报告已在其他窗口或设备中被修改。")
        self.report = report


class ReportLocked(Exception):
    """The report is submitted (or the cycle no longer accepts reports) and cannot be changed."""


class ReportCheckBlocked(Exception):
    """The report has findings of kinds the cycle's administrator made blocking (报告体检)."""

    def __init__(self, findings):
        kinds = []
        for item in findings:
            if item.kind_label not in kinds:
                kinds.append(item.kind_label)
        super().__init__(
            f"组织部门要求提交前解决“{'”“'.join(kinds)}”方面的体检问题（共 {len(findings)} 处），"
            "请在“体检”中查看并修改后再提交。"
        )
        self.findings = findings


@transaction.atomic
def cycle_create(*, organization, year, title, submission_deadline, by, review_deadline=None, meeting_date=None):
    """Create a cycle in the preparing state. Reports are created when it opens."""
    return Cycle.objects.create(
        organization=organization,
        year=year,
        title=title,
        submission_deadline=submission_deadline,
        review_deadline=review_deadline,
        meeting_date=meeting_date,
    )


@transaction.atomic
def cycle_open(*, cycle, by, participants=None):
    """Open a cycle for reports: one (not started) report per participating organization.

    `participants` defaults to every organization directly below the reviewing one.
    """
    if participants is None:
        participants = cycle.organization.children.all()
    existing = set(cycle.reports.values_list("organization_id", flat=True))
    Report.objects.bulk_create(
        [Report(cycle=cycle, organization=org) for org in participants if org.pk not in existing]
    )
    cycle.status = Cycle.Status.COLLECTING
    cycle.save(update_fields=["status"])
    audit_record(
        organization=cycle.organization,
        actor=by,
        action=AuditEntry.Action.CYCLE_OPENED,
        summary=f"启动{cycle.title}",
        obj=cycle,
    )
    return cycle


def report_validate_lengths(data):
    """Raise ValidationError (per field, in Chinese) for sections over their maximum length."""
    errors = {}
    for field in TEXT_FIELDS:
        text = data.get(field)
        if text is not None and len(text) > SECTION_MAX_LENGTH[field]:
            errors[field] = (
                f"“{FIELD_LABELS[field]}”最多 {SECTION_MAX_LENGTH[field]} 字，当前 {len(text)} 字，"
                f"请精简 {len(text) - SECTION_MAX_LENGTH[field]} 字。"
            )
    if errors:
        raise ValidationError(errors)


def _lock(report):
    return Report.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=report.pk)


@transaction.atomic
def report_save_draft(*, report, by, data, base_revision):
    """Save the editor's text. `data` holds any of the text fields and figures.

    Raises ReportLocked if the report can no longer be edited, ReportConflict if
    someone saved a newer revision since `base_revision`, ValidationError if too long.
    """
    locked = _lock(report)
    if not locked.is_editable or not locked.cycle.accepts_reports:
        raise ReportLocked("报告已提交或本年度已停止收集，不能再修改。")
    if base_revision is not None and int(base_revision) != locked.revision:
        raise ReportConflict(locked)
    report_validate_lengths(data)
    for field in TEXT_FIELDS:
        if field in data:
            setattr(locked, field, data[field])
    for field in FIGURES:
        if field in data:
            setattr(locked, field, data[field])
    if locked.status == Report.Status.NOT_STARTED:
        locked.status = Report.Status.DRAFT
    locked.revision += 1
    locked.updated_by = by
    locked.save()
    return locked


@transaction.atomic
def report_start(*, report, by):
    """The secretary starts writing (撰写, a POST): receivers of report_started may draft sections
    (last year's 上年度问题整改情况). A report already started is left as it is.
    Returns the report as stored now."""
    locked = _lock(report)
    if locked.status == Report.Status.NOT_STARTED:
        report_started.send(sender=Report, report=locked, by=by)
    return Report.objects.get(pk=report.pk)


@transaction.atomic
def report_submit(*, report, by):
    """Submit the report: validate, snapshot an immutable version, mark late after the deadline.

    Submitting an already submitted report (a double click) returns its latest version
    without creating another.
    """
    locked = _lock(report)
    if locked.status == Report.Status.SUBMITTED:
        return locked.versions.order_by("-number").first()
    if not locked.cycle.accepts_reports:
        raise ReportLocked("本年度述职报告收集已结束，不能提交。")
    errors = {}
    required = REQUIRED_SECTIONS + (["rectification"] if report_requires_rectification(locked) else [])
    for field in required:
        if not getattr(locked, field).strip():
            errors[field] = f"请填写“{FIELD_LABELS[field]}”后再提交。"
    try:
        report_validate_lengths({field: getattr(locked, field) for field in TEXT_FIELDS})
    except ValidationError as error:
        errors.update({field: messages[0] for field, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if locked.cycle.blocking_check_kinds:
        blocking = [item for item in report_findings(locked, body=locked) if item.is_blocking]
        if blocking:
            raise ReportCheckBlocked(blocking)

    now = timezone.now()
    is_late = now > locked.cycle.submission_deadline
    number = locked.versions.count() + 1
    version = ReportVersion.objects.create(
        report=locked,
        number=number,
        figures={field: getattr(locked, field) for field in FIGURES},
        submitted_at=now,
        submitted_by=by,
        is_late=is_late,
        **{field: getattr(locked, field) for field in TEXT_FIELDS},
    )
    locked.status = Report.Status.SUBMITTED
    locked.submitted_at = now
    locked.is_late = is_late
    locked.updated_by = by
    locked.save()
    audit_record(
        organization=locked.organization,
        actor=by,
        action=AuditEntry.Action.REPORT_SUBMITTED,
        summary=f"{locked} 第{number}版{'（逾期）' if is_late else ''}",
        obj=locked,
    )
    report_submitted.send(sender=Report, report=locked, version=version, by=by)
    return version


@transaction.atomic
def report_return(*, report, by, reason):
    """Send a submitted report back to its secretary for revision, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回原因。"})
    locked = _lock(report)
    if locked.status != Report.Status.SUBMITTED:
        raise ReportLocked("只有已提交的报告才能退回修改。")
    if locked.cycle.is_closed:
        raise ReportLocked("本年度评议已结束，不能退回。")
    if locked.cycle.is_published:
        raise ReportLocked("本年度结果已公布，不能退回；如确需退回，请组织部门先撤回公布。")
    locked.status = Report.Status.RETURNED
    locked.return_reason = reason
    locked.returned_at = timezone.now()
    locked.returned_by = by
    locked.revision += 1
    locked.save()
    audit_record(
        organization=locked.organization,
        actor=by,
        action=AuditEntry.Action.REPORT_RETURNED,
        summary=f"{locked} 退回修改",
        reason=reason,
        obj=locked,
    )
    notify(
        users=[locked.organization.secretary],
        text=f"您的《{locked.cycle.title}》述职报告被退回修改：{reason}",
        url=reverse("reports:home"),
        email=True,
    )
    return locked


@transaction.atomic
def cycle_set_blocking_check_kinds(*, cycle, kinds, by):
    """Choose the kinds of 体检 finding that block submission in `cycle` (the others stay warnings)."""
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        raise ValidationError({"blocking_check_kinds": "请从列出的体检项中选择。"})
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.is_closed:
        raise ValidationError("本年度评议已结束，设置不能再修改。")
    new = [kind for kind in KINDS if kind in kinds]
    old = list(locked.blocking_check_kinds)
    if new != old:
        locked.blocking_check_kinds = new
        locked.save(update_fields=["blocking_check_kinds"])
        label = "、".join(KINDS[kind] for kind in new) or "无"
        audit_record(
            organization=locked.organization,
            actor=by,
            action=AuditEntry.Action.SETTINGS_CHANGED,
            summary=f"修改“{locked}”提交前须解决的体检项：{label}",
            obj=locked,
            changes={"blocking_check_kinds": {"old": old, "new": new}},
        )
    return locked
