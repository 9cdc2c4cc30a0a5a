"""The background worker: `python manage.py jobs_worker` (started by `make run` and by
docker-compose's `worker` service; run as many as you like, on as many machines as you like).

django-tasks' own `db_worker` runs the queue; before it starts and then every minute, jobs whose
worker died mid-task (killed, machine restarted) are queued again (jobs.services.jobs_requeue_stale),
and finished jobs older than a week go with their files (jobs_prune).
Options are db_worker's (e.g. --batch to run what is queued and stop)."""

import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from jobs.services import jobs_prune, jobs_requeue_stale

RECOVER_EVERY = 60  # seconds
logger = logging.getLogger(__name__)


def _recover_forever(stop):
    while not stop.wait(RECOVER_EVERY):
        try:
            jobs_requeue_stale()
            jobs_prune()
        except Exception:  # a database hiccup must not kill the thread; the next round retries
            logger.exception("requeueing stale jobs failed")
        finally:
            connection.close()


class Command(BaseCommand):
    help = "运行后台任务（年度文件打包、结果汇总、批量提醒等）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="运行完队列中的任务后退出")
        parser.add_argument("--interval", type=float, default=1, help="队列为空时每隔几秒查看一次（默认 1）")
        parser.add_argument("--reload", action="store_true", help="代码改动时重新启动（开发用）")

    def handle(self, *args, batch=False, interval=1, reload=False, **options):
        recovered = jobs_requeue_stale()
        if recovered:
            self.stdout.write(f"重新排队 {recovered} 个中断的后台任务")
        stop = threading.Event()
        if not batch:
            threading.Thread(target=_recover_forever, args=(stop,), daemon=True, name="jobs-recover").start()
        try:
            call_command(
                "db_worker",
                batch=batch,
                interval=interval,
                reload=reload,
                verbosity=options["verbosity"],
                stdout=self.stdout,
                stderr=self.stderr,
            )
        finally:
            stop.set()
