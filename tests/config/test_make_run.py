"""`make run` (.ci/dev): the development server and the background worker beside it, showing what
users see. A job queued through the site gets done; Ctrl-C (SIGINT to the terminal's process group)
stops both; DEBUG is off, so a wrong address gets the Chinese 404 page and never Django's yellow
debug page, while static files are still served. On their own SQLite database files."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
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
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True
    )
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
    assert wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), 30), (
        "the worker outlived make run"
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@pytest.fixture
def make_run_server(tmp_path):
    port = free_port()
    printed = subprocess.run(
        ["make", "-n", "run", "HOST=127.0.0.1", f"PORT={port}"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    command = next(line for line in printed if ".ci/dev" in line)
    assert "DJANGO_DEBUG=0" in command
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}"}
    for name in ("DJANGO_DEBUG", "DJANGO_SECURE_SSL", "DJANGO_STATIC_FROM_SOURCE", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    env["DJANGO_MEDIA_ROOT"] = str(tmp_path / "media")
    # make run migrates before it serves (the worker beside the server needs its tables).
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    # Exactly what `make run` runs; its own session, so that the whole group is stopped at the end.
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"make run's server stopped: {process.stderr.read().decode()}")
                time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=60)


def test_make_run_shows_the_chinese_404_and_serves_static_files(make_run_server):
    status, page = get(make_run_server + "/no-such-page/")
    assert status == 404
    assert "页面不存在，或您无权查看。" in page and '<html lang="zh-hans">' in page
    assert "DEBUG = True" not in page and "URLconf" not in page and "Page not found" not in page
    for path in ("/static/css/shuping.css", "/static/vendor/bootstrap/bootstrap.min.css"):
        status, body = get(make_run_server + path)
        assert status == 200 and body
    # Pages link the files under their plain names: no collectstatic manifest is needed.
    status, page = get(make_run_server + "/accounts/login/")
    assert status == 200 and 'href="/static/css/shuping.css"' in page
