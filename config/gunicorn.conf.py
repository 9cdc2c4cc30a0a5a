"""Gunicorn settings, the same for Docker (docker-compose.yml) and `make serve`.

Every value can be changed from the environment; see .env.example.
"""

import multiprocessing
import os

if not os.environ.get("DJANGO_SECRET_KEY"):
    # Never serve with the development key that settings.py falls back to.
    raise SystemExit("DJANGO_SECRET_KEY is not set: see .env.example (or use `make serve`).")

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").split(",")
# Sync workers: requests are short except PDF/Excel exports, which the timeout allows for.
workers = int(os.environ.get("GUNICORN_WORKERS", str(min(2 * multiprocessing.cpu_count() + 1, 9))))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so memory from large PDF renderings is given back.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
# Heartbeat files in memory rather than on a container's overlay filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
# gunicorn's usual line plus the request id the app returns (config/request_id.py), to find the
# app's own lines of that request.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
# Ballot codes never reach the access log (see config/gunicorn_logging.py).
logger_class = "config.gunicorn_logging.RedactingLogger"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Which front ends may set X-Forwarded-*; gunicorn also reads FORWARDED_ALLOW_IPS itself.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
