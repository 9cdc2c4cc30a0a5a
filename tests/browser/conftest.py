"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

Fixtures for journeys:
    page                   a fresh page (own browser context: no cookies shared between tests)
    live_url(path_or_name, *args, **kwargs) -> absolute URL ("/accounts/login/" or "reports:home")
    login(page, user, password=PASSWORD)    log in through the real login form
    page_requests          every URL the page requested, in order
    console_errors         console errors and uncaught exceptions of the page (CSP violations show here)
    task_worker            the background worker (jobs): task_worker.start() lets queued jobs run

Every test in this folder is marked `browser` (deselect with `-m "not browser"`). On failure
a screenshot, the page's HTML and its console are saved under test-artifacts/browser/<test name>/.
"""

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from django.db import connections
from django.test import override_settings
from django.urls import reverse

from tests.factories import PASSWORD
from tests.jobs.helpers import make_worker

# While Playwright runs, its sync API keeps an asyncio event loop in this thread, which makes Django
# refuse ORM calls (SynchronousOnlyOperation) in the tests and the live server.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("SHUPING_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason):
    # A CI run must never pass because the browser tests silently did not run.
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"Browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


# Package scope: Playwright's event loop stops after the last browser test, so later tests
# (and anything else that starts Playwright) run without it.
@pytest.fixture(scope="package")
def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _unavailable(f"the Python package playwright is not installed ({error}); run `make setup-test`")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def browser(_playwright):
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing; install Debian's chromium package (`make setup-test`)")
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def live_server(_no_ssl_redirect, live_server):
    return live_server


@pytest.fixture(scope="session")
def _no_ssl_redirect():
    # The live server is plain http. Its SecurityMiddleware reads SECURE_SSL_REDIRECT once,
    # when the session-wide server starts, so a per-test override would come too late.
    # (tests/conftest.py turns the redirect off for every test anyway.)
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture
def _plain_http(settings):
    # Cookies as `make serve` sends them over http (DJANGO_SECURE_SSL=0).
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def live_url(live_server):
    """live_url("/accounts/login/") or live_url("reports:editor", report.pk) -> absolute URL."""

    def build(path_or_name, *args, **kwargs):
        path = path_or_name if path_or_name.startswith("/") else reverse(path_or_name, args=args, kwargs=kwargs)
        return live_server.url + path

    return build


@pytest.fixture
def page_requests():
    return []


@pytest.fixture
def console_errors():
    return []


@pytest.fixture
def page(browser, live_server, _plain_http, page_requests, console_errors):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()

    def on_console(message):
        if message.type == "error":
            console_errors.append(f"console: {message.text} ({message.location['url']})")

    page.on("request", lambda request: page_requests.append(request.url))
    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    yield page
    context.close()


@pytest.fixture
def login(live_url):
    """login(page, user) logs in through the real form and returns the page on the landing page."""

    def log_in(page, user, password=PASSWORD):
        login_url = live_url("login")
        page.goto(login_url)
        page.fill("input[name=username]", user.get_username())
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("form button[type=submit]")
        if page.url.split("?")[0] == login_url:
            errors = page.locator(".alert-danger, .invalid-feedback").all_inner_texts()
            raise AssertionError(f"Login as {user.get_username()} failed: {' '.join(errors) or page.url}")
        return page

    return log_in


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        page = item.funcargs.get("page")
        if page is not None and not page.is_closed():
            report.sections.append(("browser artifacts", str(_save_artifacts(item, page))))
    return report


def _save_artifacts(item, page):
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", item.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "url.txt").write_text(page.url + "\n", encoding="utf-8")
    (folder / "console.txt").write_text("\n".join(item.funcargs.get("console_errors", [])) + "\n", encoding="utf-8")
    try:
        (folder / "page.html").write_text(page.content(), encoding="utf-8")
        page.screenshot(path=str(folder / "screenshot.png"), full_page=True)
    except Exception as error:  # a crashed page must not hide the test's own failure
        (folder / "error.txt").write_text(f"{error!r}\n", encoding="utf-8")
    return folder


class TaskWorker:
    """django-tasks' database worker (what `manage.py jobs_worker` runs) in a thread of this
    process, beside the live server. On the in-memory SQLite test database it uses the live
    server's shared connection (as the server thread does); on PostgreSQL its own."""

    def __init__(self, live_server):
        self.overrides = live_server.thread.connections_override
        self.worker = self.thread = self.error = None

    def start(self):
        self.worker = make_worker(batch=False, interval=0.2, worker_id="browser-test")
        self.thread = threading.Thread(target=self._run, name="task-worker", daemon=True)
        self.thread.start()

    def _run(self):
        for alias, connection in self.overrides.items():
            connections[alias] = connection
        try:
            self.worker.run()
        except BaseException as error:  # reported by stop()
            self.error = error
        finally:
            if not self.overrides:
                connections.close_all()

    def stop(self):
        if self.thread is None:
            return
        self.worker.running = False
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), "the task worker did not stop"
        assert self.error is None, f"the task worker failed: {self.error!r}"
        self.thread = None


@pytest.fixture
def task_worker(live_server):
    """A background worker for jobs: `task_worker.start()` when the test wants tasks to run,
    `task_worker.stop()` before pages that do not wait for one (stopped at the end anyway)."""
    worker = TaskWorker(live_server)
    yield worker
    worker.stop()
