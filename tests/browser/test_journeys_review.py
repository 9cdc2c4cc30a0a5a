"""Review journeys in a real browser: a reviewer reviews and asks, the secretary answers; an
administrator sends a report back, the secretary resubmits, the review shows as outdated."""

import re

from playwright.sync_api import expect

from reports.models import Report
from reviews.models import Question, Review
from tests.browser.confirmations import confirm_step
from tests.browser.test_journeys_secretary import SAVE_WAIT_MS
from tests.factories import build_world
from tests.reviews.helpers import submit_report, submit_review


def accept_confirmations(page):
    # Consequential forms ask window.confirm first (static/js/reviews.js); Playwright would dismiss it.
    page.on("dialog", lambda dialog: dialog.accept())


def switch_user(page, login, user):
    page.context.clear_cookies()
    login(page, user)


def test_reviewer_reviews_and_asks_and_the_secretary_answers(page, login, live_url, transactional_db, console_errors):
    w = build_world()
    submit_report(w.report_a, text="一、履职情况：全年召开支部党员大会12次。")
    login(page, w.reviewer)

    # From the queue to the report.
    page.goto(live_url("reviews:index"))
    page.locator(f"#review-cycles a[href$='/reviews/cycle/{w.cycle.pk}/']").click()
    row = page.locator(f"#queue-row-{w.report_a.pk}")
    expect(row).to_contain_text("甲社区党支部")
    row.get_by_role("link", name="评议").click()
    page.wait_for_url(re.compile(rf"/reviews/report/{w.report_a.pk}/review/$"))
    expect(page.locator("#review-form")).to_be_visible()
    expect(page.get_by_text("全年召开支部党员大会12次").first).to_be_visible()

    # A question to the secretary: the box is folded at the top of the scoring panel.
    page.click("#questions summary")
    page.fill("#question-form textarea", "请说明发展党员工作的具体进展。")
    page.locator("#question-form button[type=submit]").click()
    expect(page.locator("#questions")).to_contain_text("请说明发展党员工作的具体进展。")

    # Every criterion scored, a comment, a problem; submitted.
    criteria = list(w.cycle.criteria.all())
    inputs = page.locator(".score-input")
    assert inputs.count() == len(criteria)
    for index, criterion in enumerate(criteria):
        inputs.nth(index).fill(str(int(criterion.max_points) - 1))
    expect(page.locator("#score-total")).to_have_text(str(sum(int(c.max_points) - 1 for c in criteria)))
    page.fill("#review-form textarea[name=comment]", "工作扎实，问题查摆较深刻。")
    page.click("#problem-add")
    page.locator("#problem-rows .problem-text").last.fill("三会一课记录不规范")
    page.locator("#review-form button[value=submit]").click()
    expect(page.locator(".alert-success").first).to_contain_text("评议已提交")

    review = Review.objects.get(report=w.report_a, reviewer=w.reviewer)
    assert review.status == Review.Status.SUBMITTED
    assert review.comment == "工作扎实，问题查摆较深刻。"
    assert {s.criterion_id: int(s.points) for s in review.scores.all()} == {c.pk: int(c.max_points) - 1 for c in criteria}
    assert list(review.problems.values_list("text", flat=True)) == ["三会一课记录不规范"]

    # The secretary sees the question and answers it.
    switch_user(page, login, w.secretary_a)
    page.goto(live_url("reviews:secretary_questions", w.report_a.pk))
    question = Question.objects.get(report=w.report_a)
    card = page.locator(f"#question-{question.pk}")
    expect(card).to_contain_text("请说明发展党员工作的具体进展。")
    card.locator("textarea").fill("今年已发展党员2名，另有3名入党积极分子。")
    card.locator("button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_contain_text("回答已保存")
    question.refresh_from_db()
    assert question.answer == "今年已发展党员2名，另有3名入党积极分子。"
    assert question.answered_by == w.secretary_a
    assert console_errors == []


def test_administrator_returns_the_secretary_resubmits_and_the_review_is_outdated(
    page, login, live_url, transactional_db, console_errors
):
    w = build_world()
    submit_report(w.report_a)
    submit_review(w.report_a, w.reviewer, 80)
    accept_confirmations(page)

    # The administrator sends the report back with a reason.
    login(page, w.admin)
    page.goto(live_url("reviews:admin_report", w.report_a.pk))
    page.click("#return-panel summary")
    page.fill("#return-panel textarea[name=reason]", "请补充上年度问题整改情况。")
    page.locator("#return-panel button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_contain_text("退回修改")
    assert Report.objects.get(pk=w.report_a.pk).status == Report.Status.RETURNED

    # The secretary sees why, edits and resubmits: version 2.
    switch_user(page, login, w.secretary_a)
    page.goto(live_url("reports:editor", w.report_a.pk))
    expect(page.locator("#return-reason")).to_contain_text("请补充上年度问题整改情况。")
    page.fill("textarea[name=rectification]", "针对上年度问题，已建立三会一课台账。")
    expect(page.locator("#autosave-status")).to_contain_text("已保存", timeout=SAVE_WAIT_MS)
    page.click("#submit-button")
    confirm_step(page, "submit")
    page.wait_for_url(re.compile(rf"/report/{w.report_a.pk}/$"))
    expect(page.locator(".alert-success").first).to_contain_text("第 2 版")
    report = Report.objects.get(pk=w.report_a.pk)
    assert report.status == Report.Status.SUBMITTED
    assert list(report.versions.values_list("number", flat=True)) == [1, 2]
    assert report.versions.get(number=2).rectification == "针对上年度问题，已建立三会一课台账。"

    # The reviewer's review of version 1 is marked as outdated.
    switch_user(page, login, w.reviewer)
    page.goto(live_url("reviews:review", w.report_a.pk))
    expect(page.locator("#outdated-note")).to_contain_text("第 1 版")
    expect(page.locator("#outdated-note")).to_contain_text("第 2 版")
    page.click("#outdated-diff")
    expect(page.get_by_text("针对上年度问题，已建立三会一课台账。").first).to_be_visible()
    assert console_errors == []

