"""Background jobs: start one, run it (in the worker), report progress, recover from a worker
that died mid-task.

A job is queued with django-tasks (its database backend: no broker) in the same transaction as
its Job row, so a job is never lost between the two. Running a job again is always safe: every
kind starts from nothing (a fresh file) or skips what is already done (reminders already sent),
so a worker killed mid-task costs only the time spent.
"""

import datetime
import logging
import tempfile
from contextlib import nullcontext

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from config.request_id import current as current_request_id
from config.request_id import request_id_set
from jobs.models import Job
from jobs.runners import RUNNERS, JobSuperseded
from jobs.tasks import job_task
from reviews.permissions import can_download_summary

logger = logging.getLogger(__name__)

# After this many interrupted runs a job is given up, with a message, instead of looping.
MAX_ATTEMPTS = 3
GENERIC_ERROR = "任务执行出错，请稍后重新发起；如仍失败，请联系系统管理员。"
GIVEN_UP_ERROR = "后台任务多次中断，已停止。请重新发起；如仍失败，请联系系统管理员。"


def stale_after():
    """How long a running job may go without progress before it is taken for dead."""
    return datetime.timedelta(seconds=settings.JOBS_STALE_AFTER)


def _enqueue(job):
    job.task_id = str(job_task.enqueue(job.pk).id)
    job.save(update_fields=["task_id"])


@transaction.atomic
def job_start(*, kind, by, organization, cycle=None, params=None):
    """Queue a job, or return the same person's identical job still queued or running (a double
    click, a second tab) instead of doing the work twice."""
    params = params or {}
    active = (
        Job.objects.select_for_update()
        .filter(kind=kind, requested_by=by, organization=organization, cycle=cycle, params=params)
        .filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
        .first()
    )
    if active is not None:
        return active
    job = Job.objects.create(kind=kind, requested_by=by, organization=organization, cycle=cycle, params=params)
    _enqueue(job)
    return job


def cycle_job_start(*, kind, cycle, by, params=None):
    """A job over one cycle's documents: only its administrators (and superusers) may start it."""
    if not can_download_summary(by, cycle):
        raise PermissionDenied
    return job_start(kind=kind, by=by, organization=cycle.organization, cycle=cycle, params=params)


def job_progress(job, done, total):
    """Record progress of the run `job` is (its `attempts`); a superseded run is stopped."""
    updated = Job.objects.filter(pk=job.pk, attempts=job.attempts, status=Job.Status.RUNNING).update(
        done=min(done, total), total=total, heartbeat_at=timezone.now()
    )
    if not updated:
        raise JobSuperseded
    job.done, job.total = min(done, total), total


def _claim(job_id):
    """Mark the job running as a new attempt; None if there is nothing (left) to do."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Job.Status.QUEUED:
            return None  # done, given up, or being run by someone else
        now = timezone.now()
        job.status, job.attempts, job.done = Job.Status.RUNNING, job.attempts + 1, 0
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.save(update_fields=["status", "attempts", "done", "started_at", "heartbeat_at"])
        return job


def _finish(job, **fields):
    """Close the run if it is still the current one."""
    fields.setdefault("finished_at", timezone.now())
    return Job.objects.filter(pk=job.pk, attempts=job.attempts, status=Job.Status.RUNNING).update(**fields)


def job_run(job_id):
    """The body of the queued task. Runs in the worker (or, for a small job, in the request)."""
    # The worker's log lines name the job, as a request's name the request.
    with request_id_set(f"job-{job_id}") if current_request_id.get() == "-" else nullcontext():
        _run(job_id)


def _run(job_id):
    job = _claim(job_id)
    if job is None:
        return
    runner = RUNNERS[job.kind]
    try:
        with tempfile.TemporaryFile() as out:
            result = runner(job, out, lambda done, total: job_progress(job, done, total))
            if result.filename:
                out.seek(0)
                job.file.save(result.filename, File(out), save=False)
            updated = _finish(
                job,
                status=Job.Status.DONE,
                file=job.file.name or "",
                filename=result.filename,
                outcome=result.outcome[:300],
                done=job.total,
            )
            if not updated and job.file.name:
                job.file.delete(save=False)  # a newer run owns the job
    except JobSuperseded:
        logger.info("job %s: attempt %s superseded by a newer run", job.pk, job.attempts)
    except ValidationError as error:
        _finish(job, status=Job.Status.FAILED, error=" ".join(error.messages)[:300])
    except (KeyboardInterrupt, SystemExit):
        # The worker is being stopped mid-task: queue the job again so the next worker runs it.
        job_requeue(job_id=job.pk, attempts=job.attempts)
        raise
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, status=Job.Status.FAILED, error=GENERIC_ERROR)


@transaction.atomic
def job_requeue(*, job_id, attempts):
    """Queue a running job's attempt `attempts` again (or give it up after MAX_ATTEMPTS)."""
    job = Job.objects.select_for_update().filter(pk=job_id, attempts=attempts, status=Job.Status.RUNNING).first()
    if job is None:
        return False
    # The dead run's queue entry would otherwise stay "running" for ever.
    DBTaskResult.objects.filter(pk=job.task_id or None, status="RUNNING").update(
        status="FAILED", finished_at=timezone.now()
    )
    if job.attempts >= MAX_ATTEMPTS:
        job.status, job.error, job.finished_at = Job.Status.FAILED, GIVEN_UP_ERROR, timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return False
    job.status, job.done = Job.Status.QUEUED, 0
    job.save(update_fields=["status", "done"])
    _enqueue(job)
    logger.warning("job %s (%s): run %s was interrupted, queued again", job.pk, job.kind, attempts)
    return True


def jobs_requeue_stale(*, now=None):
    """Queue again every job whose worker died: running without progress for `stale_after()`,
    or queued while its queue entry is gone or finished (pruned, failed outside the job).
    Returns how many were queued again or given up."""
    now = now or timezone.now()
    count = 0
    stale = Job.objects.filter(status=Job.Status.RUNNING).filter(
        Q(heartbeat_at__lt=now - stale_after()) | Q(heartbeat_at=None)
    )
    for job_id, attempts in stale.values_list("pk", "attempts"):
        job_requeue(job_id=job_id, attempts=attempts)
        count += 1
    waiting = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).values_list("id", flat=True)
    orphans = Job.objects.filter(status=Job.Status.QUEUED, created_at__lt=now - stale_after()).exclude(
        task_id__in=[str(task_id) for task_id in waiting]
    )
    for job in orphans:
        with transaction.atomic():
            _enqueue(job)
        count += 1
    return count


def jobs_prune(*, now=None):
    """Delete finished jobs older than settings.JOBS_KEEP_DAYS with their files, and the queue's
    finished entries of the same age. Returns how many jobs went."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.JOBS_KEEP_DAYS)
    old = Job.objects.filter(status__in=[Job.Status.DONE, Job.Status.FAILED], finished_at__lt=cutoff)
    count = 0
    for job in old:
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    DBTaskResult.objects.filter(status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff).delete()
    return count
