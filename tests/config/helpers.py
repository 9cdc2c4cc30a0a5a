"""Running the project's commands the way a production server would."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_env(**overrides):
    """The process environment of a production server, without the developer's DJANGO_* variables."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "AXES_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_DEBUG="0",
        DJANGO_SECURE_SSL="1",
        DJANGO_ALLOWED_HOSTS="shuping.example.gov.cn",
    )
    env.update(overrides)
    return env


def attempt_login(client, username, password, **extra):
    from django.urls import reverse

    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def run(args, env):
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def manage(*args, env):
    return run([sys.executable, "manage.py", *args], env)
