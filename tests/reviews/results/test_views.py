"""The results pages doing their work, through the test client: a secretary's result, the
results table, computing, overriding, publishing, closing."""

from django.urls import reverse

from reviews.models import ProblemCategory, Result
from reviews.results.services import cycle_publish, results_compute
from reviews.rubric_services import result_settings_update
from reviews.services import routine_scores_set
from tests.factories import INCOMPLETE_OK
from tests.reviews.helpers import submit_report, submit_review

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
    assert response.status_code == 400 and "请填写此项" in response.content.decode()
    response = client.post(override_url, {"grade": "good", "reason": "信访问题较多，按规定降一档"})
    assert response.url == results_url
    page = client.get(results_url).content.decode()
    assert "已调整" in page and "信访问题较多，按规定降一档" in page
    client.post(reverse("reviews:cycle_publish", args=[w.cycle.pk]), {"reason": INCOMPLETE_OK, "confirm": "1"})
    w.cycle.refresh_from_db()
    assert w.cycle.is_published
    client.post(reverse("reviews:cycle_close", args=[w.cycle.pk]), {"confirm": "1"})
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
    response = client.post(reverse("reviews:cycle_publish", args=[w.cycle.pk]), {"confirm": "1"})
    assert response.status_code == 400 and "须先重新计算才能公布" in response.content.decode()
    w.cycle.refresh_from_db()
    assert not w.cycle.is_published
