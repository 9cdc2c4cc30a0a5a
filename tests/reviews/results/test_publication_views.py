"""Issue 13 through the client: the confirmation steps of publish / withdraw / close, the reason
kept on the page, the secretary's page reading the frozen sheet, the read-only review form,
and reviewer names hidden from secretaries everywhere (issue 12)."""

from django.urls import reverse

from branches.models import Notification
from reports.services import report_return
from reviews.models import Publication, Review
from reviews.results.services import cycle_publish, results_compute
from reviews.selectors import reviewer_pseudonyms
from reviews.services import question_ask
from tests.reviews.helpers import scores_totalling, submit_review
from tests.reviews.results.test_publication import complete

CONFIRMED = {"confirm": "1"}  # the box “我已了解上述后果” (branches.confirmations)


def publish_url(w):
    return reverse("reviews:cycle_publish", args=[w.cycle.pk])


def test_publish_page_states_gaps_and_consequences_then_needs_a_reason(client, submitted):
    w = submitted
    submit_review(w.report_a, w.reviewer, 92)
    results_compute(cycle=w.cycle, by=w.admin)
    client.force_login(w.admin)
    results = client.get(reverse("reviews:results", args=[w.cycle.pk])).content.decode()
    assert 'id="results-gaps"' in results and "尚未提交1份评议：乙社区党支部" in results
    page = client.get(publish_url(w)).content.decode()
    assert 'id="publish-gaps"' in page and "尚未提交1份评议：乙社区党支部" in page
    assert "2名党组织书记会收到通知" in page and "评议人不能再修改评议" in page and "仍然公布" in page

    # Without the box ticked nothing happens, whatever the reason says.
    response = client.post(publish_url(w), {"reason": "经研究先行公布"})
    assert response.status_code == 400 and not Publication.objects.exists()
    assert "请勾选“我已了解上述后果”" in response.content.decode() and "经研究先行公布" in response.content.decode()
    response = client.post(publish_url(w), {"reason": "", **CONFIRMED})
    assert response.status_code == 400
    assert "请填写理由" in response.content.decode() and not Publication.objects.exists()
    too_long = "理" * 2001
    response = client.post(publish_url(w), {"reason": too_long, **CONFIRMED})
    assert response.status_code == 400 and too_long in response.content.decode()

    response = client.post(publish_url(w), {"reason": "经研究先行公布", **CONFIRMED})
    assert response.url == reverse("reviews:results", args=[w.cycle.pk])
    assert Publication.objects.get().reason == "经研究先行公布"
    results = client.get(response.url).content.decode()
    assert "经研究先行公布" in results and 'id="withdraw-link"' in results and 'id="publish-link"' not in results


def test_stale_results_send_the_administrator_back_to_recompute(client, submitted):
    w = complete(submitted)
    submit_review(w.report_b, w.reviewer, 60)
    client.force_login(w.admin)
    page = client.get(publish_url(w)).content.decode()
    assert 'id="confirm-blocked"' in page and "须先重新计算才能公布" in page and 'name="confirm"' not in page
    response = client.post(publish_url(w), {"reason": "理由", **CONFIRMED})
    assert response.status_code == 400 and "须先重新计算才能公布" in response.content.decode()
    assert not Publication.objects.exists()


def test_withdraw_and_close_confirm_first(client, submitted):
    w = complete(submitted)
    cycle_publish(cycle=w.cycle, by=w.admin)
    client.force_login(w.admin)
    withdraw = reverse("reviews:cycle_withdraw", args=[w.cycle.pk])
    page = client.get(withdraw).content.decode()
    assert "2名党组织书记立即看不到本年度结果" in page and "确认撤回公布" in page
    response = client.post(withdraw, {"reason": "评分有误"})  # the box not ticked
    assert response.status_code == 400 and "评分有误" in response.content.decode()
    w.cycle.refresh_from_db()
    assert w.cycle.is_published
    response = client.post(withdraw, {"reason": "", **CONFIRMED})
    assert response.status_code == 400 and "请填写撤回理由" in response.content.decode()
    w.cycle.refresh_from_db()
    assert w.cycle.is_published
    assert client.post(withdraw, {"reason": "评分有误", **CONFIRMED}).status_code == 302
    w.cycle.refresh_from_db()
    assert not w.cycle.is_published

    close = reverse("reviews:cycle_close", args=[w.cycle.pk])
    page = client.get(close).content.decode()
    assert "结果尚未公布，不能结束" in page and 'id="confirm-close-form"' not in page
    assert client.post(close, CONFIRMED).status_code == 400
    cycle_publish(cycle=w.cycle, by=w.admin)
    page = client.get(close).content.decode()
    assert "永久锁定" in page and 'id="confirm-close-form"' in page
    w.cycle.refresh_from_db()
    assert not w.cycle.is_closed  # a GET changes nothing
    assert client.post(close).status_code == 400  # nor a POST without the box ticked
    w.cycle.refresh_from_db()
    assert not w.cycle.is_closed
    client.post(close, CONFIRMED)
    w.cycle.refresh_from_db()
    assert w.cycle.is_closed


def test_other_administrators_get_404_on_the_confirmation_pages(client, submitted):
    w = complete(submitted)
    client.force_login(w.other_admin)
    for name in ("cycle_publish", "cycle_withdraw", "cycle_close"):
        url = reverse(f"reviews:{name}", args=[w.cycle.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x", **CONFIRMED}).status_code == 404
    assert not Publication.objects.exists()


def test_secretary_page_reads_the_snapshot_and_hides_during_withdrawal(client, submitted):
    w = complete(submitted)
    cycle_publish(cycle=w.cycle, by=w.admin)
    Review.objects.filter(report=w.report_a).update(comment="事后改动")
    client.force_login(w.secretary_a)
    url = reverse("reviews:secretary_result", args=[w.report_a.pk])
    page = client.get(url).content.decode()
    assert "91.20" in page and "甲支部工作有特色。" in page and "事后改动" not in page
    assert reviewer_pseudonyms(w.cycle)[w.reviewer.pk] in page and w.reviewer.display_name not in page
    client.force_login(w.admin)
    client.post(reverse("reviews:cycle_withdraw", args=[w.cycle.pk]), {"reason": "复核", **CONFIRMED})
    client.force_login(w.secretary_a)
    page = client.get(url).content.decode()
    assert 'id="not-published"' in page and "91.20" not in page
    assert client.get(reverse("reviews:result_pdf", args=[w.report_a.pk])).status_code == 404


def test_review_form_is_read_only_after_publication(client, submitted):
    w = complete(submitted)
    cycle_publish(cycle=w.cycle, by=w.admin)
    client.force_login(w.reviewer)
    url = reverse("reviews:review", args=[w.report_a.pk])
    page = client.get(url).content.decode()
    assert 'id="review-locked"' in page and "<fieldset disabled>" in page and "保存修改</button>" not in page
    data = {f"score_{pk}": points for pk, points in scores_totalling(w.cycle, 50).items()}
    data.update({"comment": "改", "action": "submit", "problems-TOTAL_FORMS": "0", "problems-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 400 and "评议已锁定" in response.content.decode()
    assert Review.objects.get(report=w.report_a).comment == "甲支部工作有特色。"


def test_editor_names_no_reviewer_who_returned_the_report(client, submitted):
    w = submitted
    report_return(report=w.report_a, by=w.reviewer, reason="数据不全")
    client.force_login(w.secretary_a)
    page = client.get(reverse("reports:editor", args=[w.report_a.pk])).content.decode()
    assert "数据不全" in page and "评议人退回" in page and w.reviewer.display_name not in page
    assert w.reviewer.display_name not in Notification.objects.filter(user=w.secretary_a).last().text
    report_return(report=w.report_b, by=w.admin, reason="格式不对")
    client.force_login(w.secretary_b)
    assert "组织部门退回" in client.get(reverse("reports:editor", args=[w.report_b.pk])).content.decode()


def test_questions_page_shows_the_askers_pseudonym(client, submitted):
    w = submitted
    question_ask(report=w.report_a, by=w.reviewer, text="请说明发展党员情况。")
    client.force_login(w.secretary_a)
    page = client.get(reverse("reviews:secretary_questions", args=[w.report_a.pk])).content.decode()
    assert reviewer_pseudonyms(w.cycle)[w.reviewer.pk] in page and w.reviewer.display_name not in page
