"""Deployment files: `check --deploy`, docker compose, Dockerfile, .env.example, gunicorn and `make serve`."""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
import yaml
from django.db import connection

from tests.config.helpers import ROOT, manage, production_env, run

GUNICORN = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "config/gunicorn.conf.py"]


def test_check_deploy_reports_no_issues_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_rejects_the_development_defaults():
    # The counter-test: without a secret key and with DEBUG on, the deploy check must fail.
    env = production_env(DJANGO_DEBUG="1")
    del env["DJANGO_SECRET_KEY"]

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout  # weak SECRET_KEY
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on


def read(name):
    return (ROOT / name).read_text(encoding="utf-8")


def test_docker_compose_runs_postgres_and_the_app_with_migrations_then_gunicorn():
    compose = yaml.safe_load(read("docker-compose.yml"))

    db, web = compose["services"]["db"], compose["services"]["web"]
    assert db["image"] == "postgres:15"
    assert "db-data:/var/lib/postgresql/data" in db["volumes"]
    assert "db-data" in compose["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert web["build"] == "."
    assert web["env_file"] in (".env", [".env"])
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    command = " ".join(web["command"])
    assert re.search(r"manage\.py migrate --noinput && exec gunicorn -c config/gunicorn\.conf\.py", command)
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in web["environment"]["DATABASE_URL"]
    # Published on the host's loopback only: the TLS proxy in front is the way in.
    assert all(port.startswith("127.0.0.1:") for port in web["ports"])


def makefile_list(name):
    match = re.search(rf"^{name} := (.+)$", read("Makefile"), re.MULTILINE)
    return match.group(1).split()


def test_dockerfile_builds_a_non_root_gunicorn_image_with_the_system_packages():
    dockerfile = read("Dockerfile")

    assert re.search(r"^FROM python:3\.11-slim-bookworm$", dockerfile, re.MULTILINE)
    install = re.search(r"apt-get install[^&]+", dockerfile).group(0)
    assert set(makefile_list("SYSTEM_PACKAGES")) <= set(install.split())
    assert "pip install -r requirements.txt" in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    user = re.findall(r"^USER (\S+)$", dockerfile, re.MULTILINE)
    assert user and user[-1] not in ("root", "0")
    assert 'CMD ["gunicorn", "-c", "config/gunicorn.conf.py"]' in dockerfile
    ignored = read(".dockerignore").split()
    assert {".git", ".venv", ".env", "db.sqlite3*", "var/"} <= set(ignored)


ENV_READ = re.compile(r"""(?:env_bool|env_list|os\.environ\.get)\(\s*"([A-Z0-9_]+)"|env="([A-Z0-9_]+)\"""")


def test_env_example_documents_every_variable_the_app_and_compose_read():
    read_by_app = {
        name
        for source in ("config/settings.py", "config/gunicorn.conf.py")
        for name in (a or b for a, b in ENV_READ.findall(read(source)))
    }
    read_by_compose = set(re.findall(r"\$\{([A-Z0-9_]+)", read("docker-compose.yml")))
    documented = set(re.findall(r"^#? ?([A-Z0-9_]+)=", read(".env.example"), re.MULTILINE))

    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_HSTS_SECONDS", "GUNICORN_BIND"} <= read_by_app
    assert read_by_app - documented == set()
    assert read_by_compose - documented == set()


def test_gunicorn_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]

    result = run([*GUNICORN, "--check-config"], env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stdout + result.stderr


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8", "replace")


@pytest.fixture
def served(tmp_path):
    """`make serve`'s script on a socket bound here, with its own SQLite database and static folder.

    It does not use the test database, so it runs in the SQLite pass of .ci/test-all only.

    gunicorn inherits the listening socket (fd://), so requests wait in its backlog until the
    server is up, and fail at once if the script dies (the last copy of the socket closes).
    """
    if connection.vendor != "sqlite":
        pytest.skip("make serve uses its own SQLite database; tested in the SQLite run")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        SHUPING_SECRET_KEY_FILE=str(tmp_path / "var" / "secret-key"),
        GUNICORN_BIND=f"fd://{listener.fileno()}",
        GUNICORN_WORKERS="1",
    )
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        ["bash", ".ci/serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        pass_fds=[listener.fileno()], start_new_session=True,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
    yield base_url, tmp_path
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)
    log.close()


def test_make_serve_runs_the_production_setup_under_gunicorn(served):
    base_url, folder = served

    status, headers, page = fetch(base_url + "/accounts/login/")

    log = (folder / "serve.log").read_text()
    assert status == 200, log
    assert "Content-Security-Policy" in headers
    assert "Strict-Transport-Security" not in headers  # plain http
    csrf_cookie = headers["Set-Cookie"]
    assert "csrftoken=" in csrf_cookie and "Secure" not in csrf_cookie
    # Static files were collected with hashed names (DEBUG off) and WhiteNoise serves them for a year.
    css = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', page)
    assert css, page
    status, headers, _ = fetch(base_url + css.group(1))
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "max-age=315360000" in headers["Cache-Control"]
    assert fetch(base_url + "/favicon.ico")[0] == 200
    assert "Disallow: /" in fetch(base_url + "/robots.txt")[2]
    # DEBUG is off: an unknown page is the site's own 404, not Django's technical page.
    status, _, missing = fetch(base_url + "/no-such-page/")
    assert status == 404
    assert "URLconf" not in missing
    key_file = folder / "var" / "secret-key"
    assert len(key_file.read_text().strip()) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "Booting worker" in (folder / "serve.log").read_text()
    # The background worker runs beside gunicorn (its start, as a JSON log line).
    started = '"logger": "django_tasks_db", "request_id": "-", "message": "Starting worker'
    for _ in range(100):
        if started in (folder / "serve.log").read_text():
            break
        time.sleep(0.2)
    assert started in (folder / "serve.log").read_text()


def test_docker_compose_runs_redis_and_the_worker_with_health_checks():
    compose = yaml.safe_load(read("docker-compose.yml"))
    services = compose["services"]
    redis, web, worker = services["redis"], services["web"], services["worker"]
    assert redis["image"].startswith("redis:") and "redis-cli" in redis["healthcheck"]["test"]
    for app in (web, worker):
        assert app["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert app["environment"]["DATABASE_URL"].startswith("postgres://") and app["image"] == "shuping:latest"
        assert "media:/app/media" in app["volumes"]  # the worker writes the files the web serves
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(web["healthcheck"]["test"])
    assert worker["command"] == ["python", "manage.py", "jobs_worker"]
    # Migrations run in web: the worker starts once web is healthy.
    assert worker["depends_on"]["web"]["condition"] == "service_healthy"
    assert worker["healthcheck"]["test"] == ["CMD", "python", "manage.py", "healthcheck"]
