"""A paste over the server's 5 MB limit (issue 12): the editor's autosave says so in Chinese
and the text stays in the page."""

from playwright.sync_api import expect

from reports.models import Report
from tests.factories import build_world

SAVE_WAIT_MS = 30_000


def test_autosave_of_a_6_mb_paste_says_too_big_and_keeps_the_text(page, login, live_url, transactional_db, console_errors):
    w = build_world()
    login(page, w.secretary_a)
    page.goto(live_url("reports:editor", w.report_a.pk))
    huge = "党建" + "a" * (6 * 1024 * 1024)
    page.fill("textarea[name=performance]", huge)
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("超过 5 MB 的上限", timeout=SAVE_WAIT_MS)
    expect(status).to_contain_text("没有丢失")
    assert page.eval_on_selector("textarea[name=performance]", "el => el.value.length") == len(huge)
    assert Report.objects.get(pk=w.report_a.pk).performance == ""
