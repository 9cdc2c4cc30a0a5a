"""`make run` shows what users see: DEBUG off, so a wrong address gets the Chinese 404 page and
never Django's yellow debug page, while static files are still served. The test runs the very
command `make -n run` prints."""

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@pytest.fixture
def make_run_server(tmp_path):
    port = free_port()
    printed = subprocess.run(
        ["make", "-n", "run", "HOST=127.0.0.1", f"PORT={port}"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    command = next(line for line in printed if "runserver" in line)
    assert "DJANGO_DEBUG=1" not in command
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}"}
    for name in ("DJANGO_DEBUG", "DJANGO_SECURE_SSL", "DJANGO_STATIC_FROM_SOURCE", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    # --noreload: one process to stop; the rest is exactly what `make run` runs.
    process = subprocess.Popen(
        ["bash", "-c", command.replace("runserver", "runserver --noreload")],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"make run's server stopped: {process.stderr.read().decode()}")
                time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=10)


def test_make_run_shows_the_chinese_404_and_serves_static_files(make_run_server):
    status, page = get(make_run_server + "/no-such-page/")
    assert status == 404
    assert "页面不存在，或您无权查看。" in page and '<html lang="zh-hans">' in page
    assert "DEBUG = True" not in page and "URLconf" not in page and "Page not found" not in page
    for path in ("/static/css/shuping.css", "/static/vendor/bootstrap/bootstrap.min.css"):
        status, body = get(make_run_server + path)
        assert status == 200 and body
    # Pages link the files under their plain names: no collectstatic manifest is needed.
    status, page = get(make_run_server + "/accounts/login/")
    assert status == 200 and 'href="/static/css/shuping.css"' in page
