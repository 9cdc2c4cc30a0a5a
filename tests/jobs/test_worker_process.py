"""The real worker (`manage.py jobs_worker`, separate processes on a database file) killed with
SIGKILL in the middle of a job: the next worker to start takes the job for dead, runs it again
from the start, and it finishes. Nothing is lost; the job's row tells the story (2 attempts).

Runs in the SQLite pass (its own database file, like production's); PostgreSQL's handling of the
same rows is covered in process by tests/jobs/test_services.py."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from django.db import connection

from tests.config.helpers import ROOT

SETUP = """
import django
django.setup()
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
from django.core.management import call_command
call_command("migrate", verbosity=0)
from jobs.models import Job
from jobs.services import cycle_job_start
from tests.factories import build_world
w = build_world()
job = cycle_job_start(kind=Job.Kind.SUMMARY, cycle=w.cycle, by=w.admin, params={"format": "xlsx"})
print(job.pk)
"""

# The real worker command, with the summary made slow (three steps of a second) so that it can
# be killed in the middle.
SLOW_WORKER = """
import time
import django
django.setup()
from jobs import runners
real = runners.run_summary
def slow(job, out, progress):
    for step in range(3):
        progress(step, 3)
        time.sleep(1)
    return real(job, out, lambda done, total: None)
runners.RUNNERS["summary"] = slow
from django.core.management import call_command
call_command("jobs_worker", interval=0.2)
"""


def job_row(db, job_id):
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT status, attempts, done, file FROM jobs_job WHERE id = ?", (job_id,)).fetchone()


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def env(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("separate worker processes on a database file: tested in the SQLite run")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "SHUPING_JOBS_STALE_AFTER": "2",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    }


def test_a_worker_killed_mid_job_loses_nothing(env, tmp_path):
    db = tmp_path / "worker.sqlite3"
    setup = subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert setup.returncode == 0, setup.stderr[-3000:]
    job_id = int(setup.stdout.strip().splitlines()[-1])

    log = (tmp_path / "worker-1.log").open("w")
    first = subprocess.Popen(
        [sys.executable, "-c", SLOW_WORKER], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(lambda: (job_row(db, job_id) or ("",))[0] == "running" and job_row(db, job_id)[2] >= 1, 120, "the job to run")
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the machine dies: no chance to clean up
        first.wait(timeout=30)
        log.close()
    status, attempts, done, file = job_row(db, job_id)
    assert (status, attempts, file) == ("running", 1, "")  # left behind mid-task

    time.sleep(2.5)  # longer than SHUPING_JOBS_STALE_AFTER without progress
    second = subprocess.run(
        [sys.executable, "manage.py", "jobs_worker", "--batch"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr[-3000:]
    assert "重新排队 1 个中断的后台任务" in second.stdout
    status, attempts, done, file = job_row(db, job_id)
    assert (status, attempts) == ("done", 2) and file.startswith("jobs/")
    assert (tmp_path / "media" / file).read_bytes()[:2] == b"PK"  # an .xlsx
