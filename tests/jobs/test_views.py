"""The job pages through the client: start (POST), progress page, JSON status, the file; and the
mass reminder, at once for a few secretaries, as a job for many."""

import datetime
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import Notification
from jobs.models import Job
from tests.factories import CommitteeFactory, OrganizationFactory, UserFactory, launch_cycle
from tests.jobs.helpers import run_queued


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def start_archive(client, cycle):
    return client.post(reverse("jobs:cycle_archive", args=[cycle.pk]))


def test_the_results_page_offers_the_years_zip_and_the_summaries_as_jobs(admin_client, world):
    page = admin_client.get(reverse("reviews:results", args=[world.cycle.pk])).content.decode()
    assert f'action="{reverse("jobs:cycle_archive", args=[world.cycle.pk])}"' in page
    assert f'action="{reverse("jobs:summary", args=[world.cycle.pk, "pdf"])}"' in page
    assert f'action="{reverse("jobs:summary", args=[world.cycle.pk, "xlsx"])}"' in page


def test_starting_the_archive_leads_to_its_progress_page_then_to_the_file(admin_client, world):
    response = start_archive(admin_client, world.cycle)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])

    page = admin_client.get(response["Location"]).content.decode()
    assert "排队中" in page and reverse("jobs:status", args=[job.pk]) in page and "job-progress.js" in page
    state = admin_client.get(reverse("jobs:status", args=[job.pk])).json()
    assert state["status"] == "queued" and state["finished"] is False and state["download_url"] == ""
    assert admin_client.get(reverse("jobs:download", args=[job.pk])).status_code == 404  # nothing yet

    run_queued()
    state = admin_client.get(reverse("jobs:status", args=[job.pk])).json()
    assert state["status"] == "done" and state["finished"] and state["percent"] == 100
    assert state["done"] == state["total"] == 3  # the summary as PDF, .docx and .xlsx; no result is computed yet
    assert state["download_url"] == reverse("jobs:download", args=[job.pk])
    download = admin_client.get(state["download_url"])
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    assert "attachment" in download["Content-Disposition"] and ".zip" in download["Content-Disposition"]
    content = b"".join(download.streaming_content)
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert sorted(name.rsplit(".", 1)[1] for name in names) == ["docx", "pdf", "xlsx"]
    assert "下载" in admin_client.get(reverse("jobs:detail", args=[job.pk])).content.decode()


def test_a_failed_job_shows_its_message(admin_client, world):
    job = Job.objects.create(
        kind=Job.Kind.SUMMARY, requested_by=world.admin, organization=world.committee, cycle=world.cycle,
        status=Job.Status.FAILED, error="任务执行出错，请稍后重新发起。",
    )
    assert "任务执行出错" in admin_client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert admin_client.get(reverse("jobs:status", args=[job.pk])).json()["error"] == "任务执行出错，请稍后重新发起。"
    assert admin_client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("role", ["secretary_a", "reviewer", "other_admin", "other_reviewer"])
def test_someone_elses_job_is_a_404_on_every_page(client, world, role):
    job = Job.objects.create(
        kind=Job.Kind.SUMMARY, requested_by=world.admin, organization=world.committee, cycle=world.cycle,
        status=Job.Status.DONE, filename="x.xlsx",
    )
    client.force_login(getattr(world, role))
    for name in ["detail", "status", "download"]:
        assert client.get(reverse(f"jobs:{name}", args=[job.pk])).status_code == 404, name
    assert start_archive(client, world.cycle).status_code == 404
    assert Job.objects.count() == 1


def test_an_administrator_below_the_cycle_reaches_neither_its_jobs_nor_their_files(client, world):
    """The administrator of a branch inside the committee's subtree: the committee's cycle, its
    jobs and files are above them (no job of the cycle can be started either)."""
    lower = UserFactory(username="branch_admin")
    world.branch_a.administrators.add(lower)
    job = Job.objects.create(
        kind=Job.Kind.SUMMARY, requested_by=world.admin, organization=world.committee, cycle=world.cycle,
        status=Job.Status.DONE, filename="x.xlsx",
    )
    client.force_login(lower)
    for name in ["detail", "status", "download"]:
        assert client.get(reverse(f"jobs:{name}", args=[job.pk])).status_code == 404, name
    assert start_archive(client, world.cycle).status_code == 404
    assert client.post(reverse("jobs:summary", args=[world.cycle.pk, "pdf"])).status_code == 404
    assert Job.objects.count() == 1


def test_an_administrator_who_loses_the_role_loses_the_job(admin_client, world):
    start_archive(admin_client, world.cycle)
    job = Job.objects.get()
    world.committee.administrators.remove(world.admin)
    assert admin_client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404


def test_an_unknown_summary_format_is_a_404_and_a_get_starts_nothing(admin_client, world):
    assert admin_client.post(reverse("jobs:summary", args=[world.cycle.pk, "exe"])).status_code == 404
    assert admin_client.get(reverse("jobs:cycle_archive", args=[world.cycle.pk])).status_code == 405
    assert not Job.objects.exists()


def late_cycle(size):
    admin = UserFactory(username="many_admin")
    committee = CommitteeFactory(name="大党委")
    committee.administrators.add(admin)
    for index in range(size):
        OrganizationFactory(name=f"第{index}支部", parent=committee, secretary=UserFactory(username=f"late_{index}"))
    cycle = launch_cycle(organization=committee, by=admin)
    type(cycle).objects.filter(pk=cycle.pk).update(submission_deadline=timezone.now() - datetime.timedelta(days=1))
    return cycle, admin


def test_reminding_a_few_is_done_at_once_and_many_in_the_background(client, db, settings):
    settings.JOBS_REMINDERS_IN_REQUEST = 3
    cycle, admin = late_cycle(3)
    client.force_login(admin)
    response = client.post(reverse("reviews:remind_late", args=[cycle.pk]), follow=True)
    assert "已提醒 3 个逾期未提交的党组织书记" in response.content.decode()
    assert Job.objects.get().status == Job.Status.DONE
    assert Notification.objects.filter(user__username__startswith="late_", text__contains="已过提交截止时间").count() == 3

    OrganizationFactory(name="第四支部", parent=cycle.organization, secretary=UserFactory(username="late_x"))
    cycle.reports.create(organization=cycle.organization.children.get(name="第四支部"))
    response = client.post(reverse("reviews:remind_late", args=[cycle.pk]))
    job = Job.objects.latest("pk")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk]) and job.status == Job.Status.QUEUED
    run_queued()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and (job.done, job.total) == (4, 4)


def test_the_page_says_when_a_job_does_not_move(admin_client, world):
    start_archive(admin_client, world.cycle)
    job = Job.objects.get()
    status = reverse("jobs:status", args=[job.pk])
    assert admin_client.get(status).json()["notice"] == ""
    # Queued for minutes: maybe no worker runs.
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    assert "jobs_worker" in admin_client.get(status).json()["notice"]
    assert "jobs_worker" in admin_client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    # Running but silent: its worker may have died; it will be run again.
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=1, heartbeat_at=timezone.now() - datetime.timedelta(minutes=4)
    )
    assert "自动重新执行" in admin_client.get(status).json()["notice"]
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now(), attempts=2)
    assert admin_client.get(status).json()["notice"] == "任务曾被中断，正在重新执行（第 2 次）。"
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now(), attempts=1)
    assert admin_client.get(status).json()["notice"] == ""


def test_the_system_administrator_sees_jobs_read_only_in_the_admin(client, world):
    job = Job.objects.create(kind=Job.Kind.SUMMARY, requested_by=world.admin, organization=world.committee, cycle=world.cycle)
    client.force_login(world.superuser)
    assert client.get(reverse("admin:jobs_job_changelist")).status_code == 200
    assert client.get(reverse("admin:jobs_job_change", args=[job.pk])).status_code == 200
    assert client.post(reverse("admin:jobs_job_delete", args=[job.pk]), {"post": "yes"}).status_code == 403
    assert Job.objects.filter(pk=job.pk).exists()
    client.force_login(world.admin)
    assert client.get(reverse("admin:jobs_job_changelist")).status_code == 302  # to the admin login
