"""The result sheet of one organization: content and who may download it when."""

from urllib.parse import unquote

import pytest
from django.urls import reverse

from reports.models import Report
from reviews.models import ResultSettings
from reviews.results.documents import rank_text
from reviews.results.services import cycle_publish, results_compute
from tests.factories import INCOMPLETE_OK, OrganizationFactory

from .conftest import COMMENT_A, COMMENT_A2, page_count, pdf_text


def download(client, user, report):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("reviews:result_pdf", args=[report.pk]))


def test_result_sheet_content(client, scored_world, tmp_path):
    w = scored_world
    response = download(client, w.admin, w.report_a)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    name = unquote(response["Content-Disposition"].split("''")[1])
    assert name == f"甲社区党支部{w.cycle.year}年度述职评议结果.pdf"
    assert page_count(response.content) == 1

    text = pdf_text(response.content, tmp_path)
    assert "甲社区党支部" in text
    assert w.secretary_a.display_name in text
    assert f"{w.cycle.year}年度" in text
    for criterion in w.cycle.criteria.all():
        assert criterion.name in text
    assert COMMENT_A in text and COMMENT_A2 in text
    # Problems grouped by category, each text once although two reviewers named it.
    assert "组织建设" in text and "思想政治建设" in text
    assert text.count("三会一课记录不规范") == 1
    assert "理论学习不够深入" in text
    result = w.report_a.result
    assert str(result.total) in text
    assert str(result.review_score) in text
    assert "96.00" in text  # routine score
    assert "1（共2个）" in text  # rank 1 of the 2 organizations, both ranked
    assert "好" in text
    # Anonymous by default: no reviewer names.
    assert "评议人1" in text and "评议人2" in text
    assert "张评议" not in text and "李评议" not in text
    assert "乙社区党支部" not in text


def test_result_sheet_names_reviewers_and_hides_rank_per_settings(client, scored_world, tmp_path):
    w = scored_world
    ResultSettings.objects.filter(cycle=w.cycle).update(show_reviewer_names=True, show_rank=False, label_excellent="优秀")
    text = pdf_text(download(client, w.admin, w.report_a).content, tmp_path)
    assert "张评议" in text and "李评议" in text
    assert "评议人1" not in text
    assert "排名" not in text
    assert "优秀" in text


def test_anonymous_is_sent_to_login(client, published_world):
    response = download(client, None, published_world.report_a)
    assert response.status_code == 302


@pytest.mark.parametrize(
    "role, before, after",
    [
        ("admin", 200, 200),
        ("superuser", 200, 200),
        ("secretary_a", 404, 200),
        ("reviewer", 404, 200),
        ("secretary_b", 404, 404),
        ("other_reviewer", 404, 404),
        ("other_admin", 404, 404),
    ],
)
def test_who_may_download_before_and_after_publication(client, scored_world, role, before, after):
    w = scored_world
    user = getattr(w, role)
    assert download(client, user, w.report_a).status_code == before
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    assert download(client, user, w.report_a).status_code == after


def test_nobody_before_results_are_computed(client, world):
    for user in (world.admin, world.superuser, world.secretary_a):
        assert download(client, user, world.report_a).status_code == 404


def test_secretary_sees_own_published_result(client, published_world, tmp_path):
    text = pdf_text(download(client, published_world.secretary_a, published_world.report_a).content, tmp_path)
    assert "甲社区党支部" in text and "公布" in text


def test_rank_says_out_of_what_when_not_every_organization_is_ranked(client, scored_world, tmp_path):
    """Issue 20: “排名 2（共4）” in a cycle of 8. Only organizations with a total are ranked; the
    sheet says how many of the cycle's organizations that is, live and once published."""
    w = scored_world
    for name in ("丁社区党支部", "戊社区党支部"):  # in the cycle, not reviewed: no total, no rank
        Report.objects.create(cycle=w.cycle, organization=OrganizationFactory(name=name, parent=w.committee))
    results_compute(cycle=w.cycle, by=w.admin)
    expected = "1（4个党组织中2个有综合得分、参加排名）"
    assert expected in pdf_text(download(client, w.admin, w.report_a).content, tmp_path)
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    assert expected in pdf_text(download(client, w.secretary_a, w.report_a).content, tmp_path)
    page = client.get(reverse("reviews:secretary_result", args=[w.report_a.pk])).content.decode()
    assert '<div class="small text-muted" id="result-rank-of">4个党组织中2个有综合得分、参加排名</div>' in page


@pytest.mark.parametrize(
    "rank, ranked, reports, text",
    [
        (2, 8, 8, "2（共8个）"),
        (2, 4, 8, "2（8个党组织中4个有综合得分、参加排名）"),
        (2, 4, None, "2（4个参加排名）"),  # a sheet published before the count was kept
        (None, 4, 8, "—"),
    ],
)
def test_rank_text(rank, ranked, reports, text):
    assert rank_text(rank, ranked, reports) == text
