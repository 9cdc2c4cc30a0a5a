"""A large roster import in a real browser: the administrator previews and confirms it, the
progress page follows the background worker, then the result page shows the initial passwords
(opened with this browser's key) once, and they work."""

import re

from playwright.sync_api import expect

from branches.models import Organization, User
from jobs.models import Job
from tests.branches.roster_helpers import branches_rows, roster_bytes
from tests.factories import build_world


def test_a_large_roster_is_imported_in_the_background_then_its_passwords_shown_once(
    page, login, live_url, transactional_db, console_errors, task_worker, settings, tmp_path
):
    w = build_world()
    settings.JOBS_ROSTER_IN_REQUEST = 3  # 6 new accounts: in the background
    roster = tmp_path / "名册.xlsx"
    roster.write_bytes(roster_bytes(branches_rows("测试街道党工委", 6)))
    login(page, w.admin)
    page.goto(live_url("branches:roster"))
    page.locator("#roster-upload input[type=file]").set_input_files(str(roster))
    page.locator("#roster-upload button[type=submit]").click()
    page.locator("#roster-apply button[type=submit]").click()

    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    job = Job.objects.get(kind=Job.Kind.ROSTER)
    expect(page.locator("#job-status")).to_have_text("排队中")
    assert not Organization.objects.filter(name__startswith="新建").exists()
    task_worker.start()
    expect(page.locator("#job-result")).to_be_visible(timeout=60_000)
    expect(page.locator("#job-status")).to_have_text("已完成")
    expect(page.locator("#job-count")).to_have_text("：12 / 12")
    expect(page.locator("#job-outcome")).to_contain_text("新建6个账号")
    task_worker.stop()

    page.locator("#job-result").click()
    page.wait_for_url(live_url("jobs:roster_passwords", job.pk))
    rows = page.locator("#initial-passwords tbody tr")
    expect(rows).to_have_count(6)
    username = rows.first.locator("td").nth(1).inner_text()
    password = rows.first.locator("code.initial-password").inner_text()
    assert User.objects.get(username=username).check_password(password)

    page.goto(live_url("branches:roster"))  # leaving the page forgets them
    page.goto(live_url("jobs:roster_passwords", job.pk))
    expect(page.locator("#no-passwords")).to_be_visible()
    assert console_errors == []
