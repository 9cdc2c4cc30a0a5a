"""Run what is queued, as the worker (`manage.py jobs_worker`) would: django-tasks' own
database worker, in this process, until the queue is empty."""

from unittest import mock

from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def make_worker(**options):
    return Worker(
        queue_names=["default"],
        interval=options.pop("interval", 0),
        batch=options.pop("batch", True),
        backend_name="default",
        startup_delay=False,
        max_tasks=options.pop("max_tasks", None),
        worker_id=options.pop("worker_id", "test-worker"),
        excluded_queue_names=[],
    )


def run_queued(**options):
    """Run every ready task; returns how many ran.

    Inside a test's transaction (the `db` fixture) the worker's between-tasks connection check
    would close the connection (it is not in autocommit, as a real worker's is): skipped here."""
    before = DBTaskResult.objects.exclude(status="READY").count()
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        make_worker(**options).run()
    return DBTaskResult.objects.exclude(status="READY").count() - before
