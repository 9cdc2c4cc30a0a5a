"""Issue 13 in a real browser: publish incomplete results with a reason → the secretary sees the
snapshot → the reviewer cannot edit → withdraw → change → republish → only the affected
secretary is told."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from branches.models import Notification
from reviews.models import Publication
from reviews.services import assignment_add, routine_scores_set
from tests.factories import UserFactory, build_world
from tests.reviews.helpers import submit_report, submit_review


def incomplete_world():
    """Both reports reviewed by the reviewer (a: 92, b: 70) with routine scores (90, 80); a second
    reviewer assigned to report_b has not reviewed it: publishing needs a reason."""
    w = build_world()
    w.late_reviewer = UserFactory(username="reviewer_late", name="迟评议")
    w.committee.committee_members.add(w.late_reviewer)
    assignment_add(report=w.report_b, reviewer=w.late_reviewer, by=w.admin)
    submit_report(w.report_a)
    submit_report(w.report_b)
    submit_review(w.report_a, w.reviewer, 92, comment="甲支部台账扎实。")
    submit_review(w.report_b, w.reviewer, 70, comment="乙支部需加强。")
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: Decimal(90), w.report_b.pk: Decimal(80)}, by=w.admin)
    return w


def as_user(page, login, user):
    page.context.clear_cookies()
    login(page, user)


def publish(page, live_url, w, reason):
    page.goto(live_url("reviews:results", w.cycle.pk))
    page.locator("#results-actions button", has_text="计算").click()
    expect(page.locator(".alert-success").first).to_contain_text("结果已重新计算")
    page.locator("#publish-link").click()
    expect(page.locator("#publish-gaps")).to_contain_text("迟评议尚未提交1份评议：乙社区党支部")
    page.fill("#confirm-publish-form textarea[name=reason]", reason)
    page.check("#confirm-box")
    page.locator("#confirm-publish-form button[type=submit]", has_text="仍然公布").click()
    expect(page.locator(".alert-success").first).to_contain_text("结果已公布")


def test_publish_withdraw_change_republish(page, login, live_url, transactional_db, console_errors):
    w = incomplete_world()

    # The administrator publishes incomplete results: the reason is required and kept.
    as_user(page, login, w.admin)
    page.goto(live_url("reviews:results", w.cycle.pk))
    page.locator("#results-actions button", has_text="计算结果").click()
    page.locator("#publish-link").click()
    expect(page.locator("#consequences")).to_contain_text("2名党组织书记会收到通知")
    page.check("#confirm-box")
    page.locator("#confirm-publish-form button[type=submit]").click()
    expect(page.locator("#confirm-publish-form")).to_contain_text("请填写理由")
    page.fill("#confirm-publish-form textarea[name=reason]", "迟评议同志出差，经党工委研究先行公布")
    page.check("#confirm-box")
    page.locator("#confirm-publish-form button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_contain_text("结果已公布（第1次）")
    expect(page.locator("#publications")).to_contain_text("迟评议同志出差，经党工委研究先行公布")

    # The secretary sees the snapshot: 92 × .6 + 90 × .4 = 91.2.
    as_user(page, login, w.secretary_a)
    page.goto(live_url("reviews:secretary_result", w.report_a.pk))
    expect(page.locator("#result-total")).to_have_text("91.20")
    expect(page.locator(".review-comment")).to_have_text("甲支部台账扎实。")
    expect(page.locator(".reviewer-name")).to_have_text(re.compile(r"^评议人\d+$"))

    # The reviewer cannot edit any more.
    as_user(page, login, w.reviewer)
    page.goto(live_url("reviews:review", w.report_a.pk))
    expect(page.locator("#review-locked")).to_be_visible()
    expect(page.locator("#review-form input.score-input").first).to_be_disabled()
    expect(page.locator("#review-form button[type=submit]")).to_have_count(0)

    # The administrator withdraws, with a reason; the secretary no longer sees the results.
    as_user(page, login, w.admin)
    page.goto(live_url("reviews:results", w.cycle.pk))
    page.locator("#withdraw-link").click()
    expect(page.locator("#consequences")).to_contain_text("立即看不到本年度结果")
    page.fill("#confirm-withdraw-form textarea[name=reason]", "甲支部一项评分录入有误")
    page.check("#confirm-box")
    page.locator("#confirm-withdraw-form button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_contain_text("已撤回公布")
    as_user(page, login, w.secretary_a)
    page.goto(live_url("reviews:secretary_result", w.report_a.pk))
    expect(page.locator("#not-published")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("91.20")

    # The reviewer corrects the first criterion of report_a: 92 → 88 (88 × .6 + 90 × .4 = 88.8).
    as_user(page, login, w.reviewer)
    page.goto(live_url("reviews:review", w.report_a.pk))
    first = w.cycle.criteria.order_by("order", "id").first()
    page.fill(f"#review-form input[name=score_{first.pk}]", "21")
    page.locator("#review-form button", has_text="保存修改").click()
    expect(page.locator(".alert-success").first).to_contain_text("评议已提交")

    # Republish (still incomplete: a reason again); only secretary_a's result changed.
    Notification.objects.all().delete()
    as_user(page, login, w.admin)
    publish(page, live_url, w, "更正后重新公布")
    expect(page.locator(".alert-success").first).to_contain_text("1个结果有变化的党组织书记已收到通知")
    expect(page.locator("#publications .publication-change")).to_contain_text("甲社区党支部：综合得分 91.20 → 88.80")
    assert Publication.objects.filter(cycle=w.cycle).count() == 2
    assert Notification.objects.filter(user=w.secretary_a, text__contains="结果已重新公布").count() == 1
    assert not Notification.objects.filter(user=w.secretary_b).exists()

    as_user(page, login, w.secretary_a)
    page.goto(live_url("reviews:secretary_result", w.report_a.pk))
    expect(page.locator("#result-total")).to_have_text("88.80")
    expect(page.locator("#publication-meta")).to_contain_text("第2次公布")
    # The one 400 is the publish form sent without its reason.
    assert [e for e in console_errors if "400 (Bad Request)" not in e] == []
