"""The results arithmetic on hand-computed examples (no database)."""

from decimal import Decimal as D

from reviews.computation import (
    MEAN,
    TRIMMED_MEAN,
    ResultInput,
    Rules,
    aggregate_reviewer_totals,
    apply_top_grade_cap,
    compute_results,
    grade_for,
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
