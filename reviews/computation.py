"""The arithmetic of a cycle's results: pure functions, Decimal throughout, no database.

The database aggregates (each submitted review's total, routine and ballot scores) are
fed to `compute_results`, which returns for every report its review score, total, rank
and computed grade. Rules, all settings of the cycle (ResultSettings):

- Review score: the reviewers' totals are aggregated by the mean, or by the trimmed
  mean, which drops one highest and one lowest total, only when there are at least
  TRIMMED_MEAN_MIN_REVIEWS of them. Totals are scaled to 100 points when the rubric's
  maximum is not 100, so that every component is on the same scale.
- Total: Σ component × weight / 100 over the components with a weight > 0. When such a
  component is missing (no submitted review, no routine score, no ballot score), the
  total is left empty and the component is listed in `missing`: a total computed without
  it would silently mislead.
- Rank: by total, highest first; equal totals share the rank (1, 1, 3). No total, no rank.
- Grade: the first threshold the total reaches (excellent ≥ good ≥ fair), else poor.
- Top-grade cap: at most floor(n × numerator / denominator) of the n organizations with a
  total may get the top grade. The top-grade ones with the lowest totals drop to the
  second grade. Organizations tied at the boundary drop together, so the cap is never
  exceeded and no tie is broken arbitrarily; the administrator settles such a tie with an
  override (with a reason).
- Rounding: half up to 2 places, once per published figure (review score, total);
  the total is computed from the rounded review score that is shown.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from reviews.models import Grade

TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal("100")
TRIMMED_MEAN_MIN_REVIEWS = 5
MEAN = "mean"
TRIMMED_MEAN = "trimmed_mean"

# The components of the total: name -> label.
COMPONENTS = {"review": "现场评议", "routine": "日常考核", "ballot": "民主测评"}


def round2(value):
    """Round half up to 2 places; None stays None."""
    if value is None:
        return None
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def points_text(value):
    """A number of points as people write it: 25, 18.5 (no trailing zeros); "—" when empty."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value).normalize():f}"


def aggregate_reviewer_totals(totals, method=MEAN, rubric_max=HUNDRED):
    """The review score of one report from its reviewers' totals, on a 100-point scale."""
    values = sorted(Decimal(total) for total in totals)
    if not values:
        return None
    if method == TRIMMED_MEAN and len(values) >= TRIMMED_MEAN_MIN_REVIEWS:
        values = values[1:-1]
    mean = sum(values) / len(values)
    rubric_max = Decimal(rubric_max)
    if rubric_max and rubric_max != HUNDRED:
        mean = mean * HUNDRED / rubric_max
    return round2(mean)


def weighted_total(scores, weights):
    """(total, missing) from component scores and weights (percentages summing to 100).

    `scores` and `weights` map component names to Decimal (a score may be None).
    """
    missing = [name for name, weight in weights.items() if weight and scores.get(name) is None]
    if missing:
        return None, missing
    total = sum((Decimal(scores[name]) * Decimal(weight) for name, weight in weights.items() if weight), Decimal(0))
    return round2(total / HUNDRED), []


def grade_for(total, thresholds):
    """The grade a total reaches. `thresholds` is (excellent, good, fair)."""
    if total is None:
        return ""
    excellent, good, fair = thresholds
    if total >= excellent:
        return Grade.EXCELLENT
    if total >= good:
        return Grade.GOOD
    if total >= fair:
        return Grade.FAIR
    return Grade.POOR


def ranks_for(totals):
    """{key: rank} by total, highest first; ties share the rank (1, 1, 3). None totals get no rank."""
    ordered = sorted((total for total in totals.values() if total is not None), reverse=True)
    first_position = {}
    for position, total in enumerate(ordered, start=1):
        first_position.setdefault(total, position)
    return {key: first_position.get(total) if total is not None else None for key, total in totals.items()}


def top_grade_allowed(count, numerator, denominator):
    """How many of `count` organizations may get the top grade: floor(count × numerator / denominator)."""
    if not numerator or not denominator:
        return count
    return count * numerator // denominator


def apply_top_grade_cap(grades, totals, numerator, denominator):
    """Keys whose top grade exceeds the cap (they drop to the second grade). See the module docstring."""
    graded = [key for key, total in totals.items() if total is not None]
    allowed = top_grade_allowed(len(graded), numerator, denominator)
    top = sorted((key for key in graded if grades[key] == Grade.EXCELLENT), key=lambda key: totals[key], reverse=True)
    if len(top) <= allowed:
        return set()
    kept = top[:allowed]
    # A tie across the boundary: whoever shares the first dropped total drops too.
    boundary = totals[top[allowed]]
    return {key for key in top if key not in kept or totals[key] == boundary}


@dataclass(frozen=True)
class Rules:
    """The settings the computation needs, detached from the model."""

    aggregation: str  # MEAN or TRIMMED_MEAN
    weights: dict  # component name -> percentage
    thresholds: tuple  # (excellent, good, fair)
    cap: tuple  # (numerator, denominator) of the top-grade cap; (None, None) for none
    rubric_max: Decimal  # the rubric's maximum: totals are scaled from it to 100

    @classmethod
    def from_settings(cls, settings, rubric_max):
        return cls(
            aggregation=settings.aggregation,
            weights={
                "review": settings.review_weight,
                "routine": settings.routine_weight,
                "ballot": settings.ballot_weight,
            },
            thresholds=(settings.threshold_excellent, settings.threshold_good, settings.threshold_fair),
            cap=(settings.top_grade_cap_numerator, settings.top_grade_cap_denominator),
            rubric_max=rubric_max or HUNDRED,
        )


@dataclass(frozen=True)
class ResultInput:
    key: object
    reviewer_totals: tuple = ()
    routine_score: Decimal | None = None
    ballot_score: Decimal | None = None


@dataclass
class ResultOutcome:
    key: object
    review_score: Decimal | None
    total: Decimal | None
    rank: int | None
    grade: str
    capped: bool
    missing: list


def compute_results(inputs, rules):
    """[ResultOutcome] for `inputs` ([ResultInput]), in the same order."""
    review_scores = {
        item.key: aggregate_reviewer_totals(item.reviewer_totals, rules.aggregation, rules.rubric_max)
        for item in inputs
    }
    totals, missing = {}, {}
    for item in inputs:
        scores = {"review": review_scores[item.key], "routine": item.routine_score, "ballot": item.ballot_score}
        totals[item.key], missing[item.key] = weighted_total(scores, rules.weights)
    ranks = ranks_for(totals)
    grades = {key: grade_for(total, rules.thresholds) for key, total in totals.items()}
    capped = apply_top_grade_cap(grades, totals, *rules.cap)
    for key in capped:
        grades[key] = Grade.GOOD
    return [
        ResultOutcome(
            key=item.key,
            review_score=review_scores[item.key],
            total=totals[item.key],
            rank=ranks[item.key],
            grade=grades[item.key],
            capped=item.key in capped,
            missing=missing[item.key],
        )
        for item in inputs
    ]
