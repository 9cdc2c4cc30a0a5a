"""The rectification journey in a real browser: the secretary fills the plan for last year's
problems, the administrator approves, the secretary reports progress with an attachment and
asks for 销号, the administrator confirms and exports the ledger, and next year's report
starts from it."""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import RectificationEvidence, RectificationItem, RectificationPlan
from tests.browser.confirmations import confirm_step
from tests.factories import build_world
from tests.reviews.rectification.scenes import build_next_year, build_published

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def scene(transactional_db):
    return build_next_year(build_published(build_world()))


def switch_user(page, login, user):
    page.context.clear_cookies()
    login(page, user)


def test_secretary_and_administrator_take_a_problem_list_through_the_year(page, login, live_url, scene, console_errors):
    w = scene
    items = list(w.plan_a.items.order_by("order", "id"))

    # The secretary finds last year's problem list from the home page and fills the plan.
    login(page, w.secretary_a)
    page.click("#rectification-link")
    page.get_by_role("link", name=re.compile("年度述职评议指出的问题")).click()
    for number, item in enumerate(items):
        page.fill(f"#measures_{item.pk}", f"第{number + 1}项整改措施：建立台账，每月检查")
        page.fill(f"#owner_{item.pk}", "王书记")
        page.fill(f"#deadline_{item.pk}", "2026-06-30")
    with page.expect_navigation():
        page.click("#plan-submit")
    expect(page.locator("#plan-waiting")).to_be_visible()
    assert RectificationPlan.objects.get(pk=w.plan_a.pk).status == RectificationPlan.Status.SUBMITTED

    # The administrator approves it.
    switch_user(page, login, w.admin)
    page.goto(live_url("reviews:rectification_plan", w.plan_a.pk))
    with page.expect_navigation():
        page.click("#plan-approve")
    confirm_step(page, "approve", says="书记不能再修改整改措施")
    expect(page.locator(".rectification-plan-status")).to_have_text("整改清单已通过")

    # The secretary reports progress with an attachment and asks for 销号.
    switch_user(page, login, w.secretary_a)
    item = items[0]
    page.goto(live_url("reviews:rectification_item", item.pk))
    page.fill("#progress-text", "已统一使用组织生活记录本，补录全部记录")
    page.set_input_files("#progress-files", files=[{"name": "记录本.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.check("#request-completion")
    with page.expect_navigation():
        page.click("#progress-submit")
    expect(page.locator(".evidence-link")).to_have_text("记录本.pdf")
    expect(page.locator("#completion-requested")).to_be_visible()
    assert RectificationEvidence.objects.filter(item=item).count() == 1

    # The administrator confirms it and exports the ledger.
    switch_user(page, login, w.admin)
    page.goto(live_url("reviews:rectification_item", item.pk))
    with page.expect_navigation():
        page.click("#item-confirm")
    confirm_step(page, "item-confirm", says="标记为“已完成”")
    expect(page.locator("#item-state .rectification-state")).to_have_text("已完成")
    assert RectificationItem.objects.get(pk=item.pk).status == RectificationItem.Status.COMPLETED
    page.goto(live_url("reviews:results", w.cycle.pk))
    page.click("#tab-rectification")
    expect(page.locator("#count-completed")).to_have_text("1")
    with page.expect_download() as download:
        page.click("#ledger-xlsx")
    assert download.value.suggested_filename.endswith("整改台账.xlsx")

    # Next year the secretary's report starts from last year's problems.
    switch_user(page, login, w.secretary_a)
    page.goto(live_url("reports:home"))
    page.click(f"#start-{w.next_report_a.pk}")
    page.wait_for_url(live_url("reports:editor", w.next_report_a.pk))
    text = page.input_value("#id_rectification")
    assert items[1].text in text and "整改状态为已完成" in text
    assert console_errors == []
