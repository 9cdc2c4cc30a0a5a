"""Starting a job, its progress page (polling a small JSON endpoint) and its file.

Every view scopes by jobs.selectors (a guessed id is a 404); starting is a POST."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jobs.models import Job
from jobs.runners import SUMMARY_FORMATS
from jobs.selectors import job_visible_or_404
from jobs.services import cycle_job_start, job_run, stale_after
from reviews.console.progress import late_reports
from reviews.view_helpers import administered_cycle_or_404, redirect_back

# A queued job not started after this long: is a worker running at all?
WAITING_HINT_AFTER = datetime.timedelta(minutes=1)


def job_notice(job, now=None):
    """A word for the person waiting when the job does not move (empty when all is well)."""
    now = now or timezone.now()
    if job.status == Job.Status.QUEUED and job.created_at < now - WAITING_HINT_AFTER:
        return "任务仍在排队。如长时间没有开始，请联系系统管理员确认后台任务进程（jobs_worker）正在运行。"
    if job.status == Job.Status.RUNNING and job.heartbeat_at and job.heartbeat_at < now - stale_after() / 2:
        return "任务暂时没有进展（后台任务进程可能已停止），系统会自动重新执行，请稍候。"
    if not job.is_finished and job.attempts > 1:
        return f"任务曾被中断，正在重新执行（第 {job.attempts} 次）。"
    return ""


def job_state(job):
    """What the progress page and its JSON show."""
    return {
        "notice": job_notice(job),
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": job.is_finished,
        "outcome": job.outcome,
        "error": job.error,
        "download_url": reverse("jobs:download", args=[job.pk]) if job.status == Job.Status.DONE and job.file else "",
        "filename": job.filename,
        # A roster import's result (and initial passwords) is its own page.
        "result_url": reverse("jobs:roster_passwords", args=[job.pk]) if job.kind == Job.Kind.ROSTER and job.is_finished else "",
    }


@login_required
@require_GET
def job_detail(request, pk):
    job = job_visible_or_404(request.user, pk)
    return render(request, "jobs/job.html", {"job": job, "state": job_state(job)})


@login_required
@require_GET
def job_status(request, pk):
    job = job_visible_or_404(request.user, pk)
    response = JsonResponse(job_state(job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def job_download(request, pk):
    job = job_visible_or_404(request.user, pk)
    if job.status != Job.Status.DONE or not job.file:
        raise Http404
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def cycle_archive_start(request, cycle_pk):
    cycle = administered_cycle_or_404(request, cycle_pk)
    job = cycle_job_start(kind=Job.Kind.CYCLE_ARCHIVE, cycle=cycle, by=request.user, params={"formats": ["pdf", "docx", "xlsx"]})
    return redirect("jobs:detail", job.pk)


@login_required
@require_POST
def summary_start(request, cycle_pk, extension):
    cycle = administered_cycle_or_404(request, cycle_pk)
    if extension not in SUMMARY_FORMATS:
        raise Http404
    job = cycle_job_start(kind=Job.Kind.SUMMARY, cycle=cycle, by=request.user, params={"format": extension})
    return redirect("jobs:detail", job.pk)


@login_required
@require_POST
def reminders_start(request, cycle_pk):
    """Remind every late secretary: a few at once, many in the background."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    back = reverse("reviews:progress", args=[cycle.pk])
    if not cycle.accepts_reports:
        messages.error(request, "本年度述职报告收集已结束。")
        return redirect_back(request, back)
    late = late_reports(cycle).count()
    if not late:
        messages.info(request, "目前没有逾期未提交的党组织。")
        return redirect_back(request, back)
    job = cycle_job_start(kind=Job.Kind.REMINDERS, cycle=cycle, by=request.user)
    if late > settings.JOBS_REMINDERS_IN_REQUEST:
        return redirect("jobs:detail", job.pk)
    job_run(job.pk)
    job.refresh_from_db()
    if job.status == Job.Status.DONE:
        messages.success(request, f"{job.outcome}。")
    elif job.status == Job.Status.FAILED:
        messages.error(request, job.error)
    else:  # a worker took it first
        return redirect("jobs:detail", job.pk)
    return redirect_back(request, back)

