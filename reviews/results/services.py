"""Results (结果): computing, overriding, publishing, withdrawing, and closing the year."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from branches.models import AuditEntry
from branches.services import notify
from reports.models import Report
from reviews.ballots.selectors import ballot_scores
from reviews.common import audit, clean_text, ensure_not_published, ensure_open, lock_cycle, notify_secretaries
from reviews.computation import ResultInput, Rules, compute_results
from reviews.models import Grade, Notice, Publication, PublishedResult, Result, ResultSettings, Review
from reviews.permissions import is_conflicted
from reviews.rectification.problem_lists import problem_lists_follow_publication
from reviews.results.documents import cycle_sheets
from reviews.results.selectors import previous_notice, publication_gaps, results_fingerprint, results_state
from reviews.selectors import rubric_max


@transaction.atomic
def results_compute(*, cycle, by):
    """Compute every report's review score, total, rank and grade from the submitted reviews.

    Database aggregates (each submitted review's total) feed the pure computation
    (reviews.computation). Overrides survive: the computed grade is refreshed, the
    overriding grade and its reason are kept. The inputs' fingerprint is stored with the results
    (results_state compares it). When the results are already current nothing is written (a
    second click, or a parallel one, is not a second computation). Returns the list of Results.
    """
    cycle = lock_cycle(cycle)
    ensure_not_published(cycle)
    settings = ResultSettings.objects.get(cycle=cycle)
    if results_state(cycle, settings) == "current":
        return list(Result.objects.filter(report__cycle=cycle))
    rules = Rules.from_settings(settings, rubric_max(cycle))
    reviewer_totals = {}
    for report_id, total in (
        Review.objects.filter(report__cycle=cycle, status=Review.Status.SUBMITTED)
        .annotate(total=Sum("scores__points"))
        .values_list("report_id", "total")
    ):
        reviewer_totals.setdefault(report_id, []).append(total or Decimal(0))
    report_ids = list(cycle.reports.values_list("pk", flat=True))
    existing = {r.report_id: r for r in Result.objects.filter(report_id__in=report_ids)}
    # The closed democratic evaluation gives the ballot scores; without one they stay as they are.
    from_ballots = ballot_scores(cycle)
    outcomes = compute_results(
        [
            ResultInput(
                key=report_id,
                reviewer_totals=tuple(reviewer_totals.get(report_id, ())),
                routine_score=getattr(existing.get(report_id), "routine_score", None),
                ballot_score=(
                    from_ballots.get(report_id)
                    if from_ballots is not None
                    else getattr(existing.get(report_id), "ballot_score", None)
                ),
            )
            for report_id in report_ids
        ],
        rules,
    )
    now = timezone.now()
    results = []
    for outcome in outcomes:
        result = existing.get(outcome.key) or Result(report_id=outcome.key)
        result.review_score = outcome.review_score
        if from_ballots is not None:
            result.ballot_score = from_ballots.get(outcome.key)
        result.total = outcome.total
        result.rank = outcome.rank
        result.computed_grade = outcome.grade
        if not result.is_overridden:
            result.grade = outcome.grade
        result.computed_at = now
        results.append(result)
    fields = ["review_score", "ballot_score", "total", "rank", "computed_grade", "grade", "computed_at"]
    Result.objects.bulk_update([r for r in results if r.pk], fields)
    Result.objects.bulk_create([r for r in results if not r.pk])
    settings.results_computed_at = now
    settings.results_fingerprint = results_fingerprint(cycle, settings)
    settings.save(update_fields=["results_computed_at", "results_fingerprint"])
    graded = sum(1 for r in results if r.total is not None)
    audit(cycle, by, AuditEntry.Action.RESULTS_COMPUTED, f"计算“{cycle}”结果：{graded}/{len(results)}个党组织得出综合得分", obj=cycle)
    return results


@transaction.atomic
def result_override(*, result, grade, reason, by):
    """Settle a grade other than the computed one, with a written reason (recorded).

    Choosing the computed grade again removes the override (the reason is still recorded).
    """
    report = result.report
    cycle = report.cycle
    ensure_not_published(cycle)
    if is_conflicted(by, report):
        raise ValidationError(f"您是{report.organization}的书记，不能调整本组织的等次。")
    reason = (reason or "").strip()
    errors = {}
    if grade not in Grade.values:
        errors["grade"] = "请选择等次。"
    if not reason:
        errors["reason"] = "调整等次须填写理由。"
    if errors:
        raise ValidationError(errors)
    if result.computed_at is None and not result.computed_grade:
        raise ValidationError("请先计算结果，再调整等次。")
    settings = ResultSettings.objects.get(cycle=cycle)
    old = result.grade
    result.grade = grade
    if grade == result.computed_grade:
        result.override_reason, result.overridden_by, result.overridden_at = "", None, None
    else:
        result.override_reason, result.overridden_by, result.overridden_at = reason, by, timezone.now()
    result.save(update_fields=["grade", "override_reason", "overridden_by", "overridden_at"])
    audit(
        cycle, by, AuditEntry.Action.GRADE_OVERRIDDEN,
        f"{report.organization}等次由“{settings.grade_label(old) or '未定'}”调整为“{settings.grade_label(grade)}”",
        reason=reason,
        obj=result,
        changes={"grade": {"old": old, "new": grade}, "computed_grade": result.computed_grade},
    )
    return result


def _sheet_for_comparison(sheet):
    """A sheet without the ids of its problems (a review saved again gives its problems new ids)."""
    return {
        **sheet,
        "reviews": [
            {**review, "problems": [{k: v for k, v in problem.items() if k != "id"} for problem in review["problems"]]}
            for review in sheet["reviews"]
        ],
    }


def _publication_changes(previous_sheets, sheets):
    """{report id (str): {"organization", "total": [old, new], "grade": [old, new], "other": bool}}
    for every organization whose published sheet differs from the previous publication's."""
    changes = {}
    for report_id, sheet in sheets.items():
        old = previous_sheets.get(report_id)
        if old is not None and _sheet_for_comparison(old) == _sheet_for_comparison(sheet):
            continue
        old = old or {}
        changes[str(report_id)] = {
            "organization": sheet["organization"],
            "total": [old.get("total"), sheet["total"]],
            "grade": [old.get("grade_label"), sheet["grade_label"]],
            "other": old.get("total") == sheet["total"] and old.get("grade_label") == sheet["grade_label"],
        }
    return changes


@transaction.atomic
def cycle_publish(*, cycle, by, reason=""):
    """Publish the results: freeze each organization's result sheet (Publication with one
    PublishedResult per report), which is all its secretary sees from now on. Reviews and
    everything the results depend on are locked until the publication is withdrawn.

    Stale results are refused (recompute first). Incomplete ones (publication_gaps) need a
    written `reason`, kept with the publication and in the audit log. A republication records
    what changed against the previous publication and notifies only the secretaries whose
    result changed; the first notifies every secretary. The problem lists follow
    (reviews.rectification.problem_lists.problem_lists_follow_publication)."""

    cycle = lock_cycle(cycle)
    ensure_open(cycle)
    if cycle.is_published:
        raise ValidationError("本年度结果已公布。")
    # Reviews are saved under their report's lock: holding every report's lock, none changes mid-snapshot.
    list(Report.objects.filter(cycle=cycle).select_for_update(of=("self",)).values_list("pk", flat=True))
    settings = ResultSettings.objects.get(cycle=cycle)
    state = results_state(cycle, settings)
    if state == "never":
        raise ValidationError("请先计算结果，再公布。")
    if state == "stale":
        raise ValidationError("计算后评议、得分、设置或测评结果有变动，请重新计算结果后再公布。")
    gaps = publication_gaps(cycle, settings, state)
    reason = (reason or "").strip()
    if gaps and not reason:
        raise ValidationError({"reason": "尚有未完成的事项（见上方清单）。如仍要公布，请填写理由，理由将记入操作记录。"})
    if len(reason) > 2000:
        raise ValidationError({"reason": f"理由最多 2000 字，当前 {len(reason)} 字。"})
    previous = Publication.objects.filter(cycle=cycle).order_by("-number").first()
    previous_sheets = (
        {str(report_id): sheet for report_id, sheet in previous.results.values_list("report_id", "sheet")} if previous else {}
    )
    sheets = {str(report_id): sheet for report_id, sheet in cycle_sheets(cycle, settings).items()}
    changes = _publication_changes(previous_sheets, sheets) if previous else {}
    now = timezone.now()
    publication = Publication.objects.create(
        cycle=cycle,
        number=previous.number + 1 if previous else 1,
        published_at=now,
        published_by=by,
        reason=reason if gaps else "",
        incomplete=gaps,
        changes=changes,
    )
    PublishedResult.objects.bulk_create(
        [PublishedResult(publication=publication, report_id=int(report_id), sheet=sheet) for report_id, sheet in sheets.items()]
    )
    cycle.published_at = now
    cycle.published_by = by
    cycle.save(update_fields=["published_at", "published_by"])
    summary = f"公布“{cycle}”结果（第{publication.number}次）"
    if previous:
        summary += f"，与上次相比{len(changes)}个党组织的结果有变化"
    audit(
        cycle, by, AuditEntry.Action.CYCLE_PUBLISHED, summary,
        obj=publication, reason=publication.reason, changes={"incomplete": gaps, "changes": changes},
    )
    reports = {str(r.pk): r for r in cycle.reports.select_related("organization__secretary")}
    if previous is None:
        notify_secretaries(cycle, f"《{cycle.title}》结果已公布，请查看本组织的评议结果。", reverse("reports:home"))
    else:
        for report_id in changes:
            report = reports[report_id]
            notify(
                users=[report.organization.secretary],
                text=f"《{cycle.title}》结果已重新公布，本组织的评议结果有变化，请查看。",
                url=reverse("reviews:secretary_result", args=[report.pk]),
                email=True,
            )
    problem_lists_follow_publication(cycle=cycle, publication=publication, previous=previous, by=by)
    return publication


@transaction.atomic
def cycle_withdraw(*, cycle, by, reason):
    """撤回公布: secretaries stop seeing the results and are told why; the publication is kept
    (who, when, why). Reviews, scores and settings can be changed again, then published anew."""
    cycle = lock_cycle(cycle)
    ensure_open(cycle)
    reason = clean_text(reason, field="reason", label="撤回理由", max_length=2000)
    if not cycle.is_published:
        raise ValidationError("本年度结果当前未公布，无需撤回。")
    # None for a cycle published before publications were snapshots: withdrawing and publishing
    # again gives it one.
    publication = Publication.objects.select_for_update().filter(cycle=cycle, withdrawn_at__isnull=True).first()
    now = timezone.now()
    if publication is not None:
        publication.withdrawn_at, publication.withdrawn_by, publication.withdraw_reason = now, by, reason
        publication.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    cycle.published_at, cycle.published_by = None, None
    cycle.save(update_fields=["published_at", "published_by"])
    audit(
        cycle, by, AuditEntry.Action.CYCLE_WITHDRAWN,
        f"撤回“{cycle}”{f'第{publication.number}次' if publication else ''}公布的结果", obj=publication or cycle, reason=reason,
    )
    notify_secretaries(
        cycle, f"《{cycle.title}》已公布的结果已撤回，暂停查看。原因：{reason}", reverse("reports:home")
    )
    return publication


@transaction.atomic
def cycle_close(*, cycle, by):
    """Close the cycle once its results are published: everything is locked from then on."""
    cycle = lock_cycle(cycle)
    ensure_open(cycle)
    if not cycle.is_published:
        raise ValidationError("请先公布结果，再结束本年度评议。")
    cycle.status = cycle.Status.CLOSED
    cycle.save(update_fields=["status"])
    audit(cycle, by, AuditEntry.Action.CYCLE_CLOSED, f"结束“{cycle}”，全部内容锁定", obj=cycle)
    return cycle


# --- The 情况通报: what the administrator writes ---------------------------------------------

NOTICE_ADDRESSEE_MAX = 200
NOTICE_REQUIREMENTS_MAX = 8000


@transaction.atomic
def notice_save(*, cycle, by, addressee, requirements, rectification_deadline=None):
    """Save the 主送 line and the 五、下一步工作要求 paragraphs of the cycle's 通报 (the rest of it
    is generated from the published results) and the 整改清单 deadline the feedback letters give.
    Recorded with the old and new values."""
    cycle = lock_cycle(cycle)
    ensure_open(cycle)
    addressee = clean_text(addressee, field="addressee", label="主送", max_length=NOTICE_ADDRESSEE_MAX).rstrip("：:")
    requirements = clean_text(
        requirements, field="requirements", label="下一步工作要求", max_length=NOTICE_REQUIREMENTS_MAX, required=False
    )
    notice = Notice.objects.select_for_update().filter(cycle=cycle).first() or Notice(cycle=cycle)
    changes = {
        label: {"old": getattr(notice, name) if notice.pk else "", "new": value}
        for name, label, value in (
            ("addressee", "主送", addressee),
            ("requirements", "下一步工作要求", requirements),
            ("rectification_deadline", "整改清单报送时限", rectification_deadline),
        )
        if not notice.pk or getattr(notice, name) != value
    }
    if notice.pk and not changes:
        return notice
    notice.addressee, notice.requirements, notice.rectification_deadline = addressee, requirements, rectification_deadline
    notice.updated_by = by
    notice.save()
    changes = {label: {key: str(value) if value is not None else "" for key, value in change.items()} for label, change in changes.items()}
    audit(cycle, by, AuditEntry.Action.SETTINGS_CHANGED, f"修改“{cycle}”情况通报与点评反馈意见书的设置", obj=notice, changes=changes)
    return notice


@transaction.atomic
def notice_reuse_previous(*, cycle, by):
    """Copy 五、下一步工作要求 (and 主送) from the organization's latest earlier cycle that has them.
    The text it replaces stays in the audit trail."""
    previous = previous_notice(cycle)
    if previous is None:
        raise ValidationError("往年没有可沿用的下一步工作要求。")
    current = Notice.objects.filter(cycle=cycle).first()
    return notice_save(
        cycle=cycle, by=by, addressee=previous.addressee, requirements=previous.requirements,
        rectification_deadline=current.rectification_deadline if current else None,
    )
