"""体检 in a real browser: the secretary runs the check on the text being typed, sees the count on the
submit button, jumps to the finding's text, cannot submit while a blocking finding remains, and
sees the count follow the text once typing stops."""

from playwright.sync_api import expect

from reports.models import Report
from reports.services import cycle_set_blocking_check_kinds, report_save_draft
from tests.browser.confirmations import confirm_step
from tests.factories import build_world
from tests.reports.checks.helpers import GOOD_FIGURES as FIGURES
from tests.reports.checks.helpers import GOOD_PERFORMANCE, GOOD_PLANS, GOOD_PROBLEMS

PLANTED = "\n3.教育党员做到二个维护。"


def test_secretary_runs_the_check_and_sees_the_count_on_the_submit_button(page, login, live_url, transactional_db, console_errors):
    w = build_world()
    report = w.report_a
    report_save_draft(
        report=report,
        by=w.secretary_a,
        data={"performance": GOOD_PERFORMANCE, "problems": GOOD_PROBLEMS, "plans": GOOD_PLANS, **FIGURES},
        base_revision=report.revision,
    )
    cycle_set_blocking_check_kinds(cycle=w.cycle, kinds=["terminology"], by=w.admin)
    login(page, w.secretary_a)
    page.goto(live_url("reports:editor", report.pk))
    count = page.locator("#submit-check-count")
    expect(page.locator("#check-none")).to_be_visible()
    expect(count).to_be_hidden()

    # A planted error in the text being typed: found by the check, before anything is saved.
    page.locator("textarea[name=plans]").press("Control+End")
    page.locator("textarea[name=plans]").type(PLANTED)
    page.click("#check-button")
    expect(page.locator("#check-count")).to_have_text("1")
    expect(count).to_be_visible()
    expect(page.locator("#submit-button")).to_contain_text("体检 1 项")
    finding = page.locator("#check-findings .check-finding")
    expect(finding).to_have_count(1)
    expect(finding).to_contain_text("提法有误：“二个维护”应为“两个维护”。")
    expect(finding).to_contain_text("须解决")

    # 定位到原文 selects the finding's text in its box.
    finding.locator(".check-locate").click()
    selected = page.evaluate(
        "() => { const el = document.activeElement; return [el.name, el.value.substring(el.selectionStart, el.selectionEnd)]; }"
    )
    assert selected == ["plans", "二个维护"]

    # A blocking kind: the submission is refused with the reason, and the text stays.
    page.click("#submit-button")
    expect(page.locator("#submit-check-warning")).to_contain_text("须解决后才能提交")
    confirm_step(page, "submit")
    expect(page.locator("#check-blocked")).to_contain_text("组织部门要求提交前解决“提法”方面的体检问题")
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT
    assert page.input_value("textarea[name=plans]") == GOOD_PLANS + PLANTED

    # Fixed: a few seconds after typing stops the check runs by itself, clean, and the count goes.
    page.fill("textarea[name=plans]", GOOD_PLANS)
    expect(page.locator("#check-none")).to_be_visible(timeout=15_000)
    expect(count).to_be_hidden()
    assert console_errors == []
