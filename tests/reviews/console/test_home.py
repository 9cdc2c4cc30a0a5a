"""Each role's home as a to-do list (reports:home with reviews/console/home.py through
reports.signals.home_todo): what each block lists, the stage stepper, and constant queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.models import Cycle
from reports.services import report_return, report_save_draft
from reviews.ballots.services import evaluation_open
from reviews.console.home import STAGES, cycle_stage, stage_steps
from reviews.models import RectificationItem
from reviews.results.services import cycle_close, cycle_publish, cycle_withdraw, results_compute
from reviews.services import question_answer, question_ask
from tests.factories import OrganizationFactory, launch_cycle
from tests.reviews.ballots.helpers import setup_evaluation
from tests.reviews.helpers import submit_report, submit_review
from tests.reviews.rectification.scenes import build_approved, build_published, fill_plan
from tests.reviews.results.test_publication import complete


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("reports:home"))
    assert response.status_code == 200
    return response.content.decode()


def stage_of(html, cycle):
    import re

    match = re.search(rf'id="admin-cycle-{cycle.pk}" data-stage="(\w+)"', html)
    return match.group(1) if match else None


# ---------------------------------------------------------------- the reviewer


def test_a_reviewer_who_leads_the_committee_sees_the_running_review_not_an_empty_report_list(client, world):
    """The demo's reviewer1 is also the committee's secretary: leading an organization nobody
    reviews made the home say 目前没有正在进行的年度述职评议 while a review was running."""
    world.committee.secretary = world.reviewer
    world.committee.save()
    submit_report(world.report_a)
    html = home(client, world.reviewer)
    assert "目前没有正在进行的年度述职评议" not in html and 'id="secretary-todo"' not in html
    assert 'id="reviewer-todo"' in html and "待评议 1 份" in html
    assert reverse("reviews:queue", args=[world.cycle.pk]) in html


def test_the_reviewer_block_counts_what_is_left_and_lists_answers(client, world):
    html = home(client, world.reviewer)
    assert "尚无已提交的报告" in html and "待评议" not in html  # nothing submitted yet
    submit_report(world.report_a)
    submit_report(world.report_b)
    assert "待评议 2 份" in home(client, world.reviewer)
    submit_review(world.report_a, world.reviewer, 80)
    html = home(client, world.reviewer)
    assert "待评议 1 份" in html and "已评 <strong>1</strong> / 2" in html
    submit_review(world.report_b, world.reviewer, 70)
    assert "已全部评议" in home(client, world.reviewer)
    # Sent back, then resubmitted: waiting for the reviewer again only once resubmitted.
    report_return(report=world.report_b, by=world.admin, reason="补充")
    assert "已全部评议" in home(client, world.reviewer)
    report_save_draft(report=world.report_b, by=world.secretary_b, data={"plans": "补充后的打算"}, base_revision=None)
    submit_report(world.report_b)
    assert "待评议 1 份" in home(client, world.reviewer)

    question = question_ask(report=world.report_a, by=world.reviewer, text="发展党员进展如何？")
    assert 'id="answered-questions"' not in home(client, world.reviewer)
    question_answer(question=question, by=world.secretary_a, answer="今年发展3名。")
    html = home(client, world.reviewer)
    assert 'id="answered-questions"' in html and "甲社区党支部：发展党员进展如何？" in html
    assert reverse("reviews:review", args=[world.report_a.pk]) + f"#question-{question.pk}" in html


# ---------------------------------------------------------------- the secretary


def test_the_secretary_sees_questions_to_answer_on_the_button(client, world):
    submit_report(world.report_a)
    html = home(client, world.secretary_a)
    assert "questions-badge" not in html
    first = question_ask(report=world.report_a, by=world.reviewer, text="问题一")
    question_ask(report=world.report_a, by=world.reviewer, text="问题二")
    html = home(client, world.secretary_a)
    assert '<span class="badge text-bg-danger questions-badge">2 待答复</span>' in html
    assert "回答评议人的提问" in html
    question_answer(question=first, by=world.secretary_a, answer="答复")
    assert '<span class="badge text-bg-danger questions-badge">1 待答复</span>' in home(client, world.secretary_a)
    # Another secretary's questions are never counted on this home.
    assert "questions-badge" not in home(client, world.secretary_b)


def test_the_secretary_is_told_what_to_do_with_a_returned_report(client, world):
    submit_report(world.report_a)
    report_return(report=world.report_a, by=world.admin, reason="数据不全，请补充。")
    html = home(client, world.secretary_a)
    assert "按退回原因修改后重新提交" in html and "数据不全，请补充。" in html


def test_last_year_shows_its_published_grade_not_its_status(client, world):
    submit_report(world.report_a)
    submit_report(world.report_b)
    w = complete(world)
    cycle_publish(cycle=w.cycle, by=w.admin)
    cycle_close(cycle=w.cycle, by=w.admin)
    launch_cycle(organization=w.committee, year=w.cycle.year + 1, by=w.admin)
    html = home(client, w.secretary_a)
    grade = w.report_a.published_results.get().sheet["grade_label"]
    assert grade
    past = html.split('id="past-reports"')[1]
    assert f'<span class="badge text-bg-success past-grade">等次：{grade}</span>' in past
    assert "已提交" not in past


def test_a_withdrawn_publication_shows_no_grade(client, world):
    w = build_published(world)
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="复核")
    Cycle.objects.filter(pk=w.cycle.pk).update(status=Cycle.Status.CLOSED)  # a past year
    html = home(client, w.secretary_a)
    assert "past-grade" not in html and 'id="past-reports"' in html


def test_the_secretary_sees_the_list_to_fill_then_items_due(client, world):
    w = build_published(world)
    html = home(client, w.secretary_a)
    assert 'data-todo="plan"' in html and "填写并提交" in html
    assert reverse("reviews:rectification_plan", args=[w.plan_a.pk]) in html
    today = timezone.localdate()
    build_approved(w)
    RectificationItem.objects.filter(pk=w.items_a[0].pk).update(deadline=today - datetime.timedelta(days=1))
    RectificationItem.objects.filter(pk=w.items_a[1].pk).update(deadline=today + datetime.timedelta(days=30))
    html = home(client, w.secretary_a)
    assert 'data-todo="plan"' not in html
    assert reverse("reviews:rectification_item", args=[w.items_a[0].pk]) in html and "已逾期" in html
    assert reverse("reviews:rectification_item", args=[w.items_a[1].pk]) not in html  # not due yet
    assert 'data-todo="item"' not in home(client, w.secretary_b)


# ---------------------------------------------------------------- the administrator


def test_stage_steps_mark_done_current_and_todo():
    steps = stage_steps("voting")
    assert [s.label for s in steps] == [label for _key, label in STAGES]
    assert [s.state for s in steps] == ["done", "done", "done", "current", "todo", "todo"]


def test_the_administrator_follows_the_cycle_through_its_stages(client, world):
    html = home(client, world.admin)
    assert stage_of(html, world.cycle) == "collecting" and 'aria-current="step"' in html
    assert reverse("reviews:progress", args=[world.cycle.pk]) in html
    assert stage_of(html, world.other_cycle) is None  # another committee's year

    submit_report(world.report_a)
    submit_report(world.report_b)
    assert stage_of(home(client, world.admin), world.cycle) == "reviewing"
    evaluation, _codes = setup_evaluation(world.cycle, world.admin)
    evaluation_open(evaluation=evaluation, by=world.admin)
    html = home(client, world.admin)
    assert stage_of(html, world.cycle) == "voting"
    assert reverse("reviews:evaluation", args=[world.cycle.pk]) in html


def test_computed_then_published_results_move_the_stage(client, world):
    submit_report(world.report_a)
    submit_report(world.report_b)
    results_compute(cycle=world.cycle, by=world.admin)
    html = home(client, world.admin)
    assert stage_of(html, world.cycle) == "results" and reverse("reviews:results", args=[world.cycle.pk]) in html
    w = complete(world)
    cycle_publish(cycle=w.cycle, by=w.admin)
    html = home(client, w.admin)
    assert stage_of(html, w.cycle) == "rectification"
    assert reverse("reviews:rectification_ledger", args=[w.cycle.pk]) in html


def test_the_administrator_sees_late_returned_plans_and_questions(client, world):
    w = build_published(world)
    fill_plan(w.plan_a, w.secretary_a)
    question_ask(report=w.report_b, by=w.reviewer, text="未答复的问题")
    cycle_close(cycle=w.cycle, by=w.admin)
    # A closed year stays on the home while a plan waits for approval.
    html = home(client, w.admin)
    assert 'data-todo="plans"' in html and stage_of(html, w.cycle) == "rectification"
    assert 'data-todo="questions"' in html



def test_the_administrator_sees_late_and_returned_reports(client, world):
    submit_report(world.report_b)
    report_return(report=world.report_b, by=world.admin, reason="请补充")
    html = home(client, world.admin)
    assert 'data-todo="returned"' in html and 'data-todo="late"' not in html  # before the deadline
    Cycle.objects.filter(pk=world.cycle.pk).update(submission_deadline=timezone.now() - datetime.timedelta(days=1))
    html = home(client, world.admin)
    section = html.split(f'id="admin-cycle-{world.cycle.pk}"')[1]
    assert 'data-todo="late"' in section and f"{reverse('reviews:progress', args=[world.cycle.pk])}?state=late" in section
    # 甲 not started, 乙 returned: both late.
    assert '逾期未提交的报告 <span class="badge text-bg-danger">2</span>' in section
    assert stage_of(html, world.cycle) == "reviewing"  # the deadline passed


def test_a_closed_year_with_nothing_to_approve_leaves_the_home(client, world):
    w = build_published(world)
    cycle_close(cycle=w.cycle, by=w.admin)
    html = home(client, w.admin)
    assert f'id="admin-cycle-{w.cycle.pk}"' not in html and 'id="no-admin-cycle"' in html
    assert f'id="admin-cycle-{w.other_cycle.pk}"' not in home(client, w.admin)


def test_cycle_stage_preparing():
    cycle = Cycle(status=Cycle.Status.PREPARING, submission_deadline=timezone.now())
    assert cycle_stage(cycle) == "preparing"


# ---------------------------------------------------------------- several roles, one home


def test_a_user_with_every_role_sees_every_block(client, world):
    person = world.secretary_a
    world.committee.committee_members.add(person)
    world.committee.administrators.add(person)
    html = home(client, person)
    for block in ("secretary-todo", "reviewer-todo", "admin-todo"):
        assert f'id="{block}"' in html
    assert 'id="no-role"' not in html


@pytest.mark.parametrize("role", ["secretary_a", "reviewer", "admin"])
def test_home_queries_do_not_grow_with_reports_cycles_or_questions(client, world, role):
    user = getattr(world, role)
    world.committee.secretary = world.reviewer
    world.committee.save()

    def count():
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reports:home")).status_code == 200
        return len(queries)

    submit_report(world.report_a)
    question_ask(report=world.report_a, by=world.reviewer, text="问")
    few = count()
    for index in range(4):
        OrganizationFactory(name=f"新支部{index}", parent=world.committee, secretary=world.secretary_a)
    for year in (1, 2):
        cycle = launch_cycle(organization=world.committee, year=world.cycle.year + year, by=world.admin)
        for report in cycle.reports.all():
            report_save_draft(report=report, by=report.organization.secretary, data={"rectification": "已整改。"}, base_revision=None)
            submit_report(report)
            question_ask(report=report, by=world.reviewer, text="问")
    many = count()
    assert many == few, f"{few} queries with few rows, {many} with many"


def test_the_report_page_shows_the_questions_to_answer_on_its_button(client, world):
    submit_report(world.report_a)
    question_ask(report=world.report_a, by=world.reviewer, text="问题一")
    client.force_login(world.secretary_a)
    html = client.get(reverse("reports:detail", args=[world.report_a.pk])).content.decode()
    assert '<span class="badge text-bg-danger questions-badge">1 待答复</span>' in html
    client.force_login(world.reviewer)  # a reader: no button, no count
    assert "questions-badge" not in client.get(reverse("reports:detail", args=[world.report_a.pk])).content.decode()
