"""Results services: computing, overriding, publishing, closing, staleness."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from branches.models import AuditEntry
from reports.models import Report
from reviews.models import Grade, Result
from reviews.results.services import cycle_close, cycle_publish, result_override, results_compute
from reviews.rubric_services import result_settings_update
from reviews.services import routine_score_set, routine_scores_set
from tests.factories import INCOMPLETE_OK
from tests.reviews.helpers import committee_with_reviewers, scores_totalling, submit_review

# ---------------------------------------------------------------- results


def test_results_compute_trimmed_mean_weights_rank_and_grade(submitted):
    w = submitted
    reviewers = committee_with_reviewers(w, 5)
    result_settings_update(settings=w.cycle.result_settings, data={"aggregation": "trimmed_mean"}, by=w.admin)
    # report_a: 95 60 80 82 84 → trimmed (80 + 82 + 84) / 3 = 82; total 82 × .6 + 90 × .4 = 85.2
    for reviewer, total in zip(reviewers, [95, 60, 80, 82, 84], strict=True):
        submit_review(w.report_a, reviewer, total)
    # report_b: only 4 of 5 reviewed: plain mean (90 + 91 + 92 + 99) / 4 = 93; 93 × .6 + 95 × .4 = 93.8
    for reviewer, total in zip(reviewers[:4], [90, 91, 92, 99], strict=True):
        submit_review(w.report_b, reviewer, total)
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: 90, w.report_b.pk: 95}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    a, b = Result.objects.get(report=w.report_a), Result.objects.get(report=w.report_b)
    assert (a.review_score, a.total, a.rank, a.computed_grade, a.grade) == (D("82.00"), D("85.20"), 2, "good", "good")
    assert (b.review_score, b.total, b.rank, b.computed_grade, b.grade) == (D("93.00"), D("93.80"), 1, "excellent", "excellent")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RESULTS_COMPUTED).count() == 1


def test_results_compute_flags_a_missing_ballot_score(submitted):
    from reviews.results.selectors import cycle_results

    w = submitted
    result_settings_update(
        settings=w.cycle.result_settings,
        data={"review_weight": D(50), "routine_weight": D(30), "ballot_weight": D(20)},
        by=w.admin,
    )
    submit_review(w.report_a, w.reviewer, 90)
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: 90}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    row = next(r for r in cycle_results(w.cycle) if r.report == w.report_a)
    assert row.total is None and row.rank is None and "缺民主测评得分" in row.flags
    Result.objects.filter(report=w.report_a).update(ballot_score=D("80"))
    results_compute(cycle=w.cycle, by=w.admin)
    # 90 × .5 + 90 × .3 + 80 × .2 = 45 + 27 + 16 = 88
    assert Result.objects.get(report=w.report_a).total == D("88.00")


def test_results_compute_with_cap_and_tie(submitted):
    w = submitted
    result_settings_update(
        settings=w.cycle.result_settings, data={"top_grade_cap_numerator": 1, "top_grade_cap_denominator": 2}, by=w.admin
    )
    submit_review(w.report_a, w.reviewer, 95)
    submit_review(w.report_b, w.reviewer, 95)
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: 95, w.report_b.pk: 95}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    results = list(Result.objects.filter(report__cycle=w.cycle).order_by("report__organization__order"))
    # 2 organizations × 1/2 = 1 top grade, but both tie at 95: both drop, both rank 1
    assert [(r.total, r.rank, r.computed_grade) for r in results] == [(D("95.00"), 1, "good"), (D("95.00"), 1, "good")]


def test_override_needs_a_reason_and_survives_recomputation(submitted):
    w = submitted
    submit_review(w.report_a, w.reviewer, 85)
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: 85}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    result = Result.objects.get(report=w.report_a)
    assert result.grade == Grade.GOOD
    with pytest.raises(ValidationError) as error:
        result_override(result=result, grade=Grade.EXCELLENT, reason="  ", by=w.admin)
    assert error.value.message_dict == {"reason": ["调整等次须填写理由。"]}
    result_override(result=result, grade=Grade.EXCELLENT, reason="年度重点任务表现突出", by=w.admin)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.GRADE_OVERRIDDEN)
    assert entry.reason == "年度重点任务表现突出" and entry.changes["grade"] == {"old": "good", "new": "excellent"}
    # A new score changes the computed grade; the override stays.
    submit_review(w.report_a, w.reviewer, 70)
    results_compute(cycle=w.cycle, by=w.admin)
    result.refresh_from_db()
    # 70 × .6 + 85 × .4 = 42 + 34 = 76 → fair
    assert (result.total, result.computed_grade, result.grade) == (D("76.00"), "fair", "excellent")
    assert result.is_overridden and result.override_reason == "年度重点任务表现突出" and result.overridden_by == w.admin
    # Choosing the computed grade again removes the override.
    result_override(result=result, grade=Grade.FAIR, reason="撤销调整", by=w.admin)
    result.refresh_from_db()
    assert not result.is_overridden and result.grade == "fair"


def test_an_administrator_who_leads_the_branch_cannot_settle_its_grade_or_routine_score(submitted):
    """The conflict rule (nobody judges the organization they lead) already keeps such an
    administrator from sending their own report back; grading it and scoring its routine
    assessment are judging it too."""
    w = submitted
    w.committee.administrators.add(w.secretary_a)
    submit_review(w.report_a, w.reviewer, 85)
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: 85}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    result = Result.objects.get(report=w.report_a)
    with pytest.raises(ValidationError, match="书记"):
        result_override(result=result, grade=Grade.EXCELLENT, reason="自评优秀", by=w.secretary_a)
    with pytest.raises(ValidationError, match="书记"):
        routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: 100, w.report_b.pk: 80}, by=w.secretary_a)
    result.refresh_from_db()
    assert (result.grade, result.is_overridden, result.routine_score) == (Grade.GOOD, False, D("85"))
    # The other branch's score, and their own unchanged one (the form posts every row), are fine.
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: "85", w.report_b.pk: 80}, by=w.secretary_a)
    assert Result.objects.get(report=w.report_b).routine_score == D("80")


def test_publish_requires_current_results_and_close_requires_publication(submitted):
    w = submitted
    with pytest.raises(ValidationError) as error:
        cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    assert error.value.messages == ["请先计算结果，再公布。"]
    with pytest.raises(ValidationError):
        cycle_close(cycle=w.cycle, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    submit_review(w.report_a, w.reviewer, 85)
    with pytest.raises(ValidationError) as error:
        cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    assert "请重新计算结果" in error.value.messages[0]
    results_compute(cycle=w.cycle, by=w.admin)
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    w.cycle.refresh_from_db()
    assert w.cycle.is_published and w.cycle.published_by == w.admin
    with pytest.raises(ValidationError):
        cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    cycle_close(cycle=w.cycle, by=w.admin)
    w.cycle.refresh_from_db()
    assert w.cycle.is_closed
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {AuditEntry.Action.CYCLE_PUBLISHED, AuditEntry.Action.CYCLE_CLOSED} <= actions


def test_settings_change_makes_results_stale(submitted):
    from reviews.results.selectors import results_state

    w = submitted
    assert results_state(w.cycle) == "never"
    results_compute(cycle=w.cycle, by=w.admin)
    assert results_state(w.cycle) == "current"
    result_settings_update(settings=w.cycle.result_settings, data={"threshold_excellent": D(95)}, by=w.admin)
    assert results_state(w.cycle) == "stale"
    results_compute(cycle=w.cycle, by=w.admin)
    routine_score_set(report=w.report_a, score=80, by=w.admin)
    assert results_state(w.cycle) == "stale"
    assert Report.objects.filter(cycle=w.cycle).count() == 2
    assert scores_totalling(w.cycle, 100)
