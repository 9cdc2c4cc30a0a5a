"""Benchmark of the background jobs. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_jobs.py [--organizations 2000]

In a temporary SQLite database (migrated from scratch), a committee with N branches (bench_console's
roster import and cycle launch, reports in mixed states, past the deadline), then:
1. the request that starts the year's .zip, the summary PDF and the mass reminder: server time and
   queries (the work itself is no longer inside a request);
2. the worker (django-tasks' database worker, in this process) building each: wall time, progress
   steps recorded, and the job's final state.

Target (issue 19): starting any of them answers within a request's budget (≤ 300 ms) whatever N.
"""

import argparse
import importlib
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_console import build, setup_django  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--organizations", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        from django.conf import settings

        settings.MEDIA_ROOT = Path(folder) / "media"
        # bench_console measures reminders within the request; here the site's own threshold.
        settings.JOBS_REMINDERS_IN_REQUEST = importlib.import_module("config.settings").JOBS_REMINDERS_IN_REQUEST
        # The worker's own INFO lines (task started/finished) would drown the table.
        for name in ("django_tasks", "django_tasks_db"):
            logging.getLogger(name).setLevel(logging.WARNING)
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from jobs.models import Job
        from tests.jobs.helpers import run_queued

        print(f"Building {args.organizations} organizations…", flush=True)
        admin, cycle, _ = build(args.organizations, "基准")
        client = Client()
        client.force_login(admin)
        starts = [
            ("year's .zip", reverse("jobs:cycle_archive", args=[cycle.pk])),
            ("summary PDF", reverse("jobs:summary", args=[cycle.pk, "pdf"])),
            ("summary Excel", reverse("jobs:summary", args=[cycle.pk, "xlsx"])),
            # Within the request up to JOBS_REMINDERS_IN_REQUEST late secretaries, else queued.
            ("remind late", reverse("reviews:remind_late", args=[cycle.pk])),
        ]
        print(f"\n{'start (POST)':<28} {'queries':>8} {'server time':>12}")
        for name, url in starts:
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.post(url)
                elapsed = time.perf_counter() - began
            assert response.status_code == 302, response.status_code
            print(f"{name:<28} {len(queries):>8} {elapsed * 1000:>10.0f} ms")
        print(f"\n{'job (worker)':<28} {'steps':>8} {'wall time':>12}  state")
        for job in Job.objects.order_by("pk"):
            began = time.perf_counter()
            run_queued(max_tasks=1)
            elapsed = time.perf_counter() - began
            job.refresh_from_db()
            print(f"{job.get_kind_display():<28} {job.total:>8} {elapsed:>10.1f} s  {job.get_status_display()} {job.outcome}")


if __name__ == "__main__":
    main()
