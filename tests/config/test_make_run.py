"""`make run`'s script (.ci/dev): the development server and the background worker beside it;
a job queued through the site gets done; Ctrl-C (SIGINT to the terminal's process group) stops
both. On its own SQLite database file, in the SQLite run."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.config.helpers import ROOT

QUEUE_A_JOB = """
import django
django.setup()
from jobs.models import Job
from jobs.services import cycle_job_start
from tests.factories import build_world
w = build_world()
print(cycle_job_start(kind=Job.Kind.SUMMARY, cycle=w.cycle, by=w.admin, params={"format": "xlsx"}).pk)
"""


def children(pid):
    """(pid, command line) of the processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                found.append((int(entry.name), command))
    return found


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_make_run_serves_with_a_worker_and_ctrl_c_stops_both(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("its own SQLite database file: tested in the SQLite run")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    queued = subprocess.run([sys.executable, "-c", QUEUE_A_JOB], cwd=ROOT, env=env, capture_output=True, text=True)
    assert queued.returncode == 0, queued.stderr[-2000:]
    job_id = int(queued.stdout.split()[-1])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    log = (tmp_path / "dev.log").open("w")
    dev = subprocess.Popen(
        ["bash", ".ci/dev"], cwd=ROOT, env={**env, "PORT": str(port)}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        def healthy():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    return response.status == 200
            except OSError:
                return False

        assert wait_for(healthy, 90), (tmp_path / "dev.log").read_text()[-3000:]
        workers = [pid for pid, command in children(dev.pid) if "jobs_worker" in command]
        assert len(workers) == 1
        # The worker does the queued job.
        def done():
            with sqlite3.connect(tmp_path / "dev.sqlite3") as db:
                return db.execute("SELECT status FROM jobs_job WHERE id = ?", (job_id,)).fetchone()[0] == "done"

        assert wait_for(done, 90), (tmp_path / "dev.log").read_text()[-3000:]
    finally:
        os.killpg(dev.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the foreground group
        dev.wait(timeout=60)
        log.close()
    assert wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), 30), "the worker outlived make run"
