"""`python manage.py healthcheck`: the checks of /healthz (database, shared cache) from a process
that serves no HTTP — docker-compose's health check of the worker. Exit 1 if one fails."""

import json

from django.core.management.base import BaseCommand, CommandError

from config.health import health_checks


class Command(BaseCommand):
    help = "检查数据库和共享缓存是否可用（与 /healthz 相同）。"

    def handle(self, *args, **options):
        results = health_checks()
        self.stdout.write(json.dumps({name: "ok" if ok else "error" for name, ok in results.items()}))
        if not all(results.values()):
            raise CommandError("health check failed")
