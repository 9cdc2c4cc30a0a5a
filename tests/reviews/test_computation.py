"""The results arithmetic on hand-computed examples (no database)."""

import dataclasses
from decimal import Decimal as D

import pytest

from reviews.computation import (
    HUNDRED,
    MEAN,
    TRIMMED_MEAN,
    ResultInput,
    Rules,
    aggregate_reviewer_totals,
    apply_top_grade_cap,
    compute_results,
    grade_for,
    points_text,
    ranks_for,
    round2,
    top_grade_allowed,
    weighted_total,
)
from reviews.models import Grade

THRESHOLDS = (D(90), D(80), D(60))


def test_round_half_up_to_two_places():
    assert round2(D("84.125")) == D("84.13")
    assert round2(D("84.124")) == D("84.12")
    assert round2(D("0.005")) == D("0.01")
    assert round2(None) is None


def test_mean_of_reviewer_totals():
    # (90 + 85 + 80.5) / 3 = 85.1666… → 85.17
    assert aggregate_reviewer_totals([D(90), D(85), D("80.5")], MEAN) == D("85.17")
    assert aggregate_reviewer_totals([], MEAN) is None


def test_trimmed_mean_drops_highest_and_lowest_from_five_reviewers():
    totals = [D(95), D(60), D(80), D(82), D(84)]
    # drop 95 and 60: (80 + 82 + 84) / 3 = 82
    assert aggregate_reviewer_totals(totals, TRIMMED_MEAN) == D("82.00")
    # the plain mean would be 401 / 5 = 80.2
    assert aggregate_reviewer_totals(totals, MEAN) == D("80.20")


def test_trimmed_mean_is_a_plain_mean_below_five_reviewers():
    totals = [D(95), D(60), D(80), D(82)]
    # 317 / 4 = 79.25, nothing dropped
    assert aggregate_reviewer_totals(totals, TRIMMED_MEAN) == D("79.25")


def test_trimmed_mean_drops_only_one_of_equal_extremes():
    totals = [D(90), D(90), D(70), D(70), D(80)]
    # drop one 90 and one 70: (90 + 70 + 80) / 3 = 80
    assert aggregate_reviewer_totals(totals, TRIMMED_MEAN) == D("80.00")


def test_review_totals_are_scaled_to_100_when_the_rubric_is_not():
    # rubric of 24 points (six items × 4): mean 18 → 75
    assert aggregate_reviewer_totals([D(18), D(18)], MEAN, rubric_max=D(24)) == D("75.00")


def test_weighted_total():
    weights = {"review": D(30), "routine": D(40), "ballot": D(30)}
    # 85 × 0.3 + 90 × 0.4 + 77.5 × 0.3 = 25.5 + 36 + 23.25 = 84.75
    assert weighted_total({"review": D(85), "routine": D(90), "ballot": D("77.5")}, weights) == (D("84.75"), [])
    # 33.33 × 0.6 + 66.67 × 0.4 = 19.998 + 26.668 = 46.666 → 46.67
    weights = {"review": D(60), "routine": D(40), "ballot": D(0)}
    assert weighted_total({"review": D("33.33"), "routine": D("66.67"), "ballot": None}, weights) == (D("46.67"), [])


def test_weighted_total_flags_a_missing_weighted_component():
    weights = {"review": D(60), "routine": D(20), "ballot": D(20)}
    total, missing = weighted_total({"review": D(85), "routine": D(90), "ballot": None}, weights)
    assert total is None and missing == ["ballot"]
    # a component with weight 0 is not needed
    weights = {"review": D(60), "routine": D(40), "ballot": D(0)}
    assert weighted_total({"review": D(85), "routine": D(90), "ballot": None}, weights) == (D("87.00"), [])


def test_thresholds_are_inclusive():
    assert grade_for(D("90.00"), THRESHOLDS) == Grade.EXCELLENT
    assert grade_for(D("89.99"), THRESHOLDS) == Grade.GOOD
    assert grade_for(D("80"), THRESHOLDS) == Grade.GOOD
    assert grade_for(D("60"), THRESHOLDS) == Grade.FAIR
    assert grade_for(D("59.99"), THRESHOLDS) == Grade.POOR
    assert grade_for(None, THRESHOLDS) == ""


def test_ties_share_the_rank():
    ranks = ranks_for({"a": D(90), "b": D(95), "c": D(90), "d": D(80), "e": None})
    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4, "e": None}
    assert ranks_for({"a": D(90), "b": D(90), "c": D(70)}) == {"a": 1, "b": 1, "c": 3}


def test_top_grade_allowed_rounds_down():
    assert top_grade_allowed(10, 1, 3) == 3
    assert top_grade_allowed(8, 1, 3) == 2
    assert top_grade_allowed(2, 1, 3) == 0
    assert top_grade_allowed(9, None, None) == 9


def test_cap_drops_the_lowest_top_grade_totals():
    totals = {k: D(v) for k, v in {"a": 98, "b": 95, "c": 93, "d": 91, "e": 70, "f": 60}.items()}
    grades = {k: grade_for(v, THRESHOLDS) for k, v in totals.items()}
    # 6 organizations × 1/3 = 2 may be 好: c and d drop
    assert apply_top_grade_cap(grades, totals, 1, 3) == {"c", "d"}
    assert apply_top_grade_cap(grades, totals, None, None) == set()
    assert apply_top_grade_cap(grades, totals, 2, 3) == set()


def test_cap_drops_a_tie_at_the_boundary_together():
    totals = {k: D(v) for k, v in {"a": 98, "b": 94, "c": 94, "d": 70, "e": 70, "f": 60}.items()}
    grades = {k: grade_for(v, THRESHOLDS) for k, v in totals.items()}
    # 2 allowed, but b and c tie for the second place: both drop rather than one arbitrarily
    assert apply_top_grade_cap(grades, totals, 1, 3) == {"b", "c"}


def test_compute_results_end_to_end():
    rules = Rules(
        aggregation=TRIMMED_MEAN,
        weights={"review": D(60), "routine": D(40), "ballot": D(0)},
        thresholds=THRESHOLDS,
        cap=(1, 3),
        rubric_max=HUNDRED,
    )
    inputs = [
        # trimmed: drop 100 and 80 → (95 + 94 + 93) / 3 = 94; total 94 × .6 + 95 × .4 = 56.4 + 38 = 94.4
        ResultInput("a", (D(100), D(95), D(94), D(93), D(80)), D(95)),
        # 4 reviewers, plain mean (92 + 92 + 91 + 93) / 4 = 92; 92 × .6 + 90 × .4 = 91.2
        ResultInput("b", (D(92), D(92), D(91), D(93)), D(90)),
        # 85 × .6 + 80 × .4 = 83
        ResultInput("c", (D(85),), D(80)),
        # no routine score → no total
        ResultInput("d", (D(85),), None),
    ]
    outcomes = {o.key: o for o in compute_results(inputs, rules)}
    assert outcomes["a"].review_score == D("94.00") and outcomes["a"].total == D("94.40")
    assert outcomes["b"].review_score == D("92.00") and outcomes["b"].total == D("91.20")
    assert outcomes["c"].total == D("83.00")
    assert outcomes["d"].total is None and outcomes["d"].missing == ["routine"] and outcomes["d"].rank is None
    assert [outcomes[k].rank for k in "abc"] == [1, 2, 3]
    # 3 graded × 1/3 = 1 top grade: b drops to the second grade
    assert outcomes["a"].grade == Grade.EXCELLENT and not outcomes["a"].capped
    assert outcomes["b"].grade == Grade.GOOD and outcomes["b"].capped
    assert outcomes["c"].grade == Grade.GOOD and outcomes["d"].grade == ""


# ---------------------------------------------------------------- figures that do not divide exactly


def test_points_text():
    assert points_text(D("25.00")) == "25"
    assert points_text(D("18.50")) == "18.5"
    assert points_text(D("0.25")) == "0.25"
    assert points_text(None) == "—"
    assert points_text("") == "—"


def test_review_score_scaled_from_a_rubric_of_24_without_truncation():
    # (17.5 + 19) / 2 = 18.25 → 18.25 × 100 / 24 = 76.0416… → 76.04
    assert aggregate_reviewer_totals([D("17.5"), D(19)], MEAN, rubric_max=D(24)) == D("76.04")
    # one total: 23 × 100 / 24 = 95.8333… → 95.83
    assert aggregate_reviewer_totals([D(23)], MEAN, rubric_max=D(24)) == D("95.83")


def test_review_score_scaled_from_a_rubric_above_100():
    # (101 + 98.5) / 2 = 99.75 → 99.75 × 100 / 120 = 83.125 → 83.13 (half up)
    assert aggregate_reviewer_totals([D(101), D("98.5")], MEAN, rubric_max=D(120)) == D("83.13")
    assert aggregate_reviewer_totals([D(101), D("98.5")], TRIMMED_MEAN, rubric_max=120) == D("83.13")


def test_review_score_of_a_rubric_of_100_or_of_none_is_the_mean():
    # 256 / 3 = 85.333… → 85.33, whether the maximum is given as 100 or there is no rubric (0)
    totals = [D(85), D(86), D(85)]
    assert aggregate_reviewer_totals(totals, MEAN, rubric_max=D("100.0")) == D("85.33")
    assert aggregate_reviewer_totals(totals, MEAN, rubric_max=D(0)) == D("85.33")
    assert aggregate_reviewer_totals(totals, MEAN) == D("85.33")


def test_trimmed_mean_of_six_reviewers_drops_exactly_two():
    # 61 70.5 80 81 90 99 → drop 61 and 99: (70.5 + 80 + 81 + 90) / 4 = 80.375 → 80.38
    totals = [D(99), D(61), D(80), D("70.5"), D(81), D(90)]
    assert aggregate_reviewer_totals(totals, TRIMMED_MEAN) == D("80.38")


def test_mean_and_total_of_figures_that_do_not_divide_exactly():
    # (88.5 + 91 + 79.25) / 3 = 86.25 exactly, (88.5 + 91) / 2 = 89.75
    assert aggregate_reviewer_totals([D("88.5"), D(91), D("79.25")], MEAN) == D("86.25")
    assert aggregate_reviewer_totals([D("88.5"), D(91)], MEAN) == D("89.75")
    weights = {"review": D("33.3"), "routine": D("33.3"), "ballot": D("33.4")}
    # 86.25 × 33.3 + 77.77 × 33.3 + 91.1 × 33.4 = 2872.125 + 2589.741 + 3042.74 = 8504.606 / 100 → 85.05
    assert weighted_total({"review": D("86.25"), "routine": D("77.77"), "ballot": D("91.1")}, weights) == (D("85.05"), [])


def test_weighted_total_ignores_a_component_weighted_zero_even_when_present():
    weights = {"review": D(70), "routine": D(30), "ballot": D(0)}
    # 81.5 × .7 + 90.25 × .3 = 57.05 + 27.075 = 84.125 → 84.13; the ballot score 10 counts for nothing
    assert weighted_total({"review": D("81.5"), "routine": D("90.25"), "ballot": D(10)}, weights) == (D("84.13"), [])


def test_weighted_total_lists_every_missing_component_in_order():
    weights = {"review": D(50), "routine": D(30), "ballot": D(20)}
    assert weighted_total({"review": None, "routine": D(80), "ballot": None}, weights) == (None, ["review", "ballot"])
    assert weighted_total({"routine": D(80)}, weights) == (None, ["review", "ballot"])


def test_no_cap_unless_both_numerator_and_denominator():
    assert top_grade_allowed(9, 1, None) == 9
    assert top_grade_allowed(9, None, 3) == 9
    assert top_grade_allowed(9, 1, 3) == 3
    assert top_grade_allowed(11, 2, 3) == 7  # 22 / 3 = 7.33… → 7


def test_cap_exactly_reached_drops_nobody():
    totals = {"a": D(95), "b": D(91), "c": D(70)}
    grades = {k: grade_for(v, THRESHOLDS) for k, v in totals.items()}
    # 3 × 2/3 = 2 allowed, 2 have the top grade
    assert apply_top_grade_cap(grades, totals, 2, 3) == set()
    # 3 × 1/3 = 1 allowed: the lower one drops
    assert apply_top_grade_cap(grades, totals, 1, 3) == {"b"}


def test_cap_counts_only_organizations_with_a_total():
    totals = {"a": D(95), "b": D(92), "c": D(91), "d": None, "e": None, "f": None}
    grades = {k: grade_for(v, THRESHOLDS) for k, v in totals.items()}
    # 3 with a total × 1/3 = 1 top grade (counting all 6 would allow 2)
    assert apply_top_grade_cap(grades, totals, 1, 3) == {"b", "c"}


def test_compute_results_keeps_the_input_order_and_scales_the_rubric():
    rules = Rules(
        aggregation=MEAN,
        weights={"review": D(50), "routine": D(0), "ballot": D(50)},
        thresholds=(D("85.5"), D(75), D(60)),
        cap=(None, None),
        rubric_max=D(24),
    )
    inputs = [
        # 21.5 × 100 / 24 = 89.5833… → 89.58; 89.58 × .5 + 81.43 × .5 = 85.505 → 85.51
        ResultInput("x", (D("21.5"),), None, D("81.43")),
        # (12 + 12.5) / 2 = 12.25 → 51.0416… → 51.04; 51.04 × .5 + 70 × .5 = 60.52
        ResultInput("y", (D(12), D("12.5")), D(99), D(70)),
        ResultInput("z", (), D(99), D(99)),
    ]
    outcomes = compute_results(inputs, rules)
    assert [o.key for o in outcomes] == ["x", "y", "z"]
    x, y, z = outcomes
    assert (x.review_score, x.total, x.rank, x.grade, x.capped, x.missing) == (D("89.58"), D("85.51"), 1, Grade.EXCELLENT, False, [])
    assert (y.review_score, y.total, y.rank, y.grade, y.capped, y.missing) == (D("51.04"), D("60.52"), 2, Grade.FAIR, False, [])
    assert (z.review_score, z.total, z.rank, z.grade, z.capped, z.missing) == (None, None, None, "", False, ["review"])


def test_rules_and_inputs_cannot_be_changed_once_made():
    rules = Rules(aggregation=MEAN, weights={}, thresholds=THRESHOLDS, cap=(None, None), rubric_max=HUNDRED)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.rubric_max = D(24)
    item = ResultInput("a", (D(90),), D(80))
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.routine_score = D(100)


def test_cap_on_grades_given_as_stored_strings():
    # grades read back from the database are plain strings, not Grade members
    totals = {"a": D("95.5"), "b": D("93.25"), "c": D(70)}
    grades = {"a": "excellent", "b": "excellent", "c": "fair"}
    assert apply_top_grade_cap(grades, totals, 1, 3) == {"b"}
