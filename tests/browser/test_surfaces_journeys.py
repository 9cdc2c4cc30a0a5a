"""Issue 20 (work surfaces) in a real browser: each role's home as a to-do list (screenshots of
each at 1366×900 and 390×844 under test-artifacts/browser/homes/), the confirmation of an
irreversible action refused without the tick even when the browser's check is bypassed, and the
reviewer's desk: sticky beside the report on a desktop, usable on a tablet, scored on a phone."""

from pathlib import Path

from playwright.sync_api import expect

from reports.models import Report
from reports.services import report_return
from reviews.models import Review
from reviews.results.services import cycle_publish
from reviews.services import question_answer, question_ask
from tests.browser.confirmations import confirm_step
from tests.factories import build_world
from tests.reviews.helpers import submit_report
from tests.reviews.results.test_publication import complete

HOMES = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser" / "homes"
SIZES = [(1366, 900), (390, 844)]


def switch_user(page, login, user):
    page.context.clear_cookies()
    login(page, user)


def no_horizontal_overflow(page):
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page is {scroll_width}px wide in a {width}px viewport"


def shoot_home(page, live_url, name, check):
    """The home at both sizes: `check(page)` at each, no sideways scrolling, a full-page screenshot."""
    HOMES.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_url("reports:home"))
        check(page)
        no_horizontal_overflow(page)
        page.screenshot(path=str(HOMES / f"{name}-{width}x{height}.png"), full_page=True)


def to_do_scene():
    """The reviewer also leads the committee (as in the demo); report_a submitted with a question
    the secretary has not answered and one answered; report_b sent back."""
    w = build_world()
    w.committee.secretary = w.reviewer
    w.committee.save()
    submit_report(w.report_a)
    question_ask(report=w.report_a, by=w.reviewer, text="请说明发展党员工作进展。")
    answered = question_ask(report=w.report_a, by=w.reviewer, text="积分制管理如何考核？")
    question_answer(question=answered, by=w.secretary_a, answer="按月记录、季度公示。")
    submit_report(w.report_b)
    report_return(report=w.report_b, by=w.admin, reason="请补充关键数据。")
    return w


def test_each_role_home_is_a_to_do_list(page, login, live_url, transactional_db, console_errors):
    w = to_do_scene()

    login(page, w.secretary_a)

    def secretary_a(page):
        card = page.locator(f"#report-card-{w.report_a.pk}")
        expect(card.locator("[data-todo=questions]")).to_contain_text("1 个待答复")
        expect(card.locator(".questions-link .questions-badge")).to_have_text("1 待答复")

    shoot_home(page, live_url, "secretary", secretary_a)
    page.locator(".questions-link").first.click()
    expect(page.locator("h1")).to_have_text("提问与答复")

    switch_user(page, login, w.secretary_b)

    def secretary_b(page):
        card = page.locator(f"#report-card-{w.report_b.pk}")
        expect(card.locator("[data-todo=report]")).to_contain_text("按退回原因修改后重新提交")
        expect(card.locator(".return-reason")).to_contain_text("请补充关键数据。")

    shoot_home(page, live_url, "secretary-returned", secretary_b)

    switch_user(page, login, w.reviewer)

    def reviewer(page):
        # Leading the committee (reviewed by nobody) no longer hides the running review.
        expect(page.locator("body")).not_to_contain_text("目前没有正在进行的年度述职评议")
        expect(page.locator("#secretary-todo")).to_have_count(0)
        expect(page.locator("#reviewer-todo .review-todo-count")).to_have_text("待评议 1 份")
        expect(page.locator("#answered-questions")).to_contain_text("积分制管理如何考核？")

    shoot_home(page, live_url, "reviewer", reviewer)
    page.locator("#reviewer-cycles a").first.click()
    expect(page.locator(f"#queue-row-{w.report_a.pk}")).to_be_visible()

    switch_user(page, login, w.admin)

    def administrator(page):
        cycle = page.locator(f"#admin-cycle-{w.cycle.pk}")
        expect(cycle.locator(".stepper-step")).to_have_count(6)
        expect(cycle.locator(".stepper-step[aria-current=step]")).to_contain_text("收集")
        expect(cycle.locator(".next-step")).to_contain_text("跟踪报告提交")
        expect(cycle.locator("[data-todo=returned]")).to_contain_text("1")
        expect(cycle.locator("[data-todo=questions]")).to_contain_text("1")

    shoot_home(page, live_url, "administrator", administrator)
    page.locator(f"#admin-cycle-{w.cycle.pk} .next-step-link").click()
    expect(page.locator("#cycle-tabs .active")).to_have_text("进度")
    assert console_errors == []


def test_closing_the_year_confirms_and_the_server_refuses_without_the_tick(page, login, live_url, transactional_db):
    w = build_world()
    submit_report(w.report_a)
    submit_report(w.report_b)
    complete(w)
    cycle_publish(cycle=w.cycle, by=w.admin)
    login(page, w.admin)
    page.goto(live_url("reviews:results", w.cycle.pk))
    page.click("#close-link")
    expect(page.locator("#consequences")).to_contain_text("永久锁定")

    # The browser asks for the tick first; nothing is sent.
    page.click("#confirm-close-button")
    assert page.locator("#confirm-box:invalid").count() == 1
    # Past the browser's check (the attribute removed), the server still refuses and changes nothing.
    page.evaluate("() => document.getElementById('confirm-box').removeAttribute('required')")
    with page.expect_navigation():
        page.click("#confirm-close-button")
    expect(page.locator("#confirm-error")).to_contain_text("请勾选“我已了解上述后果”后再结束本年度评议")
    w.cycle.refresh_from_db()
    assert not w.cycle.is_closed

    confirm_step(page, "close")
    expect(page.locator("#cycle-closed")).to_be_visible()
    w.cycle.refresh_from_db()
    assert w.cycle.is_closed


def test_the_desk_on_a_desktop_a_tablet_and_a_phone(page, login, live_url, transactional_db, console_errors):
    w = build_world()
    long_text = "\n".join(f"{index}. 全年召开支部党员大会12次，开展主题党日活动，推动党建与业务深度融合。" for index in range(1, 80))
    submit_report(w.report_a, text="一、履职情况\n" + long_text)
    login(page, w.reviewer)

    # Desktop: the panel stays in view at the end of a long report, with each criterion's description.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_url("reviews:review", w.report_a.pk))
    criterion = w.cycle.criteria.first()
    expect(page.locator(f"#criterion-description-{criterion.pk}")).to_have_text(criterion.description)
    page.get_by_text("40. 全年召开支部党员大会12次").first.scroll_into_view_if_needed()  # well into the report
    assert page.evaluate("() => window.scrollY") > 900
    box = page.locator("#review-panel").bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= 900, box  # the whole panel in view
    expect(page.locator("#questions summary")).to_be_in_viewport()

    # Tablet: the columns stack, nothing scrolls sideways, the jump link reaches the questions.
    page.set_viewport_size({"width": 768, "height": 1024})
    page.reload()
    no_horizontal_overflow(page)
    page.locator(".desk-jump a", has_text="提问").click()
    expect(page.locator("#question-form textarea")).to_be_visible()

    # Phone: jump to the panel, score, comment, a problem on two lines, save the draft.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_url("reviews:review", w.report_a.pk))
    no_horizontal_overflow(page)
    page.locator(".desk-jump a", has_text="评分").click()
    inputs = page.locator(".score-input")
    expect(inputs.first).to_be_in_viewport()
    criteria = list(w.cycle.criteria.all())
    for index, item in enumerate(criteria):
        inputs.nth(index).fill(str(int(item.max_points) - 2))
    page.fill("#review-form textarea[name=comment]", "台账扎实，发言具体。")
    page.locator("#problem-rows .problem-text").last.fill("党员教育方式单一；\n青年党员参与不够。")
    page.locator("#review-form button[value=draft]").click()
    expect(page.locator(".alert-success").first).to_contain_text("评议草稿已保存")
    review = Review.objects.get(report=w.report_a, reviewer=w.reviewer)
    assert review.status == Review.Status.DRAFT
    assert {s.criterion_id: int(s.points) for s in review.scores.all()} == {c.pk: int(c.max_points) - 2 for c in criteria}
    assert list(review.problems.values_list("text", flat=True)) == ["党员教育方式单一；\n青年党员参与不够。"]
    assert Report.objects.get(pk=w.report_a.pk).is_submitted
    assert console_errors == []
