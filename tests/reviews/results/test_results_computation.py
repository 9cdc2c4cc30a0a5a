"""Hand-computed results through the path the results page uses: the cycle's settings and rubric
(ResultSettings, criteria) → results_compute → reviews.computation → the stored Results.

Rubrics that do not total 100 and figures that do not divide exactly: an unscaled total, a
truncating division or a rounding other than half up would each change a figure below.
"""

from decimal import Decimal as D

import pytest

from reviews.computation import HUNDRED, MEAN, TRIMMED_MEAN, Rules
from reviews.models import Result, ResultSettings
from reviews.results.services import results_compute
from reviews.rubric_services import criterion_delete, criterion_save, result_settings_update
from reviews.services import routine_scores_set
from tests.reviews.helpers import committee_with_reviewers, submit_review


def rubric_of(cycle, by, *max_points):
    """Replace the cycle's rubric by criteria of these maximum points."""
    for criterion in list(cycle.criteria.all()):
        criterion_delete(criterion=criterion, by=by)
    for index, points in enumerate(max_points):
        criterion_save(cycle=cycle, by=by, name=f"指标{index + 1}", max_points=points)


def results_of(world):
    return Result.objects.get(report=world.report_a), Result.objects.get(report=world.report_b)


@pytest.fixture
def six_items_rubric(submitted):
    """Six items rated up to 4 points each: a rubric totalling 24."""
    rubric_of(submitted.cycle, submitted.admin, *["4"] * 6)
    return submitted


def test_rubric_of_24_trimmed_mean_three_components_and_thresholds_at_the_boundary(six_items_rubric):
    w = six_items_rubric
    reviewers = committee_with_reviewers(w, 5)
    result_settings_update(
        settings=w.cycle.result_settings,
        data={
            "aggregation": TRIMMED_MEAN,
            "review_weight": D(50), "routine_weight": D(30), "ballot_weight": D(20),
            "threshold_excellent": D("93.65"), "threshold_good": D("82.63"), "threshold_fair": D(70),
        },
        by=w.admin,
    )
    # report_a, five reviewers: 12 17.5 19 21 23.5 → drop 12 and 23.5 → 57.5 / 3 = 19.1666…
    # on 100 points: 19.1666… × 100 / 24 = 79.8611… → 79.86
    for reviewer, total in zip(reviewers, ["23.5", "17.5", "19", "21", "12"], strict=True):
        submit_review(w.report_a, reviewer, D(total))
    # report_b, three reviewers (too few to trim): 69.5 / 3 = 23.1666… → × 100 / 24 = 96.5277… → 96.53
    for reviewer, total in zip(reviewers[:3], ["22", "23.5", "24"], strict=True):
        submit_review(w.report_b, reviewer, D(total))
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: D("83.5"), w.report_b.pk: D(91)}, by=w.admin)
    Result.objects.filter(report=w.report_a).update(ballot_score=D("88.25"))
    Result.objects.filter(report=w.report_b).update(ballot_score=D("90.4"))
    results_compute(cycle=w.cycle, by=w.admin)
    a, b = results_of(w)
    # a: 79.86 × .5 + 83.5 × .3 + 88.25 × .2 = 39.93 + 25.05 + 17.65 = 82.63: exactly the second threshold
    assert (a.review_score, a.total, a.rank, a.computed_grade) == (D("79.86"), D("82.63"), 2, "good")
    # b: 96.53 × .5 + 91 × .3 + 90.4 × .2 = 48.265 + 27.3 + 18.08 = 93.645 → 93.65 (half up): the first threshold
    assert (b.review_score, b.total, b.rank, b.computed_grade) == (D("96.53"), D("93.65"), 1, "excellent")


def test_rubric_above_100_mean_and_default_weights(submitted):
    w = submitted
    rubric_of(w.cycle, w.admin, "50", "50", "20")  # 120 points
    reviewers = committee_with_reviewers(w, 2)
    # report_a: (101 + 98.5) / 2 = 99.75 → × 100 / 120 = 83.125 → 83.13 (half up)
    submit_review(w.report_a, reviewers[0], D(101))
    submit_review(w.report_a, reviewers[1], D("98.5"))
    # report_b: 117 / 1 → 97.5
    submit_review(w.report_b, reviewers[0], D(117))
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: D("77.7"), w.report_b.pk: D("59.9")}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    a, b = results_of(w)
    # default weights review 60 / routine 40: 83.13 × .6 + 77.7 × .4 = 49.878 + 31.08 = 80.958 → 80.96
    assert (a.review_score, a.total, a.rank, a.computed_grade) == (D("83.13"), D("80.96"), 2, "good")
    # 97.5 × .6 + 59.9 × .4 = 58.5 + 23.96 = 82.46
    assert (b.review_score, b.total, b.rank, b.computed_grade) == (D("97.50"), D("82.46"), 1, "good")


def test_rubric_of_35_one_reviewer_and_the_top_grade_cap_from_the_settings(submitted):
    w = submitted
    rubric_of(w.cycle, w.admin, "10", "12.5", "12.5")  # 35 points
    result_settings_update(
        settings=w.cycle.result_settings,
        data={"threshold_excellent": D(85), "top_grade_cap_numerator": 1, "top_grade_cap_denominator": 2},
        by=w.admin,
    )
    # report_a: 33.5 × 100 / 35 = 95.714… → 95.71; report_b: 32 × 100 / 35 = 91.428… → 91.43
    submit_review(w.report_a, w.reviewer, D("33.5"))
    submit_review(w.report_b, w.reviewer, D(32))
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: D(88), w.report_b.pk: D("86.5")}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    a, b = results_of(w)
    # a: 95.71 × .6 + 88 × .4 = 57.426 + 35.2 = 92.626 → 92.63; b: 91.43 × .6 + 86.5 × .4 = 54.858 + 34.6 = 89.458 → 89.46
    # both reach 85, but 2 × 1/2 = 1 top grade: b drops to the second grade
    assert (a.review_score, a.total, a.rank, a.computed_grade) == (D("95.71"), D("92.63"), 1, "excellent")
    assert (b.review_score, b.total, b.rank, b.computed_grade) == (D("91.43"), D("89.46"), 2, "good")


def test_rules_from_settings():
    settings = ResultSettings(
        aggregation=TRIMMED_MEAN,
        review_weight=D(50), routine_weight=D(30), ballot_weight=D(20),
        threshold_excellent=D(91), threshold_good=D(81), threshold_fair=D(61),
        top_grade_cap_numerator=1, top_grade_cap_denominator=3,
    )
    rules = Rules.from_settings(settings, D(24))
    assert rules == Rules(
        aggregation=TRIMMED_MEAN,
        weights={"review": D(50), "routine": D(30), "ballot": D(20)},
        thresholds=(D(91), D(81), D(61)),
        cap=(1, 3),
        rubric_max=D(24),
    )
    # a cycle without criteria: totals are taken as they are (no division by zero)
    assert Rules.from_settings(ResultSettings(aggregation=MEAN), D(0)).rubric_max == HUNDRED
