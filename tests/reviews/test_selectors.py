from decimal import Decimal as D

from reports.services import report_return
from reviews.models import Grade, Review
from reviews.results.selectors import cycle_results, grade_distribution
from reviews.results.services import result_override, results_compute
from reviews.selectors import ReviewState, queue_next, queue_progress, review_queue, reviews_for_report
from reviews.services import review_save, routine_scores_set
from tests.reviews.helpers import submit_report, submit_review


def test_review_queue_states_progress_and_next(submitted):
    w = submitted
    queue = list(review_queue(w.reviewer, w.cycle))
    assert [r.state for r in queue] == [ReviewState.UNREVIEWED, ReviewState.UNREVIEWED]
    assert queue_next(queue) == w.report_a and queue_next(queue, after=w.report_a) == w.report_b
    review_save(report=w.report_a, reviewer=w.reviewer, scores={}, comment="")
    submit_review(w.report_b, w.reviewer, 80)
    queue = list(review_queue(w.reviewer, w.cycle))
    assert [r.state for r in queue] == [ReviewState.DRAFT, ReviewState.SUBMITTED]
    assert queue_progress(queue) == (1, 2)
    assert queue_next(queue, after=w.report_b) == w.report_a  # wraps around
    assert queue_next(queue, after=w.report_a) is None
    report_return(report=w.report_b, by=w.admin, reason="补充")
    submit_report(w.report_b)
    queue = list(review_queue(w.reviewer, w.cycle))
    assert queue[1].state == ReviewState.OUTDATED and queue[1].latest_version_number == 2
    assert queue_progress(queue) == (0, 2)
    assert list(review_queue(w.other_reviewer, w.cycle)) == []


def test_cycle_results_rows(submitted):
    w = submitted
    criteria = list(w.cycle.criteria.all())
    submit_review(w.report_a, w.reviewer, 90)
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: 80, w.report_b.pk: 70}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    result_override(result=w.report_a.result, grade=Grade.EXCELLENT, reason="表现突出", by=w.admin)
    rows = cycle_results(w.cycle)
    a, b = rows
    assert a.report == w.report_a and a.organization == w.branch_a and a.secretary == w.secretary_a
    # 90 × .6 + 80 × .4 = 86
    assert (a.review_score, a.routine_score, a.ballot_score, a.total, a.rank) == (D("90.00"), D("80.00"), None, D("86.00"), 1)
    assert (a.computed_grade, a.grade, a.grade_label, a.computed_grade_label) == ("good", "excellent", "好", "较好")
    assert a.is_overridden and a.override_reason == "表现突出" and a.overridden_by == w.admin
    # 90 points fill 25 + 25 + 20 + 20, leaving 0 for the last criterion
    assert [(c, avg) for c, avg in a.criterion_averages] == list(zip(criteria, [D(25), D(25), D(20), D(20), D(0)], strict=True))
    assert (a.reviews_submitted, a.reviews_assigned, a.reviews_outdated, a.flags) == (1, 1, 0, [])
    assert b.total is None and b.rank is None and b.flags == ["评议未完成", "缺现场评议得分"]
    assert [avg for _, avg in b.criterion_averages] == [None] * 5


def test_grade_distribution(submitted):
    w = submitted
    submit_review(w.report_a, w.reviewer, 95)
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: 95}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    distribution = {item["label"]: (item["count"], item["percent"]) for item in grade_distribution(w.cycle)}
    assert distribution == {"好": (1, D("50.00")), "较好": (0, D("0.00")), "一般": (0, D("0.00")), "差": (0, D("0.00")), "未定等次": (1, D("50.00"))}


def test_reviews_for_report_submitted_only_with_prefetches(submitted, django_assert_num_queries):
    w = submitted
    submit_review(w.report_a, w.reviewer, 80)
    with django_assert_num_queries(3):
        reviews = list(reviews_for_report(w.report_a))
        assert [s.criterion.name for s in reviews[0].scores.all()][0] == "履行党建工作责任"
        assert list(reviews[0].problems.all()) == []
        assert reviews[0].reviewer.display_name and reviews[0].version.number == 1
    Review.objects.update(status=Review.Status.DRAFT)
    assert list(reviews_for_report(w.report_a)) == []
    assert len(reviews_for_report(w.report_a, submitted_only=False)) == 1


def test_cycles_for_reviewer_progress_matches_the_queue(submitted):
    from reviews.selectors import cycles_for_reviewer

    w = submitted
    submit_review(w.report_a, w.reviewer, 80)
    submit_review(w.report_b, w.reviewer, 80)
    report_return(report=w.report_b, by=w.admin, reason="补充")
    submit_report(w.report_b)
    (cycle,) = cycles_for_reviewer(w.reviewer)
    assert (cycle.done_count, cycle.queue_count) == queue_progress(list(review_queue(w.reviewer, w.cycle))) == (1, 2)
    assert [c.pk for c in cycles_for_reviewer(w.other_reviewer)] == [w.other_cycle.pk]
    assert list(cycles_for_reviewer(w.secretary_a)) == []
