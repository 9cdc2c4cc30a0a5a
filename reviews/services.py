import secrets
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from branches.models import AuditEntry
from branches.services import audit_record, notify
from reports.models import Cycle, Report
from reports.services import cycle_create, cycle_open

from reviews.ballots.selectors import ballot_scores
from reviews.computation import ResultInput, Rules, compute_results, points_text
from reviews.models import (
    DEFAULT_CRITERIA,
    DEFAULT_PROBLEM_CATEGORIES,
    Assignment,
    Criterion,
    Grade,
    Problem,
    ProblemCategory,
    Publication,
    PublishedResult,
    Question,
    Result,
    ResultSettings,
    Review,
    ReviewChange,
    ReviewerPseudonym,
    Score,
)
from reviews.permissions import can_review, is_conflicted
from reviews.console.reminders import deadline_label
from reviews.selectors import publication_gaps, results_fingerprint, results_state, rubric_is_locked, rubric_max


def problem_categories_ensure_default():
    """Create the default problem categories if none exist yet."""
    if not ProblemCategory.objects.exists():
        ProblemCategory.objects.bulk_create(
            [ProblemCategory(name=name, order=index) for index, name in enumerate(DEFAULT_PROBLEM_CATEGORIES)]
        )


@transaction.atomic
def rubric_setup(*, cycle, copy_from=None):
    """Give a cycle its criteria and result settings: a copy of `copy_from`'s, or the defaults."""
    if copy_from is not None:
        criteria = [
            Criterion(cycle=cycle, name=c.name, description=c.description, max_points=c.max_points, order=c.order)
            for c in copy_from.criteria.all()
        ]
        settings = ResultSettings.objects.get(cycle=copy_from)
        settings.pk = None
        settings.id = None
        settings.cycle = cycle
        settings.save()
    else:
        criteria = [
            Criterion(cycle=cycle, name=name, max_points=points, description=description, order=index)
            for index, (name, points, description) in enumerate(DEFAULT_CRITERIA)
        ]
        ResultSettings.objects.create(cycle=cycle)
    Criterion.objects.bulk_create(criteria)


@transaction.atomic
def assignments_create_default(*, cycle):
    """Every committee member of the reviewing organization reviews every report of the
    cycle, except the reports of organizations they lead (the conflict rule)."""
    members = list(cycle.organization.committee_members.all())
    existing = set(Assignment.objects.filter(report__cycle=cycle).values_list("report_id", "reviewer_id"))
    new = [
        Assignment(report=report, reviewer=member)
        for report in cycle.reports.select_related("organization")
        for member in members
        if report.organization.secretary_id != member.pk and (report.pk, member.pk) not in existing
    ]
    Assignment.objects.bulk_create(new)
    reviewer_pseudonyms_draw(cycle=cycle, reviewers=members)
    return len(new)


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


@transaction.atomic
def cycle_launch(
    *,
    organization,
    year,
    title,
    submission_deadline,
    by,
    participants=None,
    copy_rubric_from=None,
    review_deadline=None,
    meeting_date=None,
):
    """Create and open a cycle in one step: rubric, result settings, reports and default assignments."""
    problem_categories_ensure_default()
    cycle = cycle_create(
        organization=organization,
        year=year,
        title=title,
        submission_deadline=submission_deadline,
        review_deadline=review_deadline,
        meeting_date=meeting_date,
        by=by,
    )
    rubric_setup(cycle=cycle, copy_from=copy_rubric_from)
    cycle_open(cycle=cycle, by=by, participants=participants)
    assignments_create_default(cycle=cycle)
    _notify_secretaries(
        cycle,
        f"{cycle.organization}已启动《{cycle.title}》，请于{deadline_label(submission_deadline)}前撰写并提交述职报告。",
        reverse("reports:home"),
    )
    return cycle


def _notify_secretaries(cycle, text, url):
    """Notify the secretary of every organization taking part in the cycle."""
    reports = cycle.reports.select_related("organization__secretary")
    return notify(users={r.organization.secretary for r in reports} - {None}, text=text, url=url, email=True)


# ---------------------------------------------------------------- helpers

CLOSED_MESSAGE = "本年度述职评议已结束，所有内容已锁定，不能再修改。"
PUBLISHED_MESSAGE = "本年度结果已公布，评议、得分和设置已锁定；如需修改，请先撤回公布。"
REVIEW_LOCKED_MESSAGE = "本年度结果已公布，评议已锁定，不能再修改；如确需修改，请联系组织部门撤回公布。"


def _ensure_open(cycle):
    # Asks the database: the caller's cycle object may predate the closing.
    if Cycle.objects.filter(pk=cycle.pk, status=Cycle.Status.CLOSED).exists():
        raise ValidationError(CLOSED_MESSAGE)


def _ensure_not_published(cycle, message=PUBLISHED_MESSAGE):
    """Published results are a record: what they were computed from changes only after 撤回公布."""
    _ensure_open(cycle)
    if Cycle.objects.filter(pk=cycle.pk, published_at__isnull=False).exists():
        raise ValidationError(message)


def _lock_cycle(cycle):
    """The cycle's row, locked: publish, withdraw, compute and close serialise on it, and each
    re-checks the state it changes inside the lock (parallel clicks give one change)."""
    return Cycle.objects.select_for_update(of=("self",)).select_related("organization").get(pk=cycle.pk)


def _decimal(value):
    """Decimal from a form value, or None when empty. Raises InvalidOperation on garbage."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return Decimal(str(value).strip())


def _required_text(value, *, field, label, max_length):
    """The stripped text, or ValidationError on `field` when empty or too long."""
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: f"请填写{label}。"})
    if len(text) > max_length:
        raise ValidationError({field: f"{label}最多 {max_length} 字，当前 {len(text)} 字。"})
    return text


def _is_half_step(value):
    return (value * 2) == (value * 2).to_integral_value()


def _audit(cycle, by, action, summary, **kwargs):
    """Record an action of the review workflow; the reviewing organization's administrators see it."""
    return audit_record(organization=cycle.organization, actor=by, action=action, summary=summary, **kwargs)


def _audit_change(cycle, by, action, summary, **kwargs):
    """Record a change the results depend on, and mark them for recomputation."""
    ResultSettings.objects.filter(cycle=cycle).update(results_changed_at=timezone.now())
    return _audit(cycle, by, action, summary, **kwargs)


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
            points = _decimal(value)
        except InvalidOperation:
            errors[f"score_{criterion.pk}"] = f"“{criterion.name}”的得分须为数字。"
            continue
        if points is None:
            continue
        if points < 0 or points > criterion.max_points:
            errors[f"score_{criterion.pk}"] = f"“{criterion.name}”的得分应在 0 到 {points_text(criterion.max_points)} 分之间。"
        elif not _is_half_step(points):
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
    _ensure_not_published(cycle, REVIEW_LOCKED_MESSAGE)
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
        _audit(
            cycle, reviewer, AuditEntry.Action.REVIEW_SUBMITTED,
            f"{reviewer.display_name} 提交对{report.organization}述职报告（第{version.number}版）的评议",
            obj=review,
        )
    elif was_submitted:
        new = _review_snapshot(review)
        changed = {key: {"old": old[key], "new": new[key]} for key in new if old[key] != new[key]}
        if changed:
            ReviewChange.objects.create(review=review, changed_by=reviewer, old=old, new=new)
            _audit(
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
    _ensure_open(report.cycle)
    if not can_review(by, report):
        raise ValidationError("只有本报告的评议人可以提问。")
    text = _required_text(text, field="text", label="问题", max_length=2000)
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
    _ensure_open(report.cycle)
    if report.organization.secretary_id != by.pk:
        raise ValidationError("只有本组织书记可以回答提问。")
    answer = _required_text(answer, field="answer", label="回答", max_length=5000)
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
    _ensure_open(cycle)
    if is_conflicted(reviewer, report):
        raise ValidationError(f"{reviewer.display_name}是{report.organization}的书记，不能评议本组织的述职报告。")
    if not cycle.organization.committee_members.filter(pk=reviewer.pk).exists():
        raise ValidationError(f"{reviewer.display_name}不是{cycle.organization}的班子成员，不能担任评议人。")
    _ensure_not_published(cycle)
    assignment, created = Assignment.objects.get_or_create(report=report, reviewer=reviewer)
    if not created:
        raise ValidationError(f"{reviewer.display_name}已是{report.organization}述职报告的评议人。")
    reviewer_pseudonyms_draw(cycle=cycle, reviewers=[reviewer])
    _audit_change(
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
    _ensure_not_published(cycle)
    reviews = Review.objects.filter(report=report, reviewer=assignment.reviewer)
    if reviews.filter(status=Review.Status.SUBMITTED).exists():
        raise ValidationError(
            f"{assignment.reviewer.display_name}已提交对{report.organization}述职报告的评议，不能取消分工。"
        )
    reviews.delete()
    assignment.delete()
    _audit_change(
        cycle, by, AuditEntry.Action.ASSIGNMENT_CHANGED,
        f"取消 {assignment.reviewer.display_name} 评议{report.organization}述职报告",
        obj=report,
    )


# ---------------------------------------------------------------- rubric and settings


def _ensure_rubric_editable(cycle):
    _ensure_not_published(cycle)
    if rubric_is_locked(cycle):
        raise ValidationError("已有评议人打分，评价指标已锁定，不能再修改。")


@transaction.atomic
def criterion_save(*, cycle, by, name, max_points, description="", order=None, criterion=None):
    """Create a criterion of the cycle's rubric, or change `criterion`. Only before the first score."""
    _ensure_rubric_editable(cycle)
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "请填写指标名称。"
    elif cycle.criteria.filter(name=name).exclude(pk=getattr(criterion, "pk", None)).exists():
        errors["name"] = f"本年度已有名为“{name}”的指标。"
    try:
        max_points = _decimal(max_points)
    except InvalidOperation:
        max_points = None
    if max_points is None or max_points <= 0 or max_points > 100 or not _is_half_step(max_points):
        errors["max_points"] = "满分须为 0.5 到 100 之间的整分或半分。"
    if errors:
        raise ValidationError(errors)
    if order is None:
        order = criterion.order if criterion else (cycle.criteria.count())
    old = {"name": criterion.name, "max_points": str(criterion.max_points)} if criterion else {}
    criterion = criterion or Criterion(cycle=cycle)
    criterion.name, criterion.max_points = name, max_points
    criterion.description, criterion.order = (description or "").strip(), order
    criterion.save()
    _audit_change(
        cycle, by, AuditEntry.Action.SETTINGS_CHANGED,
        f"{'修改' if old else '增加'}评价指标“{name}”（{points_text(max_points)}分）",
        obj=cycle,
        changes={"old": old, "new": {"name": name, "max_points": str(max_points)}},
    )
    return criterion


@transaction.atomic
def criterion_delete(*, criterion, by):
    cycle = criterion.cycle
    _ensure_rubric_editable(cycle)
    criterion.delete()
    _audit_change(cycle, by, AuditEntry.Action.SETTINGS_CHANGED, f"删除评价指标“{criterion.name}”", obj=cycle)


@transaction.atomic
def rubric_copy(*, cycle, source, by):
    """Replace the cycle's criteria with a copy of another cycle's (e.g. last year's)."""
    _ensure_rubric_editable(cycle)
    if source.organization_id != cycle.organization_id or source.pk == cycle.pk:
        raise ValidationError("只能复制本组织其他年度的评价指标。")
    cycle.criteria.all().delete()
    Criterion.objects.bulk_create(
        [
            Criterion(cycle=cycle, name=c.name, description=c.description, max_points=c.max_points, order=c.order)
            for c in source.criteria.all()
        ]
    )
    _audit_change(cycle, by, AuditEntry.Action.SETTINGS_CHANGED, f"从“{source}”复制评价指标", obj=cycle)


SETTINGS_FIELDS = [
    "aggregation",
    "review_weight",
    "routine_weight",
    "ballot_weight",
    "threshold_excellent",
    "threshold_good",
    "threshold_fair",
    "label_excellent",
    "label_good",
    "label_fair",
    "label_poor",
    "top_grade_cap_numerator",
    "top_grade_cap_denominator",
    "show_rank",
    "show_reviewer_names",
]
WEIGHT_FIELDS = ["review_weight", "routine_weight", "ballot_weight"]
THRESHOLD_FIELDS = ["threshold_excellent", "threshold_good", "threshold_fair"]
LABEL_FIELDS = ["label_excellent", "label_good", "label_fair", "label_poor"]


def _clean_settings(values):
    errors = {}
    if values["aggregation"] not in ResultSettings.Aggregation.values:
        errors["aggregation"] = "请选择评议得分计算方式。"
    for name in WEIGHT_FIELDS + THRESHOLD_FIELDS:
        value = values[name]
        if value is None or not (0 <= value <= 100):
            errors[name] = "须为 0 到 100 之间的数。"
    if not errors and sum(values[name] for name in WEIGHT_FIELDS) != 100:
        errors[NON_FIELD_ERRORS] = [
            f"各项权重之和须为 100，当前为 {points_text(sum(values[name] for name in WEIGHT_FIELDS))}。"
        ]
    excellent, good, fair = (values[name] for name in THRESHOLD_FIELDS)
    if not errors and not (excellent >= good >= fair):
        errors["threshold_good"] = "等次分数线须从高到低：第一等次 ≥ 第二等次 ≥ 第三等次。"
    labels = [(values[name] or "").strip() for name in LABEL_FIELDS]
    for name, label in zip(LABEL_FIELDS, labels, strict=True):
        if not label:
            errors[name] = "请填写等次名称。"
    if all(labels) and len(set(labels)) < len(labels):
        errors["label_poor"] = "四个等次的名称不能重复。"
    numerator, denominator = values["top_grade_cap_numerator"], values["top_grade_cap_denominator"]
    if (numerator is None) != (denominator is None):
        errors["top_grade_cap_denominator"] = "比例上限须同时填写分子和分母，或都不填。"
    elif denominator is not None and (denominator == 0 or numerator > denominator):
        errors["top_grade_cap_denominator"] = "比例上限的分母须大于 0，且分子不大于分母。"
    if errors:
        raise ValidationError(errors)
    return {**values, **dict(zip(LABEL_FIELDS, labels, strict=True))}


@transaction.atomic
def result_settings_update(*, settings, data, by):
    """Change a cycle's result settings. `data` holds any of SETTINGS_FIELDS, already typed."""
    cycle = settings.cycle
    _ensure_not_published(cycle)
    values = {name: data.get(name, getattr(settings, name)) for name in SETTINGS_FIELDS}
    values = _clean_settings(values)
    changes = {
        name: {"old": str(getattr(settings, name)), "new": str(value)}
        for name, value in values.items()
        if getattr(settings, name) != value
    }
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save(update_fields=SETTINGS_FIELDS)
    if changes:
        _audit_change(cycle, by, AuditEntry.Action.SETTINGS_CHANGED, f"修改“{cycle}”的结果设置", obj=cycle, changes=changes)
    return settings


# ---------------------------------------------------------------- scores and results


@transaction.atomic
def routine_scores_set(*, cycle, scores, by):
    """Enter the routine assessment (日常考核) scores of several reports at once.

    `scores` maps report ids to a score in 0–100 (2 decimals) or None to clear it.
    Constant number of queries. Returns the number of changed reports.
    """
    _ensure_not_published(cycle)
    reports = {r.pk: r for r in cycle.reports.filter(pk__in=list(scores)).select_related("organization")}
    errors = {}
    cleaned = {}
    for report_id, value in scores.items():
        if report_id not in reports:
            raise ValidationError("包含不属于本年度的述职报告。")
        try:
            score = _decimal(value)
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
    changed, created, changes = [], [], {}
    for report_id, score in cleaned.items():
        result = existing.get(report_id)
        old = result.routine_score if result else None
        if old == score:
            continue
        changes[str(reports[report_id].organization)] = {"old": str(old), "new": str(score)}
        if result is None:
            created.append(Result(report_id=report_id, routine_score=score))
        else:
            result.routine_score = score
            changed.append(result)
    Result.objects.bulk_update(changed, ["routine_score"])
    Result.objects.bulk_create(created)
    if changes:
        _audit_change(
            cycle, by, AuditEntry.Action.ROUTINE_SCORE_SET,
            f"录入{len(changes)}个党组织的日常考核得分",
            obj=cycle,
            changes=changes,
        )
    return len(changes)


def routine_score_set(*, report, score, by):
    """Enter one report's routine assessment score (None clears it)."""
    return routine_scores_set(cycle=report.cycle, scores={report.pk: score}, by=by)


@transaction.atomic
def results_compute(*, cycle, by):
    """Compute every report's review score, total, rank and grade from the submitted reviews.

    Database aggregates (each submitted review's total) feed the pure computation
    (reviews.computation). Overrides survive: the computed grade is refreshed, the
    overriding grade and its reason are kept. The inputs' fingerprint is stored with the results
    (results_state compares it). When the results are already current nothing is written (a
    second click, or a parallel one, is not a second computation). Returns the list of Results.
    """
    cycle = _lock_cycle(cycle)
    _ensure_not_published(cycle)
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
    _audit(cycle, by, AuditEntry.Action.RESULTS_COMPUTED, f"计算“{cycle}”结果：{graded}/{len(results)}个党组织得出综合得分", obj=cycle)
    return results


@transaction.atomic
def result_override(*, result, grade, reason, by):
    """Settle a grade other than the computed one, with a written reason (recorded).

    Choosing the computed grade again removes the override (the reason is still recorded).
    """
    report = result.report
    cycle = report.cycle
    _ensure_not_published(cycle)
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
    _audit(
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
    (rectification_services.problem_lists_follow_publication)."""
    from reviews.results.documents import cycle_sheets
    from reviews.rectification.services import problem_lists_follow_publication

    cycle = _lock_cycle(cycle)
    _ensure_open(cycle)
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
    _audit(
        cycle, by, AuditEntry.Action.CYCLE_PUBLISHED, summary,
        obj=publication, reason=publication.reason, changes={"incomplete": gaps, "changes": changes},
    )
    reports = {str(r.pk): r for r in cycle.reports.select_related("organization__secretary")}
    if previous is None:
        _notify_secretaries(cycle, f"《{cycle.title}》结果已公布，请查看本组织的评议结果。", reverse("reports:home"))
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
    cycle = _lock_cycle(cycle)
    _ensure_open(cycle)
    reason = _required_text(reason, field="reason", label="撤回理由", max_length=2000)
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
    _audit(
        cycle, by, AuditEntry.Action.CYCLE_WITHDRAWN,
        f"撤回“{cycle}”{f'第{publication.number}次' if publication else ''}公布的结果", obj=publication or cycle, reason=reason,
    )
    _notify_secretaries(
        cycle, f"《{cycle.title}》已公布的结果已撤回，暂停查看。原因：{reason}", reverse("reports:home")
    )
    return publication


@transaction.atomic
def cycle_close(*, cycle, by):
    """Close the cycle once its results are published: everything is locked from then on."""
    cycle = _lock_cycle(cycle)
    _ensure_open(cycle)
    if not cycle.is_published:
        raise ValidationError("请先公布结果，再结束本年度评议。")
    cycle.status = cycle.Status.CLOSED
    cycle.save(update_fields=["status"])
    _audit(cycle, by, AuditEntry.Action.CYCLE_CLOSED, f"结束“{cycle}”，全部内容锁定", obj=cycle)
    return cycle
