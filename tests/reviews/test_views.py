"""The review pages doing their work, through the test client."""

from decimal import Decimal as D

from django.urls import reverse

from reports.models import Report
from reports.services import report_return
from reviews.models import ProblemCategory, Question, Review
from reviews.services import question_ask
from tests.reviews.helpers import scores_totalling, submit_report, submit_review


def review_data(cycle, total=None, comment="整体扎实。", action="submit", problems=(), **extra):
    data = {"comment": comment, "suggested_grade": "", "action": action}
    if total is not None:
        data.update({f"score_{pk}": str(points) for pk, points in scores_totalling(cycle, total).items()})
    data.update({"problems-TOTAL_FORMS": str(len(problems)), "problems-INITIAL_FORMS": "0"})
    for index, (text, category) in enumerate(problems):
        data[f"problems-{index}-text"] = text
        data[f"problems-{index}-category"] = str(category.pk)
    data.update(extra)
    return data


# ---------------------------------------------------------------- reviewer


def test_queue_shows_submitted_reports_with_state_and_progress(client, submitted):
    w = submitted
    submit_review(w.report_a, w.reviewer, 80)
    client.force_login(w.reviewer)
    page = client.get(reverse("reviews:queue", args=[w.cycle.pk])).content.decode()
    assert "已评 1 / 2" in page
    assert f'id="queue-row-{w.report_a.pk}"' in page and f'id="queue-row-{w.report_b.pk}"' in page
    assert "review-state-submitted" in page and "review-state-unreviewed" in page
    assert f'href="{reverse("reviews:review", args=[w.report_b.pk])}" id="next-unreviewed"' in page
    # the filter keeps only what is still to do
    page = client.get(reverse("reviews:queue", args=[w.cycle.pk]), {"state": "todo"}).content.decode()
    assert f'id="queue-row-{w.report_a.pk}"' not in page and f'id="queue-row-{w.report_b.pk}"' in page
    page = client.get(reverse("reviews:queue", args=[w.cycle.pk]), {"q": "甲社区"}).content.decode()
    assert f'id="queue-row-{w.report_b.pk}"' not in page


def test_queue_leaves_out_reports_never_submitted(client, world):
    client.force_login(world.reviewer)
    page = client.get(reverse("reviews:queue", args=[world.cycle.pk])).content.decode()
    assert "已评 0 / 0" in page and "queue-row-" not in page


def test_review_page_shows_the_report_figures_versions_and_form(client, submitted):
    w = submitted
    client.force_login(w.reviewer)
    page = client.get(reverse("reviews:review", args=[w.report_a.pk])).content.decode()
    assert "全年召开支部党员大会12次" in page
    assert "支部党员大会（次）" in page  # key figures
    assert reverse("reports:version_detail", args=[w.report_a.pk, 1]) in page
    for criterion in w.cycle.criteria.all():
        assert f'name="score_{criterion.pk}"' in page
    assert 'id="question-form"' in page and 'id="return-panel"' in page
    assert "<script>" not in page and "js/reviews.js" in page


def test_save_draft_then_submit_through_the_page(client, submitted):
    w = submitted
    client.force_login(w.reviewer)
    url = reverse("reviews:review", args=[w.report_a.pk])
    first = w.cycle.criteria.first()
    response = client.post(url, review_data(w.cycle, comment="", action="draft", **{f"score_{first.pk}": "20.5"}))
    assert response.status_code == 302
    review = Review.objects.get(reviewer=w.reviewer)
    assert review.status == Review.Status.DRAFT and review.scores.get().points == D("20.5")
    category = ProblemCategory.objects.get(name="组织建设")
    response = client.post(url, review_data(w.cycle, total=86, problems=[("党员教育不经常", category)]))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED and review.comment == "整体扎实。"
    assert [p.text for p in review.problems.all()] == ["党员教育不经常"]
    page = client.get(url).content.decode()
    assert "保存修改" in page and "保存草稿" not in page


def test_invalid_review_keeps_everything_typed(client, submitted):
    w = submitted
    client.force_login(w.reviewer)
    category = ProblemCategory.objects.get(name="作风建设")
    first = w.cycle.criteria.first()
    data = review_data(w.cycle, total=80, comment="", problems=[("调研不够深入", category)])
    data[f"score_{first.pk}"] = "30"  # above the maximum of 25
    response = client.post(reverse("reviews:review", args=[w.report_a.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "“履行党建工作责任”的得分应在 0 到 25 分之间。" in page
    assert "请填写点评意见。" in page
    assert 'value="30"' in page and "调研不够深入" in page
    assert not Review.objects.exists()


def test_submit_and_go_to_the_next_unreviewed(client, submitted):
    w = submitted
    client.force_login(w.reviewer)
    response = client.post(reverse("reviews:review", args=[w.report_a.pk]), review_data(w.cycle, total=80, action="submit_next"))
    assert response.status_code == 302 and response.url == reverse("reviews:review", args=[w.report_b.pk])
    response = client.post(reverse("reviews:review", args=[w.report_b.pk]), review_data(w.cycle, total=80, action="submit_next"))
    assert response.url == reverse("reviews:queue", args=[w.cycle.pk])


def test_outdated_review_links_to_what_changed(client, submitted):
    w = submitted
    submit_review(w.report_a, w.reviewer, 80)
    report_return(report=w.report_a, by=w.admin, reason="请补充数据")
    submit_report(w.report_a, text="一、履职情况：全年召开支部党员大会13次。")
    client.force_login(w.reviewer)
    page = client.get(reverse("reviews:review", args=[w.report_a.pk])).content.decode()
    assert "报告已更新，请重新评议" in page
    assert f'{reverse("reports:version_diff", args=[w.report_a.pk])}?a=1&amp;b=2' in page
    assert "全年召开支部党员大会13次" in page  # the latest version is shown
    queue = client.get(reverse("reviews:queue", args=[w.cycle.pk])).content.decode()
    assert "review-state-outdated" in queue


def test_questions_asked_by_the_reviewer_and_answered_by_the_secretary(client, submitted):
    w = submitted
    client.force_login(w.reviewer)
    response = client.post(reverse("reviews:question_ask", args=[w.report_a.pk]), {"text": "发展党员工作进展如何？"})
    assert response.status_code == 302
    response = client.post(reverse("reviews:question_ask", args=[w.report_a.pk]), {"text": "   "})
    assert response.status_code == 400
    question = Question.objects.get()
    client.force_login(w.secretary_a)
    url = reverse("reviews:secretary_questions", args=[w.report_a.pk])
    page = client.get(url).content.decode()
    assert "发展党员工作进展如何？" in page and "待答复" in page
    assert w.reviewer.display_name not in page  # names hidden by default
    response = client.post(url, {"question": question.pk, f"q{question.pk}-answer": ""})
    assert response.status_code == 400
    response = client.post(url, {"question": question.pk, f"q{question.pk}-answer": "今年发展2名。"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answer == "今年发展2名。"
    client.force_login(w.reviewer)
    assert "今年发展2名。" in client.get(reverse("reviews:review", args=[w.report_a.pk])).content.decode()


def test_secretary_cannot_answer_another_reports_question(client, submitted):
    w = submitted
    question = question_ask(report=w.report_b, by=w.reviewer, text="乙的问题")
    client.force_login(w.secretary_a)
    response = client.post(
        reverse("reviews:secretary_questions", args=[w.report_a.pk]), {"question": question.pk, f"q{question.pk}-answer": "x"}
    )
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.answer == ""


def test_reviewer_returns_a_report_with_a_reason(client, submitted):
    w = submitted
    client.force_login(w.reviewer)
    url = reverse("reviews:report_return", args=[w.report_a.pk])
    here = reverse("reviews:review", args=[w.report_a.pk])
    response = client.post(url, {"reason": "", "next": here})
    assert response.status_code == 400 and "请填写退回原因" in response.content.decode()  # the form again
    w.report_a.refresh_from_db()
    assert w.report_a.status == Report.Status.SUBMITTED
    response = client.post(url, {"reason": "存在问题部分过于简单", "next": here})
    assert response.url == here
    w.report_a.refresh_from_db()
    assert w.report_a.status == Report.Status.RETURNED and w.report_a.return_reason == "存在问题部分过于简单"
    assert w.report_a.returned_by == w.reviewer
    # an outside next is ignored
    response = client.post(reverse("reviews:report_return", args=[w.report_b.pk]), {"reason": "x", "next": "https://evil.example/"})
    assert response.url == reverse("reviews:index")


def test_admin_report_shows_every_review_with_history(client, submitted):
    w = submitted
    submit_review(w.report_a, w.reviewer, 80, comment="初评")
    submit_review(w.report_a, w.reviewer, 85, comment="复评")
    client.force_login(w.admin)
    page = client.get(reverse("reviews:admin_report", args=[w.report_a.pk])).content.decode()
    assert w.reviewer.display_name in page and "复评" in page
    assert "修改记录" in page and "初评" in page


def test_admin_index_lists_only_own_cycles(client, world):
    client.force_login(world.other_admin)
    page = client.get(reverse("reviews:admin_index")).content.decode()
    assert reverse("reviews:admin_cycle", args=[world.other_cycle.pk]) in page
    assert reverse("reviews:admin_cycle", args=[world.cycle.pk]) not in page


def test_django_admin_lists_review_models_read_only(client, submitted):
    w = submitted
    submit_review(w.report_a, w.reviewer, 80)
    submit_review(w.report_a, w.reviewer, 81)
    client.force_login(w.superuser)
    for model in ["criterion", "resultsettings", "problemcategory", "assignment", "review", "reviewchange", "question", "result"]:
        assert client.get(reverse(f"admin:reviews_{model}_changelist")).status_code == 200, model
    change = w.report_a.reviews.get().changes.get()
    page = client.get(reverse("admin:reviews_reviewchange_change", args=[change.pk])).content.decode()
    assert 'name="_save"' not in page  # read-only
