"""The review itself: reviewers' reviews and scores, questions, assignments, routine scores."""

import secrets
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from branches.models import AuditEntry
from branches.services import notify
from reports.models import Report
from reviews.common import (
    REVIEW_LOCKED_MESSAGE,
    audit,
    audit_change,
    clean_text,
    decimal_or_none,
    ensure_not_published,
    ensure_open,
    is_half_step,
    upsert_with_changes,
)
from reviews.computation import points_text
from reviews.models import (
    Assignment,
    Grade,
    Problem,
    ProblemCategory,
    Question,
    Result,
    Review,
    ReviewChange,
    ReviewerPseudonym,
    Score,
)
from reviews.permissions import can_review, is_conflicted

# ---------------------------------------------------------------- pseudonyms


def reviewer_pseudonyms_draw(*, cycle, reviewers):
    """Give each reviewer of the cycle without one a number 评议人N, drawn at random after the
    numbers already given (so that names cannot be guessed from the order of usernames)."""
    taken = dict(ReviewerPseudonym.objects.filter(cycle=cycle).values_list("reviewer_id", "number"))
    new = sorted({reviewer.pk for reviewer in reviewers} - set(taken))
    secrets.SystemRandom().shuffle(new)
    start = max(taken.values(), default=0) + 1
    ReviewerPseudonym.objects.bulk_create(
        [ReviewerPseudonym(cycle=cycle, reviewer_id=reviewer_id, number=start + index) for index, reviewer_id in enumerate(new)]
    )


# ---------------------------------------------------------------- reviews


def review_check_reviewer(*, report, reviewer):
    """Raise ValidationError unless `reviewer` may review `report` (the conflict rule first)."""
    if is_conflicted(reviewer, report):
        raise ValidationError(f"您是{report.organization}的书记，不能评议本组织的述职报告。")
    if not can_review(reviewer, report):
        raise ValidationError(f"您不是本报告的评议人（须为{report.cycle.organization}班子成员并被分配评议）。")


def _review_snapshot(review):
    """The reviewable content of a review, as stored in its change history."""
    return {
        "version": review.version.number if review.version_id else None,
        "scores": {s.criterion.name: str(s.points) for s in review.scores.select_related("criterion")},
        "comment": review.comment,
        "suggested_grade": review.get_suggested_grade_display() if review.suggested_grade else "",
        "problems": [f"{p.category.name}：{p.text}" for p in review.problems.select_related("category")],
    }


def _clean_review(*, criteria, scores, comment, suggested_grade, problems, final):
    """Validate a review's content; returns (scores {Criterion: Decimal}, comment, problems)."""
    errors = {}
    by_id = {criterion.pk: criterion for criterion in criteria}
    given = {}
    for key, value in (scores or {}).items():
        try:
            criterion = by_id[int(key)]
        except (KeyError, TypeError, ValueError):
            errors.setdefault(NON_FIELD_ERRORS, []).append("评分中包含不属于本年度评价指标的项目。")
            continue
        try:
            points = decimal_or_none(value)
        except InvalidOperation:
            errors[f"score_{criterion.pk}"] = f"“{criterion.name}”的得分须为数字。"
            continue
        if points is None:
            continue
        if points < 0 or points > criterion.max_points:
            errors[f"score_{criterion.pk}"] = f"“{criterion.name}”的得分应在 0 到 {points_text(criterion.max_points)} 分之间。"
        elif not is_half_step(points):
            errors[f"score_{criterion.pk}"] = f"“{criterion.name}”的得分只能是整分或半分（如 18.5）。"
        else:
            given[criterion] = points
    comment = (comment or "").strip()
    if final:
        for criterion in criteria:
            if criterion not in given and f"score_{criterion.pk}" not in errors:
                errors[f"score_{criterion.pk}"] = f"请为“{criterion.name}”打分。"
        if not comment:
            errors["comment"] = "请填写点评意见。"
    if suggested_grade and suggested_grade not in Grade.values:
        errors["suggested_grade"] = "建议等次无效。"
    cleaned_problems = []
    for number, problem in enumerate(problems or (), start=1):
        text = (problem.get("text") or "").strip()
        category = problem.get("category")
        if not text:
            errors.setdefault(NON_FIELD_ERRORS, []).append(f"第{number}条问题：请填写问题内容。")
        elif len(text) > Problem._meta.get_field("text").max_length:
            errors.setdefault(NON_FIELD_ERRORS, []).append(f"第{number}条问题：最多 300 字。")
        elif not isinstance(category, ProblemCategory):
            errors.setdefault(NON_FIELD_ERRORS, []).append(f"第{number}条问题：请选择问题类别。")
        else:
            cleaned_problems.append((text, category))
    if errors:
        raise ValidationError(errors)
    return given, comment, cleaned_problems


@transaction.atomic
def review_save(*, report, reviewer, scores, comment, suggested_grade="", problems=(), submit=False):
    """Save a reviewer's review of a report's latest submitted version, as a draft or submitted.

    `scores` maps criterion ids to points (half points allowed, within the maximum);
    `problems` is a list of {"text": str, "category": ProblemCategory}. A submitted review
    stays submitted: later saves must be complete, and each change is appended to its
    history (ReviewChange) and the audit log. Raises ValidationError (Chinese messages,
    keyed by form field: score_<criterion id>, comment, suggested_grade, __all__).
    """
    report = Report.objects.select_for_update(of=("self",)).select_related("cycle__organization", "organization").get(pk=report.pk)
    cycle = report.cycle
    ensure_not_published(cycle, REVIEW_LOCKED_MESSAGE)
    review_check_reviewer(report=report, reviewer=reviewer)
    if not report.is_submitted:
        raise ValidationError("该报告已退回修改或尚未提交，待书记提交后再评议。")
    version = report.versions.order_by("-number").first()
    review = Review.objects.select_for_update().filter(report=report, reviewer=reviewer).first()
    was_submitted = review is not None and review.status == Review.Status.SUBMITTED
    final = submit or was_submitted
    given, comment, cleaned_problems = _clean_review(
        criteria=list(cycle.criteria.all()),
        scores=scores,
        comment=comment,
        suggested_grade=suggested_grade,
        problems=problems,
        final=final,
    )
    if review is None:
        review = Review(report=report, reviewer=reviewer)
    old = _review_snapshot(review) if was_submitted else None

    review.version = version
    review.comment = comment
    review.suggested_grade = suggested_grade or ""
    now = timezone.now()
    if final and not was_submitted:
        review.status = Review.Status.SUBMITTED
        review.submitted_at = now
    review.save()
    review.scores.all().delete()
    Score.objects.bulk_create([Score(review=review, criterion=c, points=p) for c, p in given.items()])
    review.problems.all().delete()
    Problem.objects.bulk_create(
        [Problem(review=review, text=t, category=c, order=i) for i, (t, c) in enumerate(cleaned_problems)]
    )

    if final and not was_submitted:
        # A reviewer assigned outside the services (e.g. the Django admin) gets a number now.
        reviewer_pseudonyms_draw(cycle=cycle, reviewers=[reviewer])
        audit(
            cycle, reviewer, AuditEntry.Action.REVIEW_SUBMITTED,
            f"{reviewer.display_name} 提交对{report.organization}述职报告（第{version.number}版）的评议",
            obj=review,
        )
    elif was_submitted:
        new = _review_snapshot(review)
        changed = {key: {"old": old[key], "new": new[key]} for key in new if old[key] != new[key]}
        if changed:
            ReviewChange.objects.create(review=review, changed_by=reviewer, old=old, new=new)
            audit(
                cycle, reviewer, AuditEntry.Action.REVIEW_CHANGED,
                f"{reviewer.display_name} 修改对{report.organization}述职报告的已提交评议",
                obj=review,
                changes=changed,
            )
    return review


# ---------------------------------------------------------------- questions


@transaction.atomic
def question_ask(*, report, by, text):
    """A reviewer asks the report's secretary a question (提问/质询)."""
    ensure_open(report.cycle)
    if not can_review(by, report):
        raise ValidationError("只有本报告的评议人可以提问。")
    text = clean_text(text, field="text", label="问题", max_length=2000)
    question = Question.objects.create(report=report, asked_by=by, text=text)
    notify(
        users=[report.organization.secretary],
        text=f"评议人就{report.organization}的述职报告提出了问题，请答复。",
        url=reverse("reviews:secretary_questions", args=[report.pk]),
        email=True,
    )
    return question


@transaction.atomic
def question_answer(*, question, by, answer):
    """The secretary answers (or corrects the answer to) a question on their report."""
    report = question.report
    ensure_open(report.cycle)
    if report.organization.secretary_id != by.pk:
        raise ValidationError("只有本组织书记可以回答提问。")
    answer = clean_text(answer, field="answer", label="回答", max_length=5000)
    question.answer = answer
    question.answered_by = by
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    notify(
        users=[question.asked_by],
        text=f"{report.organization}书记答复了您的提问。",
        url=reverse("reviews:review", args=[report.pk]) + "#questions",
        email=True,
    )
    return question


# ---------------------------------------------------------------- assignments


@transaction.atomic
def assignment_add(*, report, reviewer, by):
    """Assign a committee member to review a report. The conflict rule is enforced here."""
    cycle = report.cycle
    ensure_open(cycle)
    if is_conflicted(reviewer, report):
        raise ValidationError(f"{reviewer.display_name}是{report.organization}的书记，不能评议本组织的述职报告。")
    if not cycle.organization.committee_members.filter(pk=reviewer.pk).exists():
        raise ValidationError(f"{reviewer.display_name}不是{cycle.organization}的班子成员，不能担任评议人。")
    ensure_not_published(cycle)
    assignment, created = Assignment.objects.get_or_create(report=report, reviewer=reviewer)
    if not created:
        raise ValidationError(f"{reviewer.display_name}已是{report.organization}述职报告的评议人。")
    reviewer_pseudonyms_draw(cycle=cycle, reviewers=[reviewer])
    audit_change(
        cycle, by, AuditEntry.Action.ASSIGNMENT_CHANGED,
        f"增加 {reviewer.display_name} 评议{report.organization}述职报告",
        obj=report,
    )
    return assignment


@transaction.atomic
def assignment_remove(*, assignment, by):
    """Remove an assignment and the reviewer's draft. A submitted review keeps its assignment."""
    report = assignment.report
    cycle = report.cycle
    ensure_not_published(cycle)
    reviews = Review.objects.filter(report=report, reviewer=assignment.reviewer)
    if reviews.filter(status=Review.Status.SUBMITTED).exists():
        raise ValidationError(
            f"{assignment.reviewer.display_name}已提交对{report.organization}述职报告的评议，不能取消分工。"
        )
    reviews.delete()
    assignment.delete()
    audit_change(
        cycle, by, AuditEntry.Action.ASSIGNMENT_CHANGED,
        f"取消 {assignment.reviewer.display_name} 评议{report.organization}述职报告",
        obj=report,
    )


# ---------------------------------------------------------------- scores and results


@transaction.atomic
def routine_scores_set(*, cycle, scores, by):
    """Enter the routine assessment (日常考核) scores of several reports at once.

    `scores` maps report ids to a score in 0–100 (2 decimals) or None to clear it.
    Constant number of queries. Returns the number of changed reports.
    """
    ensure_not_published(cycle)
    reports = {r.pk: r for r in cycle.reports.filter(pk__in=list(scores)).select_related("organization")}
    errors = {}
    cleaned = {}
    for report_id, value in scores.items():
        if report_id not in reports:
            raise ValidationError("包含不属于本年度的述职报告。")
        try:
            score = decimal_or_none(value)
        except InvalidOperation:
            errors[f"routine_{report_id}"] = "须为数字。"
            continue
        if score is not None and (score < 0 or score > 100 or score != score.quantize(Decimal("0.01"))):
            errors[f"routine_{report_id}"] = "须为 0 到 100 之间、最多两位小数的数。"
            continue
        cleaned[report_id] = score
    if errors:
        raise ValidationError(errors)
    existing = {r.report_id: r for r in Result.objects.filter(report_id__in=list(cleaned))}
    # An administrator who leads one of the reviewed organizations does not score it.
    for report_id, score in cleaned.items():
        old = existing[report_id].routine_score if report_id in existing else None
        if old != score and is_conflicted(by, reports[report_id]):
            raise ValidationError({f"routine_{report_id}": f"您是{reports[report_id].organization}的书记，不能录入本组织的日常考核得分。"})
    changes = upsert_with_changes(
        Result,
        "routine_score",
        existing=existing,
        values=cleaned,
        new=lambda report_id, score: Result(report_id=report_id, routine_score=score),
        label=lambda report_id: str(reports[report_id].organization),
        show=str,
    )
    if changes:
        audit_change(
            cycle, by, AuditEntry.Action.ROUTINE_SCORE_SET,
            f"录入{len(changes)}个党组织的日常考核得分",
            obj=cycle,
            changes=changes,
        )
    return len(changes)


def routine_score_set(*, report, score, by):
    """Enter one report's routine assessment score (None clears it)."""
    return routine_scores_set(cycle=report.cycle, scores={report.pk: score}, by=by)


# ---------------------------------------------------------------- notices


def reviewers_notify_submitted(*, report, version, **kwargs):
    """Receiver of reports.signals.report_submitted: tell the report's assigned reviewers (still on
    the reviewing committee, never its own secretary) that there is a version to review."""
    reviewers = [
        assignment.reviewer
        for assignment in Assignment.objects.filter(
            report=report, reviewer__committee_organizations=report.cycle.organization_id
        ).select_related("reviewer")
        if not is_conflicted(assignment.reviewer, report)
    ]
    if version.number == 1:
        text = f"{report.organization}提交了《{report.cycle.title}》述职报告，请您评议。"
    else:
        text = (
            f"{report.organization}修改后重新提交了述职报告（第{version.number}版）。"
            "您针对旧版本的评议须按新版本重新评议。"
        )
    notify(users=reviewers, text=text, url=reverse("reviews:review", args=[report.pk]))
