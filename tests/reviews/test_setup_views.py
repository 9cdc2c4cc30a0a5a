"""The administrators' setup pages doing their work, through the test client: routine scores,
assignments, rubric, settings."""

from decimal import Decimal as D

from django.urls import reverse

from branches.models import AuditEntry
from reviews.models import Assignment, Criterion, Result, ResultSettings
from tests.reviews.helpers import submit_review


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
