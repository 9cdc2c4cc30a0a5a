"""/healthz for load balancers, docker-compose and monitoring: is the database reachable, is the
shared cache? JSON, 200 when both answer, 503 otherwise. No login, no details an attacker could
use (no versions, hosts or error texts: those go to the log), and cheap: one SELECT, one cache read."""

import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache():
    # A read only (a GET writes nothing): a miss is fine, an unreachable cache raises.
    cache.get("healthz")
    return True


CHECKS = {"database": _database, "cache": _cache}


def health_checks():
    """{name: True/False} for each check; a failure is logged with its reason."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = bool(check())
        except Exception:
            logger.exception("health check %s failed", name)
            results[name] = False
    return results


@never_cache
@require_safe
def healthz(request):
    results = health_checks()
    healthy = all(results.values())
    body = {"status": "ok" if healthy else "error", "checks": {name: "ok" if ok else "error" for name, ok in results.items()}}
    return JsonResponse(body, status=200 if healthy else 503)
