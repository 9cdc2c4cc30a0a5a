"""Running a concurrent scene (threads, each with its own connection) on the test database.

On PostgreSQL row locks serialise the threads, so the scene runs in the test process. The SQLite
test database is in memory with a shared cache, where a second writer fails at once instead of
waiting (a quirk of shared-cache mode, not of the product); there the scene runs in a child process
against a database file, as in production.
"""

import os
import subprocess
import sys
from importlib import import_module
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
DONE = "scene finished"

CHILD = """
import django
django.setup()
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
from django.core.management import call_command
call_command("migrate", verbosity=0)
from importlib import import_module
getattr(import_module({module!r}), {name!r})()
print({done!r})
"""


def run_scene(scene, *, tmp_path, timeout=300):
    """Run `scene` (a module-level function that builds its data and asserts) once, as above."""
    if connection.vendor != "sqlite":
        scene()
        return
    assert getattr(import_module(scene.__module__), scene.__name__) is scene, "the scene must be module-level"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'concurrent.sqlite3'}",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    }
    code = CHILD.format(module=scene.__module__, name=scene.__name__, done=DONE)
    child = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert child.returncode == 0, child.stderr[-3000:]
    assert DONE in child.stdout
