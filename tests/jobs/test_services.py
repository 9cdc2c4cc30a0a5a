"""jobs.services: a job is queued with its task, run by the worker, and never lost when the
worker dies or is stopped mid-task."""

import datetime
import io
import logging
import os
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from branches.models import Notification
from jobs import runners
from jobs.models import Job
from jobs.services import (
    GENERIC_ERROR,
    GIVEN_UP_ERROR,
    MAX_ATTEMPTS,
    cycle_job_start,
    job_progress,
    job_run,
    jobs_prune,
    jobs_requeue_stale,
)
from reviews.console.reminders import reminder_text
from tests.jobs.helpers import run_queued

LATER = datetime.timedelta(hours=1)


def start_summary(w, by=None):
    return cycle_job_start(kind=Job.Kind.SUMMARY, cycle=w.cycle, by=by or w.admin, params={"format": "xlsx"})


def claim_and_die(job):
    """What a worker killed mid-task leaves behind: the job and its queue entry `running`."""
    DBTaskResult.objects.filter(pk=job.task_id).update(status="RUNNING", started_at=timezone.now())
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=job.attempts + 1, heartbeat_at=timezone.now())
    job.refresh_from_db()
    return job


def test_archive_job_is_queued_then_run_by_the_worker_with_progress_and_a_file(world):
    w = world
    job = cycle_job_start(kind=Job.Kind.CYCLE_ARCHIVE, cycle=w.cycle, by=w.admin, params={"formats": ["xlsx"]})
    assert job.status == Job.Status.QUEUED and job.organization == w.committee
    assert DBTaskResult.objects.get(pk=job.task_id).status == "READY"

    assert run_queued() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 1
    assert (job.done, job.total, job.percent) == (1, 1, 100)
    assert job.filename == f"测试街道党工委{w.cycle.year}年度述职评议文件.zip"
    assert job.finished_at >= job.started_at
    names = zipfile.ZipFile(io.BytesIO(job.file.read())).namelist()
    assert names == [f"测试街道党工委{w.cycle.year}年度述职评议结果汇总.xlsx"]
    assert DBTaskResult.objects.get(pk=job.task_id).status == "SUCCESSFUL"


def test_a_second_click_returns_the_running_job_and_a_finished_one_is_not_reused(world):
    first = start_summary(world)
    assert start_summary(world) == first
    assert Job.objects.count() == 1 and DBTaskResult.objects.count() == 1
    # Another format, another person: another job.
    assert cycle_job_start(kind=Job.Kind.SUMMARY, cycle=world.cycle, by=world.admin, params={"format": "pdf"}) != first
    assert start_summary(world, by=world.superuser) != first
    run_queued()
    assert start_summary(world) != first


@pytest.mark.parametrize("role", ["secretary_a", "reviewer", "other_admin"])
def test_only_the_cycles_administrators_start_its_jobs(world, role):
    with pytest.raises(PermissionDenied):
        start_summary(world, by=getattr(world, role))
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


def test_a_job_whose_worker_died_is_queued_again_and_finishes(world):
    job = claim_and_die(start_summary(world))
    dead_task = job.task_id
    assert jobs_requeue_stale() == 0  # just started: not yet taken for dead
    assert jobs_requeue_stale(now=timezone.now() + LATER) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.task_id != dead_task
    assert DBTaskResult.objects.get(pk=dead_task).status == "FAILED"
    run_queued()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2 and job.file


def test_a_job_that_keeps_dying_is_given_up_with_a_message(world):
    job = start_summary(world)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=MAX_ATTEMPTS, heartbeat_at=timezone.now())
    assert jobs_requeue_stale(now=timezone.now() + LATER) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == GIVEN_UP_ERROR and job.finished_at
    assert run_queued() == 1  # its queue entry finds nothing to do
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_a_queued_job_whose_queue_entry_is_gone_is_queued_again(world):
    job = start_summary(world)
    DBTaskResult.objects.all().delete()  # e.g. pruned
    assert jobs_requeue_stale() == 0  # only once it has waited long enough
    assert jobs_requeue_stale(now=timezone.now() + LATER) == 1
    run_queued()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE


def test_a_run_taken_for_dead_that_was_only_slow_stops_without_touching_the_job(world, monkeypatch):
    job = start_summary(world)
    seen = []

    def slow_then_superseded(job, out, progress):
        progress(0, 2)
        jobs_requeue_stale(now=timezone.now() + LATER)  # meanwhile the job is taken for dead
        seen.append(Job.objects.get(pk=job.pk).status)
        progress(1, 2)  # the old run learns it is no longer current
        raise AssertionError("not reached")

    monkeypatch.setitem(runners.RUNNERS, "summary", slow_then_superseded)
    job_run(job.pk)
    job.refresh_from_db()
    assert seen == [Job.Status.QUEUED] and job.status == Job.Status.QUEUED and not job.file and not job.error
    monkeypatch.undo()
    run_queued()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2


def test_progress_of_a_superseded_attempt_is_refused(world):
    job = claim_and_die(start_summary(world))
    old = Job.objects.get(pk=job.pk)
    Job.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)
    with pytest.raises(runners.JobSuperseded):
        job_progress(old, 1, 1)
    assert Job.objects.get(pk=job.pk).done == 0


def test_a_worker_stopped_mid_task_puts_the_job_back_in_the_queue(world, monkeypatch):
    job = start_summary(world)

    def interrupted(job, out, progress):
        progress(0, 1)
        raise SystemExit(1)  # Ctrl-C twice, or docker stop's SIGTERM after the grace period

    monkeypatch.setitem(runners.RUNNERS, "summary", interrupted)
    with pytest.raises(SystemExit):
        job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.attempts == 1
    monkeypatch.undo()
    run_queued()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2


def test_an_unexpected_error_is_logged_and_shown_in_chinese(world, monkeypatch, caplog):
    job = start_summary(world)

    def broken(job, out, progress):
        raise ValueError("secret internals")

    monkeypatch.setitem(runners.RUNNERS, "summary", broken)
    with caplog.at_level(logging.ERROR, logger="jobs.services"):
        run_queued()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == GENERIC_ERROR and "secret" not in job.error
    assert "secret internals" in caplog.text


def test_a_domain_error_is_the_jobs_message(world):
    job = cycle_job_start(kind=Job.Kind.REMINDERS, cycle=world.cycle, by=world.admin)
    type(world.cycle).objects.filter(pk=world.cycle.pk).update(status="closed")
    run_queued()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == "本年度述职报告收集已结束。"
    with pytest.raises(ValidationError):
        runners.run_reminders(job, io.BytesIO(), lambda *args: None)


def test_reminders_in_batches_resume_without_reminding_anyone_twice(world, monkeypatch):
    w = world
    type(w.cycle).objects.filter(pk=w.cycle.pk).update(submission_deadline=timezone.now() - datetime.timedelta(days=1))
    w.cycle.refresh_from_db()
    job = cycle_job_start(kind=Job.Kind.REMINDERS, cycle=w.cycle, by=w.admin)
    # An earlier run of this job reminded secretary_a before the worker died.
    text = reminder_text(w.report_a)
    Notification.objects.create(user=w.secretary_a, text=text, url=reverse("reports:home"))
    monkeypatch.setattr(runners, "REMINDER_BATCH", 1)
    steps = []
    original = runners.run_reminders

    def watched(job, out, progress):
        return original(job, out, lambda done, total: (steps.append((done, total)), progress(done, total)))

    monkeypatch.setitem(runners.RUNNERS, "reminders", watched)
    run_queued()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.outcome == "已提醒 2 个逾期未提交的党组织书记"
    assert steps == [(0, 2), (1, 2), (2, 2)]
    # b's text is the same as a's; a is not reminded a second time.
    assert sorted(Notification.objects.filter(text=text).values_list("user__username", flat=True)) == [
        "secretary_a",
        "secretary_b",
    ]


def test_finished_jobs_older_than_a_week_go_with_their_files(world):
    old = start_summary(world)
    run_queued()
    old.refresh_from_db()
    path = old.file.path
    recent = cycle_job_start(kind=Job.Kind.SUMMARY, cycle=world.cycle, by=world.admin, params={"format": "pdf"})
    Job.objects.filter(pk=recent.pk).update(status=Job.Status.DONE, finished_at=timezone.now())
    running = cycle_job_start(kind=Job.Kind.REMINDERS, cycle=world.cycle, by=world.admin)
    Job.objects.filter(pk=running.pk).update(status=Job.Status.RUNNING)
    in_eight_days = timezone.now() + datetime.timedelta(days=8)
    Job.objects.filter(pk=recent.pk).update(finished_at=in_eight_days - datetime.timedelta(days=6))
    assert jobs_prune(now=in_eight_days) == 1
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}
    assert not os.path.exists(path)
    assert not DBTaskResult.objects.filter(status="SUCCESSFUL").exists()
