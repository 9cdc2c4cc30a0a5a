"""Review core services: rubric, reviews, questions, assignments, settings, routine scores."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from branches.models import AuditEntry
from reports.services import report_return
from reviews.models import Assignment, Grade, Problem, ProblemCategory, Result, Review, ReviewChange, Score
from reviews.results.services import cycle_close, cycle_publish, result_override, results_compute
from reviews.rubric_services import criterion_delete, criterion_save, result_settings_update, rubric_copy
from reviews.services import (
    assignment_add,
    assignment_remove,
    question_answer,
    question_ask,
    review_save,
    routine_score_set,
    routine_scores_set,
)
from tests.factories import INCOMPLETE_OK, launch_cycle
from tests.reviews.helpers import submit_report, submit_review


def criteria(world):
    return list(world.cycle.criteria.all())


# ---------------------------------------------------------------- the default rubric


def test_new_cycle_has_the_default_rubric_of_five_dimensions_totalling_100(world):
    names = [c.name for c in criteria(world)]
    assert names == ["履行党建工作责任", "提高基层党组织建设质量", "强化政治功能、完成重大任务", "解决突出问题", "述职报告质量"]
    assert sum(c.max_points for c in criteria(world)) == 100
    assert ProblemCategory.objects.filter(name="意识形态").exists()


def test_default_assignments_every_member_every_report_but_their_own(world):
    world.committee.committee_members.add(world.secretary_a)
    cycle = launch_cycle(organization=world.committee, year=2020, by=world.admin)
    pairs = set(Assignment.objects.filter(report__cycle=cycle).values_list("report__organization__name", "reviewer__username"))
    assert pairs == {
        ("甲社区党支部", "reviewer_t"),
        ("乙社区党支部", "reviewer_t"),
        ("乙社区党支部", "secretary_a"),
    }


# ---------------------------------------------------------------- reviews


def test_save_draft_then_submit(submitted):
    w = submitted
    first = criteria(w)[0]
    review = review_save(report=w.report_a, reviewer=w.reviewer, scores={first.pk: D("20.5")}, comment="")
    assert review.status == Review.Status.DRAFT and review.submitted_at is None
    assert review.version.number == 1
    assert Score.objects.get(review=review).points == D("20.5")
    review = submit_review(w.report_a, w.reviewer, 88)
    assert review.status == Review.Status.SUBMITTED and review.submitted_at
    assert sum(s.points for s in review.scores.all()) == 88
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVIEW_SUBMITTED, object_id=review.pk).count() == 1
    assert not ReviewChange.objects.exists()  # the first submission is not a change


def test_submit_requires_every_score_and_a_comment(submitted):
    w = submitted
    first, second = criteria(w)[:2]
    with pytest.raises(ValidationError) as error:
        review_save(report=w.report_a, reviewer=w.reviewer, scores={first.pk: 20}, comment=" ", submit=True)
    errors = error.value.message_dict
    assert errors["comment"] == ["请填写点评意见。"]
    assert errors[f"score_{second.pk}"] == [f"请为“{second.name}”打分。"]
    assert not Review.objects.exists()


def test_scores_are_validated_against_the_maximum_and_half_points(submitted):
    w = submitted
    first = criteria(w)[0]  # 25 points
    for value, message in [
        (D("25.5"), "“履行党建工作责任”的得分应在 0 到 25 分之间。"),
        (D("-1"), "“履行党建工作责任”的得分应在 0 到 25 分之间。"),
        (D("20.3"), "“履行党建工作责任”的得分只能是整分或半分（如 18.5）。"),
        ("abc", "“履行党建工作责任”的得分须为数字。"),
    ]:
        with pytest.raises(ValidationError) as error:
            review_save(report=w.report_a, reviewer=w.reviewer, scores={first.pk: value}, comment="")
        assert error.value.message_dict[f"score_{first.pk}"] == [message]
    review = review_save(report=w.report_a, reviewer=w.reviewer, scores={first.pk: D("25")}, comment="")
    assert review.scores.get().points == 25


def test_scores_of_another_cycles_criterion_are_refused(submitted):
    w = submitted
    foreign = w.other_cycle.criteria.first()
    with pytest.raises(ValidationError) as error:
        review_save(report=w.report_a, reviewer=w.reviewer, scores={foreign.pk: 5}, comment="")
    assert "评分中包含不属于本年度评价指标的项目。" in error.value.messages


def test_problems_are_saved_in_order_and_validated(submitted):
    w = submitted
    organization, style = ProblemCategory.objects.get(name="组织建设"), ProblemCategory.objects.get(name="作风建设")
    review = submit_review(
        w.report_a,
        w.reviewer,
        80,
        problems=[{"text": "三会一课记录不规范", "category": organization}, {"text": "调研不深入", "category": style}],
    )
    assert [(p.text, p.category.name) for p in review.problems.all()] == [("三会一课记录不规范", "组织建设"), ("调研不深入", "作风建设")]
    with pytest.raises(ValidationError) as error:
        submit_review(w.report_a, w.reviewer, 80, problems=[{"text": "  ", "category": style}, {"text": "x", "category": None}])
    assert error.value.messages == ["第1条问题：请填写问题内容。", "第2条问题：请选择问题类别。"]
    assert Problem.objects.filter(review=review).count() == 2  # unchanged


def test_changing_a_submitted_review_keeps_the_history(submitted):
    w = submitted
    category = ProblemCategory.objects.get(name="其他")
    review = submit_review(w.report_a, w.reviewer, 80, comment="第一次点评")
    review = submit_review(
        w.report_a, w.reviewer, 85, comment="修改后的点评", suggested_grade=Grade.GOOD, problems=[{"text": "台账不全", "category": category}]
    )
    assert review.status == Review.Status.SUBMITTED
    change = ReviewChange.objects.get(review=review)
    assert change.changed_by == w.reviewer
    assert change.old["comment"] == "第一次点评" and change.new["comment"] == "修改后的点评"
    assert change.old["suggested_grade"] == "" and change.new["suggested_grade"] == "较好"
    assert change.old["problems"] == [] and change.new["problems"] == ["其他：台账不全"]
    assert sum(D(v) for v in change.old["scores"].values()) == 80
    assert sum(D(v) for v in change.new["scores"].values()) == 85
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVIEW_CHANGED)
    assert entry.actor == w.reviewer and set(entry.changes) == {"scores", "comment", "suggested_grade", "problems"}
    # Saving without a change appends nothing; a submitted review cannot go back to draft.
    submit_review(w.report_a, w.reviewer, 85, comment="修改后的点评", suggested_grade=Grade.GOOD, problems=[{"text": "台账不全", "category": category}])
    assert ReviewChange.objects.count() == 1
    with pytest.raises(ValidationError):
        review_save(report=w.report_a, reviewer=w.reviewer, scores={}, comment="", submit=False)
    assert Review.objects.get(pk=review.pk).status == Review.Status.SUBMITTED
    # A second change is appended, the first stays.
    submit_review(w.report_a, w.reviewer, 70, comment="再次修改")
    assert list(ReviewChange.objects.values_list("new__comment", flat=True)) == ["修改后的点评", "再次修改"]


def test_conflict_rule_is_enforced_in_review_save(submitted):
    w = submitted
    # secretary_a joins the committee and is even assigned by hand (bypassing the service).
    w.committee.committee_members.add(w.secretary_a)
    Assignment.objects.create(report=w.report_a, reviewer=w.secretary_a)
    with pytest.raises(ValidationError) as error:
        submit_review(w.report_a, w.secretary_a, 90)
    assert error.value.messages == ["您是甲社区党支部的书记，不能评议本组织的述职报告。"]
    assert not Review.objects.exists()


def test_only_assigned_committee_members_review(submitted):
    w = submitted
    with pytest.raises(ValidationError):
        submit_review(w.report_a, w.other_reviewer, 90)  # another committee
    Assignment.objects.filter(report=w.report_a, reviewer=w.reviewer).delete()
    with pytest.raises(ValidationError):
        submit_review(w.report_a, w.reviewer, 90)  # a member, but not assigned
    assert not Review.objects.exists()


def test_a_report_not_submitted_cannot_be_reviewed(world):
    with pytest.raises(ValidationError) as error:
        submit_review(world.report_a, world.reviewer, 90)
    assert error.value.messages == ["该报告已退回修改或尚未提交，待书记提交后再评议。"]


def test_returned_and_resubmitted_report_makes_the_review_outdated(submitted):
    from reviews.selectors import reviews_for_report

    w = submitted
    submit_review(w.report_a, w.reviewer, 80)
    report_return(report=w.report_a, by=w.reviewer, reason="问题查摆不深入")
    with pytest.raises(ValidationError):
        submit_review(w.report_a, w.reviewer, 81)  # back with the secretary: wait for the new version
    submit_report(w.report_a, text="一、履职情况（修改稿）")
    review = reviews_for_report(w.report_a).get()
    assert review.is_outdated and review.version.number == 1 and review.latest_version_number == 2
    submit_review(w.report_a, w.reviewer, 82)
    review = reviews_for_report(w.report_a).get()
    assert not review.is_outdated and review.version.number == 2
    assert ReviewChange.objects.get().new["version"] == 2


def test_closed_cycle_locks_reviews(submitted):
    w = submitted
    review = submit_review(w.report_a, w.reviewer, 80)
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: 90, w.report_b.pk: 90}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    cycle_close(cycle=w.cycle, by=w.admin)
    with pytest.raises(ValidationError) as error:
        submit_review(w.report_a, w.reviewer, 90)
    assert "已结束" in error.value.messages[0]
    assert sum(s.points for s in Review.objects.get(pk=review.pk).scores.all()) == 80
    for call in [
        lambda: question_ask(report=w.report_a, by=w.reviewer, text="?"),
        lambda: routine_score_set(report=w.report_a, score=50, by=w.admin),
        lambda: results_compute(cycle=w.cycle, by=w.admin),
        lambda: assignment_add(report=w.report_a, reviewer=w.reviewer, by=w.admin),
        lambda: result_settings_update(settings=w.cycle.result_settings, data={"show_rank": False}, by=w.admin),
        lambda: result_override(result=Result.objects.get(report=w.report_a), grade=Grade.POOR, reason="x", by=w.admin),
        lambda: cycle_close(cycle=w.cycle, by=w.admin),
    ]:
        with pytest.raises(ValidationError):
            call()


# ---------------------------------------------------------------- questions


def test_question_ask_and_answer(submitted):
    w = submitted
    question = question_ask(report=w.report_a, by=w.reviewer, text="  发展党员进展如何？ ")
    assert question.text == "发展党员进展如何？"
    with pytest.raises(ValidationError):
        question_ask(report=w.report_a, by=w.reviewer, text=" ")
    with pytest.raises(ValidationError):
        question_ask(report=w.report_a, by=w.other_reviewer, text="?")
    with pytest.raises(ValidationError):
        question_ask(report=w.report_a, by=w.secretary_b, text="?")
    with pytest.raises(ValidationError):
        question_answer(question=question, by=w.secretary_b, answer="不是我的")
    with pytest.raises(ValidationError) as error:
        question_answer(question=question, by=w.secretary_a, answer="")
    assert error.value.message_dict == {"answer": ["请填写回答。"]}
    question_answer(question=question, by=w.secretary_a, answer="已发展2名。")
    question.refresh_from_db()
    assert question.answer == "已发展2名。" and question.answered_by == w.secretary_a and question.answered_at


# ---------------------------------------------------------------- assignments


def test_assignment_add_enforces_the_conflict_rule_and_membership(world):
    world.committee.committee_members.add(world.secretary_a)
    with pytest.raises(ValidationError) as error:
        assignment_add(report=world.report_a, reviewer=world.secretary_a, by=world.admin)
    assert "不能评议本组织的述职报告" in error.value.messages[0]
    with pytest.raises(ValidationError):
        assignment_add(report=world.report_a, reviewer=world.other_reviewer, by=world.admin)
    with pytest.raises(ValidationError):
        assignment_add(report=world.report_a, reviewer=world.reviewer, by=world.admin)  # already assigned
    assignment = assignment_add(report=world.report_b, reviewer=world.secretary_a, by=world.admin)
    assert assignment.reviewer == world.secretary_a
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ASSIGNMENT_CHANGED).count() == 1


def test_assignment_remove_deletes_a_draft_but_keeps_submitted_reviews(submitted):
    w = submitted
    submit_review(w.report_a, w.reviewer, 80)
    assignment = Assignment.objects.get(report=w.report_a, reviewer=w.reviewer)
    with pytest.raises(ValidationError):
        assignment_remove(assignment=assignment, by=w.admin)
    first = criteria(w)[0]
    review_save(report=w.report_b, reviewer=w.reviewer, scores={first.pk: 10}, comment="")
    assignment_remove(assignment=Assignment.objects.get(report=w.report_b, reviewer=w.reviewer), by=w.admin)
    assert not Review.objects.filter(report=w.report_b).exists()
    assert not Assignment.objects.filter(report=w.report_b).exists()


# ---------------------------------------------------------------- rubric and settings


def test_rubric_is_editable_until_the_first_score(submitted):
    w = submitted
    criterion = criterion_save(cycle=w.cycle, by=w.admin, name="群众满意度", max_points="5")
    assert criterion.order == 6  # after the five default criteria, numbered from 1
    criterion_save(cycle=w.cycle, by=w.admin, criterion=criterion, name="群众满意度", max_points="7.5", order=9)
    criterion.refresh_from_db()
    assert criterion.max_points == D("7.5") and criterion.order == 9
    with pytest.raises(ValidationError) as error:
        criterion_save(cycle=w.cycle, by=w.admin, name="述职报告质量", max_points="5")
    assert error.value.message_dict == {"name": ["本年度已有名为“述职报告质量”的指标。"]}
    with pytest.raises(ValidationError):
        criterion_save(cycle=w.cycle, by=w.admin, name="x", max_points="0.3")
    criterion_delete(criterion=criterion, by=w.admin)
    review_save(report=w.report_a, reviewer=w.reviewer, scores={criteria(w)[0].pk: 10}, comment="")
    with pytest.raises(ValidationError) as error:
        criterion_save(cycle=w.cycle, by=w.admin, name="新指标", max_points="5")
    assert error.value.messages == ["已有评议人打分，评价指标已锁定，不能再修改。"]
    with pytest.raises(ValidationError):
        criterion_delete(criterion=criteria(w)[0], by=w.admin)


def test_rubric_copy_from_another_year(world):
    last_year = launch_cycle(organization=world.committee, year=2020, by=world.admin)
    last_year.criteria.all().delete()
    criterion_save(cycle=last_year, by=world.admin, name="六项之一", max_points="4")
    rubric_copy(cycle=world.cycle, source=last_year, by=world.admin)
    assert [(c.name, c.max_points) for c in criteria(world)] == [("六项之一", D("4.0"))]
    with pytest.raises(ValidationError):
        rubric_copy(cycle=world.cycle, source=world.other_cycle, by=world.admin)


def test_result_settings_validation(world):
    settings = world.cycle.result_settings
    cases = [
        ({"review_weight": D(50), "routine_weight": D(40), "ballot_weight": D(0)}, "各项权重之和须为 100，当前为 90。"),
        ({"threshold_excellent": D(70), "threshold_good": D(80)}, "等次分数线须从高到低：第一等次 ≥ 第二等次 ≥ 第三等次。"),
        ({"label_good": "好"}, "四个等次的名称不能重复。"),
        ({"label_poor": " "}, "请填写等次名称。"),
        ({"top_grade_cap_numerator": 1}, "比例上限须同时填写分子和分母，或都不填。"),
        ({"top_grade_cap_numerator": 4, "top_grade_cap_denominator": 3}, "比例上限的分母须大于 0，且分子不大于分母。"),
    ]
    for data, message in cases:
        with pytest.raises(ValidationError) as error:
            result_settings_update(settings=settings, data=data, by=world.admin)
        assert message in error.value.messages
    settings.refresh_from_db()
    assert settings.review_weight == 60 and settings.label_good == "较好"

    result_settings_update(
        settings=settings,
        data={
            "review_weight": D(30), "routine_weight": D(40), "ballot_weight": D(30),
            "label_excellent": "优秀", "label_good": "称职", "label_fair": "基本称职", "label_poor": "不称职",
            "top_grade_cap_numerator": 1, "top_grade_cap_denominator": 3,
        },
        by=world.admin,
    )
    settings.refresh_from_db()
    assert (settings.review_weight, settings.ballot_weight, settings.grade_label(Grade.FAIR)) == (30, 30, "基本称职")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SETTINGS_CHANGED)
    assert entry.changes["label_excellent"] == {"old": "好", "new": "优秀"}


# ---------------------------------------------------------------- routine scores and results


def test_routine_scores_are_validated_and_recorded(world):
    with pytest.raises(ValidationError) as error:
        routine_scores_set(cycle=world.cycle, scores={world.report_a.pk: D("100.5"), world.report_b.pk: "x"}, by=world.admin)
    assert set(error.value.message_dict) == {f"routine_{world.report_a.pk}", f"routine_{world.report_b.pk}"}
    with pytest.raises(ValidationError):
        routine_scores_set(cycle=world.cycle, scores={world.report_c.pk: 90}, by=world.admin)  # another cycle's report
    assert routine_scores_set(cycle=world.cycle, scores={world.report_a.pk: D("88.5"), world.report_b.pk: None}, by=world.admin) == 1
    assert Result.objects.get(report=world.report_a).routine_score == D("88.5")
    assert not Result.objects.filter(report=world.report_b).exists()
    routine_score_set(report=world.report_a, score=None, by=world.admin)
    assert Result.objects.get(report=world.report_a).routine_score is None
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ROUTINE_SCORE_SET).count() == 2
