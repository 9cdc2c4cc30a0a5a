"""Shuping settings. Every deployment-specific value comes from the environment.

Defaults are safe for production (DEBUG off, secure cookies) except the secret key,
which falls back to a development key that `check --deploy` rejects.
"""

import os
from pathlib import Path

import dj_database_url
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name, default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "django-insecure-development-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "config.apps.SuperuserAdminConfig",  # Django's admin, superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "branches",
    "reports",
    "reviews",
    "jobs",
]

MIDDLEWARE = [
    "config.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "branches.middleware.FirstLoginPasswordChangeMiddleware",
    "branches.middleware.RosterPasswordsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "branches.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        # A persistent connection dropped by a database restart is replaced, not reused.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent autosaves and votes: wait for the write lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})

AUTH_USER_MODEL = "branches.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        # Our users have a name and a phone number (a favourite weak password) besides the username.
        "OPTIONS": {"user_attributes": ["username", "name", "phone", "email"]},
    },
    {"NAME": "config.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:home"
LOGOUT_REDIRECT_URL = "login"

# Failed-login throttling: 5 failures per username and address lock for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Attempts and locks are rows in the database every process and instance shares (axes' default,
# stated because it matters: never a per-process handler). Proven across two app servers by
# tests/config/test_two_instances.py.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Password spraying (one password over many accounts): failed logins from one address, whatever
# the usernames, within 15 minutes; then that address waits (branches/throttles.py). Higher than
# the per-account limit: a whole office behind one address logs in at a meeting's start.
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_ADDRESS_LIMIT", "30"))
# Phone check-ins (签到) from one address within 10 minutes (reviews/meeting/views.py): against a
# script; raise it where a whole room reaches the server through one NAT address.
MEETING_CHECKIN_ADDRESS_LIMIT = int(os.environ.get("DJANGO_CHECKIN_ADDRESS_LIMIT", "30"))

# Password reset by e-mail exists only where mail really goes out: DJANGO_PASSWORD_RESET=1/0
# decides; unset, it is on when DJANGO_EMAIL_BACKEND is the SMTP backend (the default console
# backend sends nothing). Off, its pages answer 404 and the login page shows no link.
# Per hour: reset requests from one address, mails to one account.
PASSWORD_RESET_ADDRESS_LIMIT = 5
PASSWORD_RESET_ACCOUNT_LIMIT = 3

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGES = [("zh-hans", "简体中文")]
# Django's stock messages that users meet (login, passwords, form fields) in the app's voice, with 您.
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

# 报告体检: a directory of extra dictionary files (same names as reports/checks/data/*.txt) whose
# lines are added to the built-in ones; empty: the built-in dictionaries only.
REPORT_CHECK_DICTIONARY_DIR = os.environ.get("SHUPING_CHECK_DICTIONARY_DIR", "")
# `make run` shows what users see (DEBUG off: the Chinese error pages) while serving static files
# straight from static/ (no collectstatic): DJANGO_STATIC_FROM_SOURCE=1.
STATIC_FROM_SOURCE = DEBUG or env_bool("DJANGO_STATIC_FROM_SOURCE", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if STATIC_FROM_SOURCE
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = STATIC_FROM_SOURCE
WHITENOISE_AUTOREFRESH = STATIC_FROM_SOURCE
# favicon.ico and robots.txt, served at the site root.
WHITENOISE_ROOT = BASE_DIR / "public"
# Source maps are only read by developer tools; compressing them took a third of collectstatic.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Sessions last a working day; an expired session never loses a draft because the
# editor keeps unsaved text in the browser (see static/js/autosave.js).
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_AGE", str(8 * 3600)))
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the editor's script reads the token for autosave
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# HTTPS-only settings are on unless DEBUG, or DJANGO_SECURE_SSL=0 for a local
# production-like run over plain http (make serve).
SECURE_SSL = env_bool("DJANGO_SECURE_SSL", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL and env_bool("DJANGO_SSL_REDIRECT", True)
# Health checks come over plain http from inside (docker-compose, a load balancer).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000" if SECURE_SSL else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
# Behind one reverse proxy that terminates TLS (README 部署): trust its X-Forwarded-Proto,
# and throttle logins by the client address it appends, not by the proxy's own address.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_CLIENT_IP_CALLABLE = "config.proxy.client_ip"

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "shuping@localhost")
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)
PASSWORD_RESET_ENABLED = env_bool("DJANGO_PASSWORD_RESET", EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend")

# One cache shared by every process and instance: throttles and limits that must agree between
# gunicorn workers (the ballot's wrong-code limit, login and password-reset throttles) live here.
# Django's database cache by default (nothing to install; the table is made by `migrate`),
# Redis when REDIS_URL is set (django-redis).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "shuping",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "shuping_cache",
            "KEY_PREFIX": "shuping",
        }
    }

# Background work (jobs/): django-tasks with its database backend — the queue is a table, no broker
# to install; `manage.py jobs_worker` runs the tasks (started by `make run`, docker-compose's worker).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A running job without progress for this long is taken for dead (its worker killed) and run again.
JOBS_STALE_AFTER = int(os.environ.get("SHUPING_JOBS_STALE_AFTER", "300"))
# Finished jobs and their files are deleted after this many days (the worker does it).
JOBS_KEEP_DAYS = 7
# Mass reminders to at most this many secretaries are sent within the request; more in the background.
JOBS_REMINDERS_IN_REQUEST = 100
# A roster import creating at most this many accounts runs in the request (one batch of hashing).
JOBS_ROSTER_IN_REQUEST = 100

# Report upload (.docx import) limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Log lines as JSON objects (one per line) in production, plain text under DEBUG; DJANGO_LOG_FORMAT
# (json/text) decides. Every line names its request (config/request_id.py).
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Ballot codes in logged paths (/vote/<code>/) become /vote/[code]/ (config/logging_filters.py):
    # at the source (django.request logs every 4xx path, django.server every request) and in the handler.
    "filters": {
        "ballot_codes": {"()": "config.logging_filters.RedactBallotCodes"},
        "request_id": {"()": "config.request_id.RequestIdFilter"},
    },
    "formatters": {
        "json": {"()": "config.request_id.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["ballot_codes", "request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "loggers": {
        "django.request": {"filters": ["ballot_codes"]},
        "django.server": {"handlers": ["console"], "filters": ["ballot_codes"], "level": "INFO", "propagate": False},
        # The background worker says which job it starts and ends.
        "django_tasks": {"level": "INFO"},
        "django_tasks_db": {"level": "INFO"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
