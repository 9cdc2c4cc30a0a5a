"""Results journeys in a real browser: the administrator computes, overrides a grade with a reason,
publishes and downloads the summary; each secretary sees only their own published result."""

import io
import re
from decimal import Decimal

from openpyxl import load_workbook
from playwright.sync_api import expect

from reviews.models import Grade, Result
from reviews.results.services import cycle_publish, results_compute
from reviews.services import routine_scores_set
from tests.factories import INCOMPLETE_OK, build_world
from tests.reviews.helpers import submit_report, submit_review


def reviewed_world():
    """report_a (review 92, routine 90) and report_b (review 70, routine 75) submitted and reviewed."""
    w = build_world()
    submit_report(w.report_a)
    submit_report(w.report_b)
    submit_review(w.report_a, w.reviewer, 92)
    submit_review(w.report_b, w.reviewer, 70)
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: Decimal(90), w.report_b.pk: Decimal(75)}, by=w.admin)
    return w


def download(page, link):
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    return info.value.suggested_filename, open(path, "rb").read()


def test_administrator_computes_overrides_publishes_and_downloads(
    page, login, live_url, transactional_db, console_errors, task_worker
):
    w = reviewed_world()
    page.on("dialog", lambda dialog: dialog.accept())  # the publish confirmation
    login(page, w.admin)
    page.goto(live_url("reviews:results", w.cycle.pk))

    page.locator("#results-actions button", has_text="计算结果").click()
    expect(page.locator(".alert-success").first).to_contain_text("结果已重新计算")
    row_b = page.locator(f"#result-row-{w.report_b.pk}")
    result_b = Result.objects.get(report=w.report_b)
    assert result_b.computed_grade and result_b.grade == result_b.computed_grade

    # Override report_b's grade with a written reason.
    row_b.get_by_role("link", name="调整等次").click()
    new_grade = Grade.GOOD if result_b.computed_grade != Grade.GOOD else Grade.FAIR
    page.select_option("#override-form select[name=grade]", new_grade)
    page.fill("#override-form textarea[name=reason]", "党委会研究决定，综合日常表现调整。")
    page.locator("#override-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/results/$"))
    expect(page.locator(".override-row")).to_contain_text("党委会研究决定，综合日常表现调整。")
    result_b.refresh_from_db()
    assert result_b.grade == new_grade and result_b.overridden_by == w.admin

    # Publish: the confirmation step first (nothing is incomplete here).
    page.locator("#results-actions a", has_text="公布结果").click()
    expect(page.locator("#publish-complete")).to_be_visible()
    page.check("#confirm-box")
    page.locator("#confirm-publish-form button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_contain_text("结果已公布")
    w.cycle.refresh_from_db()
    assert w.cycle.is_published

    # Download the summary as PDF and as Excel: each is built by the background worker while a
    # page shows its progress, then offered.
    # (The worker runs only while a job page is open: on the in-memory SQLite test database it
    # shares the live server's one connection, which heavy pages should not share at once.)
    page.locator("#summary-downloads button", has_text="PDF").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    task_worker.start()
    expect(page.locator("#job-download")).to_be_visible(timeout=60_000)
    task_worker.stop()
    name, content = download(page, page.locator("#job-download"))
    assert name.endswith(".pdf") and content.startswith(b"%PDF")
    page.goto(live_url("reviews:results", w.cycle.pk))
    page.locator("#summary-downloads button", has_text="Excel").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    task_worker.start()
    expect(page.locator("#job-download")).to_be_visible(timeout=60_000)
    task_worker.stop()
    name, content = download(page, page.locator("#job-download"))
    assert name.endswith(".xlsx")
    cells = [str(c) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True) for c in row if c]
    assert any("甲社区党支部" in c for c in cells) and any("乙社区党支部" in c for c in cells)
    assert console_errors == []


def test_secretary_sees_only_their_own_published_result(page, login, live_url, transactional_db, console_errors):
    w = reviewed_world()
    results_compute(cycle=w.cycle, by=w.admin)
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    login(page, w.secretary_a)

    page.goto(live_url("reviews:index"))
    page.locator("#led-reports a", has_text="评议结果").click()
    page.wait_for_url(re.compile(rf"/reviews/report/{w.report_a.pk}/result/$"))
    grade = Result.objects.get(report=w.report_a).grade
    expect(page.locator("#result-grade")).to_contain_text(w.cycle.result_settings.grade_label(grade))
    expect(page.locator("#result-total")).to_contain_text(str(Result.objects.get(report=w.report_a).total))

    response = page.goto(live_url("reviews:secretary_result", w.report_b.pk))
    assert response.status == 404
    expect(page.locator("main")).to_contain_text("页面不存在，或您无权查看")
    assert "乙社区党支部" not in page.content()
    assert [e for e in console_errors if "404" not in e] == []
