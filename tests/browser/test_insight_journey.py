"""The insight pages (organization file, cycle analysis) and the 通报 / feedback letters as people
use them in the browser: an administrator from the results to an organization's file and the
cycle analysis with its normalised view; a secretary on their own file (and a guessed one: 404);
the analysis on a phone without page-level sideways scrolling; the 通报 and letters downloaded."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from reviews.results.services import cycle_publish, notice_save, results_compute
from reviews.services import routine_scores_set
from tests.factories import INCOMPLETE_OK, build_world
from tests.reports.conftest import submit
from tests.reviews.helpers import submit_review

pytestmark = pytest.mark.django_db(transaction=True)


def published_world():
    """Both reports submitted, reviewed (92 and 70), routine scores set, results published,
    the 通报's 主送 and requirements saved."""
    w = build_world()
    submit(w.report_a, w.secretary_a)
    submit(w.report_b, w.secretary_b)
    submit_review(w.report_a, w.reviewer, 92)
    submit_review(w.report_b, w.reviewer, 70)
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: Decimal(90), w.report_b.pk: Decimal(75)}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    notice_save(
        cycle=w.cycle, by=w.admin, addressee="各党支部", requirements="一、压实责任。\n二、抓好整改。",
        rectification_deadline=datetime.date(2027, 3, 31),
    )
    return w


def test_administrator_goes_from_the_results_to_a_file_and_the_analysis(page, login, live_url):
    w = published_world()
    login(page, w.admin)
    page.goto(live_url("reviews:results", w.cycle.pk))
    page.locator("a.organization-link", has_text=w.branch_a.name).first.click()
    expect(page.locator("h1")).to_contain_text(f"{w.branch_a.name} · 党组织档案")
    expect(page.locator("#trend-chart svg[role=img] title").first).to_be_attached()
    expect(page.locator("#trend-chart")).to_be_visible()
    expect(page.locator("#file-years")).to_be_visible()
    expect(page.locator(f"#file-years tr#file-year-{w.cycle.year}-{w.cycle.pk}")).to_contain_text("92")

    page.goto(live_url("reviews:results", w.cycle.pk))
    page.click("#tab-analysis")
    expect(page).to_have_url(live_url("reviews:cycle_analysis", w.cycle.pk))
    expect(page.locator("#distribution-chart")).to_be_visible()
    expect(page.locator("#normalised-view")).to_have_count(0)
    page.click("#normalised-link")
    expect(page).to_have_url(live_url("reviews:cycle_analysis", w.cycle.pk) + "?view=normalised")
    table = page.locator("#normalised-table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text(w.branch_a.name)
    page.locator("#normalised-view a", has_text="收起").click()
    expect(page.locator("#normalised-view")).to_have_count(0)


def test_secretary_sees_their_own_file_and_not_a_guessed_one(page, login, live_url):
    w = published_world()
    login(page, w.secretary_a)
    page.goto(live_url("reviews:organization_file", w.branch_a.pk))
    expect(page.locator("h1")).to_contain_text(w.branch_a.name)
    expect(page.locator("#file-years")).to_be_visible()
    for guessed in (w.branch_b.pk, w.branch_c.pk, w.committee.pk):
        response = page.goto(live_url("reviews:organization_file", guessed))
        assert response.status == 404, guessed
        expect(page.locator("body")).not_to_contain_text(w.branch_b.name)


def test_analysis_page_does_not_scroll_sideways_on_a_phone(browser, login, live_url):
    w = published_world()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    phone = context.new_page()
    try:
        login(phone, w.admin)
        for query in ("", "?view=normalised"):
            phone.goto(live_url("reviews:cycle_analysis", w.cycle.pk) + query)
            expect(phone.locator("#distribution-chart")).to_be_visible()
            widths = phone.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth, document.body.scrollWidth]"
            )
            assert widths[0] <= widths[1] and widths[2] <= widths[1], f"{query or 'analysis'}: page wider than the screen {widths}"
    finally:
        context.close()


def test_administrator_downloads_the_notice_and_the_feedback_letters(page, login, live_url):
    w = published_world()
    login(page, w.admin)
    page.goto(live_url("reviews:results", w.cycle.pk))
    page.click("#notice-link")
    expect(page).to_have_url(live_url("reviews:notice", w.cycle.pk))
    for link, suffix, magic in (
        ("#notice-docx", ".docx", b"PK"),
        ("#notice-pdf", ".pdf", b"%PDF"),
        ("#feedback-docx-zip", ".zip", b"PK"),
        ("#feedback-pdf-zip", ".zip", b"PK"),
    ):
        with page.expect_download() as caught:
            page.click(link)
        download = caught.value
        assert download.suggested_filename.endswith(suffix), download.suggested_filename
        body = open(download.path(), "rb").read()  # noqa: PTH123
        assert len(body) > 1000 and body.startswith(magic), link
