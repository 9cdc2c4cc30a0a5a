"""In-app notices at the points of the workflow, and the daily deadline reminder."""

import datetime

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from branches.models import Notification
from reports.services import report_return
from reviews.console.reminders import deadline_reminders_send
from reviews.models import Question
from reviews.results.services import cycle_close, cycle_publish, results_compute
from reviews.services import question_answer, question_ask
from tests.factories import INCOMPLETE_OK, launch_cycle
from tests.reviews.helpers import submit_report, submit_review


def texts_for(user):
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_cycle_launch_tells_the_participating_secretaries(world):
    Notification.objects.all().delete()
    world.secretary_a.email = "a@example.org"
    world.secretary_a.save()
    cycle = launch_cycle(organization=world.committee, year=world.cycle.year + 1, by=world.admin, participants=[world.branch_b])
    assert texts_for(world.secretary_a) == []
    assert len(texts_for(world.secretary_b)) == 1 and cycle.title in texts_for(world.secretary_b)[0]
    assert texts_for(world.secretary_c) == []
    assert mail.outbox == []  # only secretary_a has an address, and was not told


def test_return_tells_the_secretary_with_the_reason(world):
    submit_report(world.report_a)
    Notification.objects.all().delete()
    report_return(report=world.report_a, by=world.admin, reason="请补充数据")
    assert texts_for(world.secretary_a) == [f"您的《{world.cycle.title}》述职报告被退回修改：请补充数据"]
    assert Notification.objects.count() == 1


def test_question_asked_and_answered(world):
    submit_report(world.report_a)
    Notification.objects.all().delete()
    question = question_ask(report=world.report_a, by=world.reviewer, text="请说明党员发展情况")
    assert texts_for(world.secretary_a) == ["评议人就甲社区党支部的述职报告提出了问题，请答复。"]
    question_answer(question=Question.objects.get(pk=question.pk), by=world.secretary_a, answer="今年发展2名")
    assert texts_for(world.reviewer) == ["甲社区党支部书记答复了您的提问。"]
    assert Notification.objects.count() == 2


def test_publication_tells_every_secretary_of_the_cycle(world):
    for report in [world.report_a, world.report_b]:
        submit_report(report)
        submit_review(report, world.reviewer, 85)
    results_compute(cycle=world.cycle, by=world.admin)
    Notification.objects.all().delete()
    cycle_publish(cycle=world.cycle, by=world.admin, reason=INCOMPLETE_OK)
    assert set(Notification.objects.values_list("user", flat=True)) == {world.secretary_a.pk, world.secretary_b.pk}
    assert "结果已公布" in texts_for(world.secretary_a)[0]
    cycle_close(cycle=world.cycle, by=world.admin)


def test_deadline_reminder_three_days_before_once_a_day(world):
    now = timezone.now()
    type(world.cycle).objects.filter(pk=world.cycle.pk).update(submission_deadline=now + datetime.timedelta(days=2))
    submit_report(world.report_b)  # submitted: not reminded
    Notification.objects.all().delete()
    assert deadline_reminders_send(now=now) == 1
    assert "截止提交" in texts_for(world.secretary_a)[0]
    assert texts_for(world.secretary_b) == [] and texts_for(world.secretary_c) == []  # other cycle is 30 days away
    assert deadline_reminders_send(now=now + datetime.timedelta(minutes=5)) == 0  # same day: idempotent
    call_command("send_deadline_reminders", stdout=open("/dev/null", "w"))
    assert Notification.objects.count() == 1


def test_no_deadline_reminder_when_far_away_or_past(world):
    now = timezone.now()
    type(world.cycle).objects.filter(pk=world.cycle.pk).update(submission_deadline=now + datetime.timedelta(days=4))
    Notification.objects.all().delete()
    assert deadline_reminders_send(now=now) == 0
    type(world.cycle).objects.filter(pk=world.cycle.pk).update(submission_deadline=now - datetime.timedelta(hours=1))
    assert deadline_reminders_send(now=now) == 0
