"""The secretary's journeys in a real browser: import a whole report, edit with autosave, lose the
connection or the session without losing text, resolve a conflict between two tabs, submit once."""

import re

from playwright.sync_api import expect

from reports.models import Report, ReportVersion
from reports.seed_texts import seed_text
from tests.browser.confirmations import confirm_step
from tests.factories import build_world

REPORT_TEXT = seed_text("report-community-branch-2023.txt")  # a real report
SAVED = "已保存"
# The autosave waits 2 s after the last keystroke, then posts: more than expect()'s default 5 s on a busy machine.
SAVE_WAIT_MS = 15_000


def editor(page, live_url, report):
    page.goto(live_url("reports:editor", report.pk))
    expect(page.locator("#editor-form")).to_be_visible()


def saved_report(report):
    return Report.objects.get(pk=report.pk)


def real_errors(console_errors):
    # Offline on purpose: the aborted autosave requests are logged by Chromium as failed loads.
    return [e for e in console_errors if "Failed to load resource" not in e and "ERR_INTERNET_DISCONNECTED" not in e]


def test_secretary_imports_edits_keeps_text_offline_and_submits(page, login, live_url, transactional_db, console_errors):
    w = build_world()
    report = w.report_a
    login(page, w.secretary_a)
    editor(page, live_url, report)
    status = page.locator("#autosave-status")

    # Paste the whole report: previewed split into the sections, then saved as the draft.
    # Nothing written yet: the import is the first thing offered, open.
    expect(page.locator("section#import-panel textarea")).to_be_visible()
    page.fill("#import-form textarea", REPORT_TEXT)
    page.click("#import-button")
    expect(page.locator("#import-confirm-button")).to_be_visible()
    page.click("#import-confirm-button")
    page.wait_for_url(re.compile(r"/edit/$"))
    stored = saved_report(report)
    assert stored.status == Report.Status.DRAFT
    assert stored.performance.startswith("一、工作开展情况")
    assert stored.problems.startswith("二、存在问题")
    assert stored.plans.startswith("三、下一步工作计划")
    assert page.input_value("textarea[name=problems]") == stored.problems

    # Edit a section: autosaved, and still there after a reload.
    edited_plans = stored.plans + "\n四是加强党员教育管理。"
    page.fill("textarea[name=plans]", edited_plans)
    expect(status).to_contain_text(SAVED, timeout=SAVE_WAIT_MS)
    page.reload()
    assert page.input_value("textarea[name=plans]") == edited_plans
    assert saved_report(report).plans == edited_plans

    # The connection drops while typing: the text is kept in the browser and offered back.
    page.context.set_offline(True)
    offline_text = "二、存在问题及原因\n离线时写下的问题。"
    page.fill("textarea[name=problems]", offline_text)
    expect(page.locator("#offline-alert")).to_be_visible(timeout=SAVE_WAIT_MS)
    assert saved_report(report).problems != offline_text
    page.context.set_offline(False)
    page.reload()
    expect(page.locator("#restore-banner")).to_be_visible()
    page.click("#restore-accept")
    expect(status).to_contain_text(SAVED, timeout=SAVE_WAIT_MS)
    assert page.input_value("textarea[name=problems]") == offline_text
    assert saved_report(report).problems == offline_text

    # The session expires while typing: same protection, and the login link is offered.
    page.context.clear_cookies()
    expired_text = offline_text + "\n登录过期后补充的内容。"
    page.fill("textarea[name=problems]", expired_text)
    expect(page.locator("#offline-alert")).to_be_visible(timeout=SAVE_WAIT_MS)
    expect(page.locator("#offline-detail")).to_contain_text("登录可能已过期")
    expect(page.locator("#login-link")).to_be_visible()
    login(page, w.secretary_a)
    editor(page, live_url, report)
    expect(page.locator("#restore-banner")).to_be_visible()
    page.click("#restore-accept")
    expect(status).to_contain_text(SAVED, timeout=SAVE_WAIT_MS)
    assert saved_report(report).problems == expired_text

    # Submit: confirmed first, then the read-only page with version 1.
    page.click("#submit-button")
    confirm_step(page, "submit", says="不能再修改")
    page.wait_for_url(re.compile(rf"/report/{report.pk}/$"))
    expect(page.locator("#submitted-note")).to_be_visible()
    expect(page.locator(".alert-success").first).to_contain_text("第 1 版")
    assert page.locator("textarea").count() == 0
    stored = saved_report(report)
    assert stored.status == Report.Status.SUBMITTED
    assert list(stored.versions.values_list("number", "problems")) == [(1, expired_text)]
    assert real_errors(console_errors) == []


def test_two_tabs_conflict_is_shown_and_mine_is_kept_and_double_submit_makes_one_version(
    page, login, live_url, transactional_db, console_errors
):
    w = build_world()
    report = w.report_a
    login(page, w.secretary_a)
    editor(page, live_url, report)
    other = page.context.new_page()
    editor(other, live_url, report)

    # The first tab saves; the second tab, still on the old revision, saves over it → conflict.
    page.fill("textarea[name=performance]", "一、工作开展情况\n第一个窗口的内容。")
    expect(page.locator("#autosave-status")).to_contain_text(SAVED, timeout=SAVE_WAIT_MS)
    other.fill("textarea[name=performance]", "一、工作开展情况\n第二个窗口的内容。")
    expect(other.locator("#conflict-panel")).to_be_visible(timeout=SAVE_WAIT_MS)
    assert other.locator("#conflict-sections .conflict-section").count() == 1
    assert other.locator(".conflict-section").get_attribute("data-field") == "performance"
    assert other.input_value("#conflict-performance-server-text") == "一、工作开展情况\n第一个窗口的内容。"
    assert other.input_value("#conflict-performance-mine-text") == "一、工作开展情况\n第二个窗口的内容。"
    # Nothing was overwritten silently: the server still has the first tab's text.
    assert saved_report(report).performance == "一、工作开展情况\n第一个窗口的内容。"

    other.check("#conflict-performance-mine")
    other.click("#conflict-apply")
    expect(other.locator("#conflict-panel")).to_be_hidden()
    expect(other.locator("#autosave-status")).to_contain_text(SAVED, timeout=SAVE_WAIT_MS)
    assert saved_report(report).performance == "一、工作开展情况\n第二个窗口的内容。"

    # Fill the rest and double-click submit: exactly one version.
    other.fill("textarea[name=problems]", "二、存在问题\n学习不够深入。")
    other.fill("textarea[name=plans]", "三、下一步打算\n抓好党员教育。")
    other.click("#submit-button")
    expect(other.locator("#confirm-submit")).to_be_visible()
    other.check("#confirm-box")
    other.dblclick("#confirm-submit-button")
    other.wait_for_url(re.compile(rf"/report/{report.pk}/$"))
    expect(other.locator(".alert-success").first).to_contain_text("第 1 版")
    assert ReportVersion.objects.filter(report=report).count() == 1

    other.close()
    assert real_errors(console_errors) == []
