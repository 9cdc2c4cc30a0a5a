"""The insight figures on the hand-computed scene of conftest.py."""

from decimal import Decimal

from reports.models import Report
from reviews.insight.selectors import (
    category_lines,
    criterion_lines,
    grade_counts,
    low_two_years,
    normalised_view,
    official_grade,
    previous_cycle,
    recurring_problems,
    reviewer_stats,
)
from reviews.models import Result
from reviews.results.services import cycle_withdraw


def test_previous_cycle_is_last_year_of_the_same_committee(insight):
    w = insight
    assert previous_cycle(w.cycle) == w.cycle_1
    assert previous_cycle(w.cycle_1) == w.cycle_2
    assert previous_cycle(w.cycle_2) is None
    assert previous_cycle(w.county_cycle) is None  # the county has no earlier year (the committee's do not count)


def test_reviewer_mean_sd_and_distance_from_the_others(insight):
    """reviewer 92/84/76, member1 88/80/72, member2 80/80/60 (see conftest).

    means 84, 80, 73.33; population SDs √(128/3) = 6.53, 6.53, √(800/9) = 9.43;
    distance from the others' mean per report: reviewer +8, +4, +10 → 7.33;
    member1 +2, −2, +4 → 1.33; member2 −10, −2, −14 → −8.67. Most lenient first."""
    w = insight
    lines = reviewer_stats(w.cycle)
    assert [line.reviewer_id for line in lines] == [w.reviewer.pk, w.member1.pk, w.member2.pk]
    figures = [(line.reviews, line.mean, line.sd, line.distance, line.shared) for line in lines]
    assert figures == [
        (3, Decimal("84.00"), Decimal("6.53"), Decimal("7.33"), 3),
        (3, Decimal("80.00"), Decimal("6.53"), Decimal("1.33"), 3),
        (3, Decimal("73.33"), Decimal("9.43"), Decimal("-8.67"), 3),
    ]


def test_a_lone_reviewer_has_no_distance(insight):
    """Y-1: 64, 84, 56 → mean 68, deviations −4, 16, −12 → SD √(416/3) = 11.78; nobody to compare with."""
    line = reviewer_stats(insight.cycle_1)[0]
    assert (line.reviews, line.mean, line.sd, line.distance, line.shared) == (3, Decimal("68.00"), Decimal("11.78"), None, 0)


def test_reviewers_are_named_by_the_cycles_pseudonyms_unless_names_are_shown(insight):
    w = insight
    labels = {line.label for line in reviewer_stats(w.cycle)}
    assert labels == {"评议人1", "评议人2", "评议人3"}
    settings = w.cycle.result_settings
    settings.show_reviewer_names = True
    settings.save()
    assert {line.label for line in reviewer_stats(w.cycle)} == {w.reviewer.display_name, w.member1.display_name, w.member2.display_name}


def test_normalised_view_beside_the_official_scores(insight):
    """z per review: reviewer and member1 +1.22, 0, −1.22; member2 +0.71, +0.71, −1.41.
    Mean per report: a 1.05, b 0.24, c −1.29. The official review scores stay as computed."""
    w = insight
    lines = {line.report_id: line for line in normalised_view(w.cycle)}
    a, b, c = (lines[w.report[org.pk].pk] for org in (w.branch_a, w.branch_b, w.branch_c2))
    assert (a.z, b.z, c.z) == (Decimal("1.05"), Decimal("0.24"), Decimal("-1.29"))
    assert (a.review_score, b.review_score, c.review_score) == (Decimal("86.67"), Decimal("81.33"), Decimal("69.33"))
    assert (a.rank, b.rank, c.rank) == (1, 2, 3) and (a.z_rank, b.z_rank, c.z_rank) == (1, 2, 3)
    assert Result.objects.get(report=w.report[w.branch_a.pk]).review_score == Decimal("86.67")


def test_criterion_means_against_last_year(insight):
    """解决突出问题 (max 20, filled criterion by criterion): Y a (20, 18, 10) b (14, 10, 10) c (6, 2, 0)
    → organization averages 16, 11.33, 2.67 → mean 10.00, rate 50.00%; Y-1 a 0, b 14, c 0 → 4.67, 23.33%."""
    w = insight
    lines = {line.name: line for line in criterion_lines(w.cycle, w.cycle_1)}
    line = lines["解决突出问题"]
    assert (line.mean, line.rate, line.last_rate, line.change) == (Decimal("10.00"), Decimal("50.00"), Decimal("23.33"), Decimal("26.67"))
    first = lines["履行党建工作责任"]
    assert (first.rate, first.last_rate, first.change) == (Decimal("100.00"), Decimal("100.00"), Decimal("0.00"))
    assert all(line.last_rate is None for line in criterion_lines(w.cycle, None))


def test_official_distribution_reads_the_publication_in_force(insight):
    w = insight
    assert grade_counts([w.cycle])[w.cycle.pk] == {"good": 2, "fair": 1}
    assert grade_counts([w.cycle_2])[w.cycle_2.pk] == {"good": 2, "poor": 1}
    # A later change of the live result (not through the services) does not touch the record …
    Result.objects.filter(report=w.report[w.branch_c2.pk]).update(grade="excellent")
    assert grade_counts([w.cycle])[w.cycle.pk] == {"good": 2, "fair": 1}
    # … until the publication is withdrawn: then the live result is what there is.
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="测试撤回")
    assert grade_counts([w.cycle])[w.cycle.pk] == {"good": 2, "excellent": 1}
    grades = dict(Report.objects.filter(cycle=w.cycle).annotate(g=official_grade()).values_list("organization_id", "g"))
    assert grades[w.branch_c2.pk] == "excellent"


def test_two_years_fair_or_below(insight):
    """Y: c 一般 after 差 → flagged; a 较好 after 一般 → not. Y-1: a 一般 after 差 → flagged; c 差 after
    较好 → not. Comparing with two years back, or flipping the years, fails one of these."""
    w = insight
    assert [(org.pk, this, last) for org, this, last in low_two_years(w.cycle)] == [(w.branch_c2.pk, "fair", "poor")]
    assert [(org.pk, this, last) for org, this, last in low_two_years(w.cycle_1)] == [(w.branch_a.pk, "fair", "poor")]
    assert low_two_years(w.cycle_2) == []


def test_recurring_problems_need_consecutive_years(insight):
    w = insight
    recurring = [(org.pk, names) for org, names in recurring_problems(w.cycle)]
    # a: 组织建设 in Y-1 and Y; b: 作风建设 in Y-2 and Y only (a gap year): not recurring.
    assert recurring == [(w.branch_a.pk, ["组织建设"])]
    assert recurring_problems(w.cycle_1) == []
    assert [(org.pk, names) for org, names in recurring_problems(w.cycle_2)] == []


def test_common_problems_by_category_against_last_year(insight):
    w = insight
    lines = {line.category: line for line in category_lines(w.cycle, w.cycle_1)}
    assert set(lines) == {"组织建设", "作风建设", "党风廉政"}
    assert (lines["组织建设"].organizations, lines["组织建设"].last_organizations, lines["组织建设"].change) == (1, 1, 0)
    assert (lines["作风建设"].organizations, lines["作风建设"].last_organizations, lines["作风建设"].change) == (1, 0, 1)
    older = {line.category: line for line in category_lines(w.cycle_1, w.cycle_2)}
    assert (older["作风建设"].organizations, older["作风建设"].last_organizations, older["作风建设"].change) == (0, 1, -1)


def test_grade_counts_one_query_for_many_cycles(insight, django_assert_num_queries):
    w = insight
    with django_assert_num_queries(1):
        counts = grade_counts([w.cycle, w.cycle_1, w.cycle_2, w.county_cycle])
    assert counts[w.county_cycle.pk] == {"excellent": 1}
