"""The CI proof of shared limits: two app servers (gunicorn, two workers each) against one
PostgreSQL and one Redis, as on two machines. A limit reached through one holds on the other:
django-axes' lock of one account (its attempts are rows in the shared database) and the
address throttle across accounts (a counter in the shared cache).

Runs in .ci/test-all's PostgreSQL pass, which also starts the throwaway Redis (SHUPING_TEST_REDIS_URL)."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import redis
from django.db import connection

from tests.config.helpers import ROOT, production_env
from tests.factories import PASSWORD, UserFactory

ACCOUNT_LOCKED = "该账号在本机连续登录失败次数过多"
ADDRESS_LOCKED = "从您所在的网络地址登录失败的次数过多"
ADDRESS_LIMIT = 8


def _database_url():
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def _unavailable(reason):
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"the two-instance proof cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


class Instance:
    def __init__(self, env, log_path):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        self.log_path = log_path
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "config/gunicorn.conf.py"],
            cwd=ROOT, env={**env, "GUNICORN_BIND": f"fd://{listener.fileno()}"}, stdout=self.log,
            stderr=subprocess.STDOUT, pass_fds=[listener.fileno()], start_new_session=True,
        )  # fmt: skip
        listener.close()  # requests wait in the backlog until gunicorn is up

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()


@pytest.fixture
def instances(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("two instances share one PostgreSQL: tested in the PostgreSQL run")
    redis_url = os.environ.get("SHUPING_TEST_REDIS_URL")
    if not redis_url:
        _unavailable("no SHUPING_TEST_REDIS_URL (.ci/test-all starts a throwaway Redis)")
    redis.Redis.from_url(redis_url).flushdb()
    env = production_env(
        DJANGO_SETTINGS_MODULE="tests.config.instance_settings",
        DATABASE_URL=_database_url(),
        REDIS_URL=redis_url,
        DJANGO_SECURE_SSL="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOGIN_ADDRESS_LIMIT=str(ADDRESS_LIMIT),
        DJANGO_CONN_MAX_AGE="0",
        GUNICORN_WORKERS="2",
        AXES_ENABLED="1",
    )
    pair = [Instance(env, tmp_path / f"gunicorn-{name}.log") for name in "ab"]
    yield pair
    for instance in pair:
        instance.stop()
    redis.Redis.from_url(redis_url).flushdb()


class Browser:
    """One person's browser: cookies (the CSRF cookie) kept across both instances."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def open(self, url, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        deadline = time.monotonic() + 60
        while True:
            try:
                with self.opener.open(url, body, timeout=60) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode()
            except (ConnectionError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def login(self, instance, username, password):
        status, page = self.open(instance.url + "/accounts/login/")
        assert status == 200, (status, instance.log_path.read_text()[-3000:])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
        return self.open(instance.url + "/accounts/login/", form)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_limit_reached_through_one_instance_holds_on_the_other(instances):
    a, b = instances
    UserFactory(username="wang")
    UserFactory(username="li")
    browser = Browser()

    # django-axes: five wrong passwords for one account, all through A...
    for _ in range(5):
        status, _ = browser.login(a, "wang", "wrong-password")
        assert status in (200, 429)
    # ...and B refuses even the right password: the attempts are shared.
    status, page = browser.login(b, "wang", PASSWORD)
    assert status == 429 and ACCOUNT_LOCKED in page

    # The address throttle (the shared cache): failures over many accounts, now through B, until B
    # stops that address...
    for number in range(ADDRESS_LIMIT + 1):
        status, page = browser.login(b, f"nobody{number}", "wrong-password")
        if ADDRESS_LOCKED in page:
            break
    assert status == 429 and ADDRESS_LOCKED in page
    # ...and A, which saw only five failures itself, stops it too, right password or not.
    status, page = browser.login(a, "li", PASSWORD)
    assert status == 429 and ADDRESS_LOCKED in page
    # Both instances really served (each wrote its own access log).
    for instance in instances:
        assert "POST /accounts/login/" in instance.log_path.read_text()
