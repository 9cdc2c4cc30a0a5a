"""The review and results pages doing their work, through the test client."""

from decimal import Decimal as D

from django.urls import reverse

from branches.models import AuditEntry
from reports.models import Report
from reports.services import report_return
from reviews.models import Assignment, Criterion, ProblemCategory, Question, Result, ResultSettings, Review
from reviews.results.services import cycle_publish, results_compute
from reviews.rubric_services import result_settings_update
from reviews.services import question_ask, routine_scores_set
from tests.reviews.helpers import scores_totalling, submit_report, submit_review
from tests.factories import INCOMPLETE_OK




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


# ---------------------------------------------------------------- secretary's result


def _publishable(w, **settings):
    submit_review(w.report_a, w.reviewer, 92, comment="甲支部工作有特色。", problems=[{"text": "台账不规范", "category": ProblemCategory.objects.get(name="组织建设")}])
    submit_review(w.report_b, w.reviewer, 70, comment="乙支部需加强。")
    if settings:
        result_settings_update(settings=w.cycle.result_settings, data=settings, by=w.admin)
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: 90, w.report_b.pk: 80}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)


def test_secretary_sees_nothing_before_publication(client, submitted):
    w = submitted
    _publishable(w)
    client.force_login(w.secretary_a)
    page = client.get(reverse("reviews:secretary_result", args=[w.report_a.pk])).content.decode()
    assert "评议结果尚未公布" in page
    assert "91.20" not in page and "甲支部工作有特色。" not in page and "台账不规范" not in page


def test_secretary_sees_own_result_after_publication_and_nothing_of_others(client, submitted):
    w = submitted
    _publishable(w)
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    client.force_login(w.secretary_a)
    page = client.get(reverse("reviews:secretary_result", args=[w.report_a.pk])).content.decode()
    # 92 × .6 + 90 × .4 = 55.2 + 36 = 91.2
    assert "91.20" in page and 'id="result-grade">好' in page
    assert 'id="result-rank">1' in page
    assert "甲支部工作有特色。" in page and "台账不规范" in page
    assert "评议人1" in page and w.reviewer.display_name not in page
    assert "乙支部需加强。" not in page and "乙社区党支部" not in page
    assert client.get(reverse("reviews:secretary_result", args=[w.report_b.pk])).status_code == 404


def test_secretary_result_follows_the_name_and_rank_settings(client, submitted):
    w = submitted
    _publishable(w, show_rank=False, show_reviewer_names=True, label_excellent="优秀", label_good="称职", label_fair="基本称职", label_poor="不称职")
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    client.force_login(w.secretary_a)
    page = client.get(reverse("reviews:secretary_result", args=[w.report_a.pk])).content.decode()
    assert w.reviewer.display_name in page
    assert 'id="result-rank"' not in page
    assert 'id="result-grade">优秀' in page


# ---------------------------------------------------------------- administrator


def test_results_page_computes_overrides_publishes_and_closes(client, submitted):
    w = submitted
    submit_review(w.report_a, w.reviewer, 92)
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: 90}, by=w.admin)
    client.force_login(w.admin)
    results_url = reverse("reviews:results", args=[w.cycle.pk])
    page = client.get(results_url).content.decode()
    assert "尚未计算结果" in page
    assert client.post(reverse("reviews:results_compute", args=[w.cycle.pk])).url == results_url
    response = client.get(results_url)
    page = response.content.decode()
    assert "91.20" in page and "结果已是最新" in page
    flags = {row.organization.name: row.flags for row in response.context["rows"]}
    assert flags == {"甲社区党支部": [], "乙社区党支部": ["评议未完成", "缺现场评议得分", "缺日常考核得分"]}
    result = Result.objects.get(report=w.report_a)
    override_url = reverse("reviews:result_override", args=[result.pk])
    response = client.post(override_url, {"grade": "good", "reason": ""})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    response = client.post(override_url, {"grade": "good", "reason": "信访问题较多，按规定降一档"})
    assert response.url == results_url
    page = client.get(results_url).content.decode()
    assert "已调整" in page and "信访问题较多，按规定降一档" in page
    client.post(reverse("reviews:cycle_publish", args=[w.cycle.pk]), {"reason": INCOMPLETE_OK})
    w.cycle.refresh_from_db()
    assert w.cycle.is_published
    client.post(reverse("reviews:cycle_close", args=[w.cycle.pk]))
    w.cycle.refresh_from_db()
    assert w.cycle.is_closed
    page = client.get(results_url).content.decode()
    assert "结束本年度评议…</a>" not in page and "调整等次</a>" not in page


def test_results_page_flags_unsubmitted_and_incomplete(client, world):
    submit_report(world.report_a)
    client.force_login(world.admin)
    page = client.get(reverse("reviews:results", args=[world.cycle.pk])).content.decode()
    assert "评议未完成" in page and "未提交" in page


def test_publish_refused_with_stale_results(client, submitted):
    w = submitted
    results_compute(cycle=w.cycle, by=w.admin)
    submit_review(w.report_a, w.reviewer, 80)
    client.force_login(w.admin)
    response = client.post(reverse("reviews:cycle_publish", args=[w.cycle.pk]), follow=True)
    assert "请重新计算结果后再公布" in response.content.decode()
    w.cycle.refresh_from_db()
    assert not w.cycle.is_published


def test_routine_scores_form_saves_all_and_keeps_bad_input(client, submitted):
    w = submitted
    client.force_login(w.admin)
    url = reverse("reviews:routine_scores", args=[w.cycle.pk])
    response = client.post(url, {f"routine_{w.report_a.pk}": "88.5", f"routine_{w.report_b.pk}": "120"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="120"' in page and 'value="88.5"' in page
    assert not Result.objects.exists()
    response = client.post(url, {f"routine_{w.report_a.pk}": "88.5", f"routine_{w.report_b.pk}": "75"})
    assert response.status_code == 302
    assert dict(Result.objects.values_list("report_id", "routine_score")) == {w.report_a.pk: D("88.5"), w.report_b.pk: D("75")}


def test_assignments_page_adds_and_removes_and_refuses_the_conflict(client, world):
    world.committee.committee_members.add(world.secretary_a)
    client.force_login(world.admin)
    url = reverse("reviews:assignments", args=[world.cycle.pk])
    page = client.get(url).content.decode()
    assert world.reviewer.display_name in page
    response = client.post(url, {"report": world.report_a.pk, "reviewer": world.secretary_a.pk}, follow=True)
    assert "不能评议本组织的述职报告" in response.content.decode()
    assert not Assignment.objects.filter(reviewer=world.secretary_a, report=world.report_a).exists()
    client.post(url, {"report": world.report_b.pk, "reviewer": world.secretary_a.pk})
    assignment = Assignment.objects.get(reviewer=world.secretary_a, report=world.report_b)
    # another committee's member cannot be chosen at all
    assert client.post(url, {"report": world.report_b.pk, "reviewer": world.other_reviewer.pk}).status_code == 404
    client.post(reverse("reviews:assignment_remove", args=[assignment.pk]))
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ASSIGNMENT_CHANGED).count() == 2


def test_rubric_editor_adds_and_locks(client, submitted):
    w = submitted
    client.force_login(w.admin)
    url = reverse("reviews:rubric", args=[w.cycle.pk])
    response = client.post(url, {"name": "述职报告质量", "max_points": "5", "order": "", "description": ""})
    assert response.status_code == 400 and "本年度已有名为“述职报告质量”的指标。" in response.content.decode()
    response = client.post(url, {"name": "群众评价", "max_points": "5", "order": "", "description": "走访"})
    assert response.status_code == 302 and Criterion.objects.filter(cycle=w.cycle, name="群众评价").exists()
    assert "不是 100 分" in client.get(url).content.decode()
    submit_review(w.report_a, w.reviewer, 80)
    page = client.get(url).content.decode()
    assert "评价指标已锁定" in page and 'id="criterion-form"' not in page
    response = client.post(url, {"name": "再加一项", "max_points": "5"})
    assert response.status_code == 400 and not Criterion.objects.filter(name="再加一项").exists()


def test_settings_form_validates_in_chinese_and_saves(client, world):
    client.force_login(world.admin)
    url = reverse("reviews:result_settings", args=[world.cycle.pk])
    data = {
        "aggregation": "trimmed_mean",
        "review_weight": "30", "routine_weight": "40", "ballot_weight": "20",
        "threshold_excellent": "90", "threshold_good": "80", "threshold_fair": "60",
        "label_excellent": "优秀", "label_good": "称职", "label_fair": "基本称职", "label_poor": "不称职",
        "top_grade_cap_numerator": "1", "top_grade_cap_denominator": "3",
        "show_rank": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "各项权重之和须为 100，当前为 90。" in response.content.decode()
    assert 'value="优秀"' in response.content.decode()
    data["ballot_weight"] = "30"
    assert client.post(url, data).status_code == 302
    settings = ResultSettings.objects.get(cycle=world.cycle)
    assert (settings.aggregation, settings.ballot_weight, settings.label_excellent, settings.show_reviewer_names) == (
        "trimmed_mean", 30, "优秀", False,
    )


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


def test_criterion_edit_on_the_rubric_page(client, world):
    criterion = world.cycle.criteria.get(name="述职报告质量")
    client.force_login(world.admin)
    url = reverse("reviews:criterion_edit", args=[criterion.pk])
    page = client.get(url).content.decode()
    assert "修改评价指标“述职报告质量”" in page and 'value="述职报告质量"' in page
    response = client.post(url, {"name": "解决突出问题", "max_points": "10", "order": "4", "description": ""})
    assert response.status_code == 400 and "本年度已有名为“解决突出问题”的指标。" in response.content.decode()
    response = client.post(url, {"name": "述职报告质量", "max_points": "15", "order": "4", "description": "新说明"})
    assert response.url == reverse("reviews:rubric", args=[world.cycle.pk])
    criterion.refresh_from_db()
    assert (criterion.max_points, criterion.description) == (D("15"), "新说明")
