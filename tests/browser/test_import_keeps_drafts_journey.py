"""The secretary who already drafted 上年度问题整改情况 imports the report written in Word: the
preview asks what to do with the draft, nothing is lost, and the PDF comes from the editor."""

import re

from playwright.sync_api import expect

from reports.models import Report
from reports.seed_texts import seed_text
from tests.browser.test_accessibility import axe_violations
from tests.factories import build_world
from tests.reports.conftest import fill

REPORT_TEXT = seed_text("report-community-branch-2023.txt")
RECTIFICATION = "针对上年度述职评议指出的“组织生活不规范”问题，已建立台账，整改3项。"


def test_import_keeps_the_drafted_rectification_and_asks_about_a_drafted_part(page, login, live_url, transactional_db):
    w = build_world()
    # 撰写 drafted 上年度问题整改情况 (from last year's problems); nothing else is written yet.
    fill(w.report_a, w.secretary_a, preamble="", performance="", problems="", plans="", rectification=RECTIFICATION)
    login(page, w.secretary_a)
    page.goto(live_url("reports:editor", w.report_a.pk))

    # Only the rectification drafted: the import comes first.
    panel = page.locator("section#import-panel")
    expect(panel).to_be_visible()
    assert panel.bounding_box()["y"] < page.locator("#editor-form").bounding_box()["y"]
    panel.locator("textarea").fill(REPORT_TEXT)
    panel.get_by_role("button", name="分析并预览").click()

    # The import has a rectification block of its own (（五）… 针对2022年…): asked, keep both chosen.
    choice = page.locator("#drafted-rectification")
    expect(choice).to_contain_text("这一部分已有内容")
    expect(choice.get_by_label("保留两者：原有内容在前，导入的内容接在后面")).to_be_checked()
    assert axe_violations(page) == []  # the preview with its choices, as tests/browser/test_accessibility.py checks pages
    choice.locator("summary").click()
    expect(choice).to_contain_text(RECTIFICATION)
    imported = page.input_value("textarea[name=rectification]")
    assert imported.startswith("（五）深入剖析查摆问题")
    page.click("#import-confirm-button")
    page.wait_for_url(re.compile(r"/edit/$"))

    stored = Report.objects.get(pk=w.report_a.pk)
    assert stored.rectification == RECTIFICATION + "\n" + imported
    assert stored.performance.startswith("一、工作开展情况") and stored.plans.startswith("三、下一步工作计划")
    expect(page.locator("#import-panel summary")).to_be_visible()  # written now: the import box is closed

    # The PDF of the draft, from the editor and from the preview.
    with page.expect_download() as download:
        page.click("#pdf-link")
    assert download.value.suggested_filename.endswith("（草稿）.pdf")
    page.goto(live_url("reports:preview", w.report_a.pk))
    with page.expect_download() as download:
        page.click("#preview-pdf-link")
    assert download.value.suggested_filename.endswith(".pdf")
