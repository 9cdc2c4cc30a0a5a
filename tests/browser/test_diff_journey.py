"""The reviewer reads what changed between two versions: paragraphs side by side, marks only
inside an edited paragraph, a rewritten paragraph as removed + added, a moved one as moved."""

from playwright.sync_api import expect

from reports.services import report_return
from tests.factories import build_world
from tests.reports.conftest import submit

PERFORMANCE_1 = """一、工作开展情况
全年共召开主题党日12次、支委会会议12次，党员大会4次，党课10次。
针对2022年度述职评议指出的问题，支部制定整改清单，明确责任人和完成时限。
2023年共召开协商议事会10余次，协商解决小区监控等事宜7件。
发展党员2名，转正预备党员1名。"""
PERFORMANCE_2 = """一、工作开展情况
全年共召开主题党日14次、支委会会议12次，党员大会4次，党课10次。
针对2025年党建述职点评意见，逐条建立台账，每月跟踪并在党员大会上通报进展。
发展党员2名，转正预备党员1名。
2023年共召开协商议事会10余次，协商解决小区监控等事宜7件。"""


def test_reviewer_reads_the_paragraph_diff_side_by_side(page, login, live_url, transactional_db, console_errors):
    w = build_world()
    submit(w.report_a, w.secretary_a, performance=PERFORMANCE_1)
    report_return(report=w.report_a, by=w.admin, reason="请补充数据。")
    submit(w.report_a, w.secretary_a, performance=PERFORMANCE_2)

    login(page, w.reviewer)
    page.goto(live_url("reports:version_diff", w.report_a.pk))
    table = page.locator("#diff-performance table.diff-table")
    expect(table).to_be_visible()
    expect(page.locator("#diff-problems")).to_contain_text("无变化")
    expect(table.locator("thead")).to_contain_text("第 1 版")
    expect(table.locator("thead")).to_contain_text("第 2 版")

    # The edited paragraph: one row, old left and new right, only the number marked.
    changed = table.locator("tr.diff-row-changed")
    expect(changed).to_have_count(1)
    assert changed.locator(".diff-old del").all_inner_texts() == ["2"]
    assert changed.locator(".diff-new ins").all_inner_texts() == ["4"]
    assert changed.locator(".diff-new").inner_text() == "全年共召开主题党日14次、支委会会议12次，党员大会4次，党课10次。"

    # The rewritten paragraph reads whole on each side, never interleaved.
    removed = table.locator("tr.diff-row-removed .diff-old")
    added = table.locator("tr.diff-row-added .diff-new")
    expect(removed).to_contain_text("针对2022年度述职评议指出的问题，支部制定整改清单，明确责任人和完成时限。")
    expect(added).to_contain_text("针对2025年党建述职点评意见，逐条建立台账，每月跟踪并在党员大会上通报进展。")
    assert "20225" not in table.inner_text()

    # The moved paragraph says where it came from and where it went.
    expect(table.locator("tr.diff-row-moved_to .diff-new")).to_contain_text("自第 1 版第 5 段移来")
    expect(table.locator("tr.diff-row-moved_from .diff-old")).to_contain_text("移至第 2 版第 4 段")
    expect(page.locator("#diff-performance h2")).to_contain_text("修改 1 段")
    assert console_errors == []
