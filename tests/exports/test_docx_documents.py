"""The Word (.docx) twins of the printed documents: the report, one organization's result sheet,
the annual summary, the rectification ledger — content as in the PDF, same permissions."""

from urllib.parse import unquote

import pytest
from django.urls import reverse

from reviews.models import ResultSettings
from reviews.results.selectors import cycle_results, grade_distribution

from .conftest import COMMENT_A, COMMENT_A2, COMMENT_B, REPORT_TEXT, docx_text, submit_report

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args))


def filename(response):
    return unquote(response["Content-Disposition"].split("''")[1])


def test_report_docx_of_the_submitted_version(client, world):
    w = world
    version = submit_report(w.report_a, w.secretary_a, party_lectures=4)
    response = get(client, w.admin, "reports:report_docx", w.report_a.pk)
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert filename(response) == f"甲社区党支部{w.cycle.year}年度述职报告（第1版）.docx"
    text = docx_text(response.content)
    assert f"甲社区党支部书记{w.cycle.year}年度抓基层党建工作述职报告" in text
    for part in ("各位领导、同志们：", "一、工作开展情况", "（一）抓思想、强觉悟。全年召开主题党日12次。", "理论学习不够深入。"):
        assert part in text
    assert "草稿" not in text
    assert "提交时间：" in text and f"（第{version.number}版）" in text
    versioned = get(client, w.admin, "reports:version_docx", w.report_a.pk, version.number)
    assert filename(versioned) == filename(response)
    assert docx_text(versioned.content) == text


def test_report_docx_draft_for_its_secretary_only(client, world):
    w = world
    from reports.services import report_save_draft

    report_save_draft(report=w.report_a, by=w.secretary_a, data={"performance": "草拟的履职情况"}, base_revision=w.report_a.revision)
    response = get(client, w.secretary_a, "reports:report_docx", w.report_a.pk)
    assert response.status_code == 200
    assert filename(response).endswith("（草稿）.docx")
    text = docx_text(response.content)
    assert "草拟的履职情况" in text and "草稿" in text
    # Nothing submitted: nobody else gets a document.
    assert get(client, w.admin, "reports:report_docx", w.report_a.pk).status_code == 404
    assert get(client, w.secretary_b, "reports:report_docx", w.report_a.pk).status_code == 404


def test_result_docx_matches_the_result_sheet(client, scored_world):
    w = scored_world
    response = get(client, w.admin, "reviews:result_docx", w.report_a.pk)
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert filename(response) == f"甲社区党支部{w.cycle.year}年度述职评议结果.docx"
    text = docx_text(response.content)
    result = w.report_a.result
    assert str(result.total) in text and str(result.review_score) in text and "96.00" in text
    assert "1（共2）" in text
    assert COMMENT_A in text and COMMENT_A2 in text and COMMENT_B not in text
    assert text.count("三会一课记录不规范") == 1
    assert "评议人1" in text and "评议人2" in text
    assert "张评议" not in text and "李评议" not in text
    assert "尚未公布（仅供组织部门审核）" in text
    for criterion in w.cycle.criteria.all():
        assert criterion.name in text


def test_result_docx_follows_the_name_and_rank_settings(client, scored_world):
    w = scored_world
    ResultSettings.objects.filter(cycle=w.cycle).update(show_reviewer_names=True, show_rank=False, label_excellent="优秀")
    text = docx_text(get(client, w.admin, "reviews:result_docx", w.report_a.pk).content)
    assert "张评议" in text and "李评议" in text and "评议人1" not in text
    assert "排名" not in text and "优秀" in text


def test_result_docx_for_the_secretary_only_once_published(client, scored_world):
    w = scored_world
    assert get(client, w.secretary_a, "reviews:result_docx", w.report_a.pk).status_code == 404
    from reviews.results.services import cycle_publish
    from tests.factories import INCOMPLETE_OK

    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    response = get(client, w.secretary_a, "reviews:result_docx", w.report_a.pk)
    assert response.status_code == 200
    assert "已于" in docx_text(response.content)
    assert get(client, w.secretary_b, "reviews:result_docx", w.report_a.pk).status_code == 404


def test_summary_docx_carries_what_the_pdf_does(client, scored_world):
    w = scored_world
    response = get(client, w.admin, "reviews:summary_docx", w.cycle.pk)
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    text = docx_text(response.content)
    rows = cycle_results(w.cycle)
    for row in rows:
        assert f"{row.rank} | {row.organization.name}" in text
        assert str(row.total) in text
    for item in grade_distribution(w.cycle):
        if item["count"]:
            assert f"{item['label']} | {item['count']}个 | {item['percent']}%" in text
    assert "三、各项评价指标平均得分" in text
    assert "组织建设（涉及2个党组织，共4条）" in text
    assert "三会一课记录不规范（2个党组织）" in text
    assert "制表人：" in text and "（盖章）" in text
    assert get(client, w.secretary_a, "reviews:summary_docx", w.cycle.pk).status_code == 404
    assert get(client, w.reviewer, "reviews:summary_docx", w.cycle.pk).status_code == 404


@pytest.mark.django_db
def test_ledger_docx(client, published_world):
    w = published_world
    response = get(client, w.admin, "reviews:rectification_ledger_docx", w.cycle.pk)
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    text = docx_text(response.content)
    assert "问题整改台账" in text
    assert "甲社区党支部" in text and "乙社区党支部" in text
    assert "党员发展工作滞后" in text and "组织建设" in text
    assert get(client, w.secretary_a, "reviews:rectification_ledger_docx", w.cycle.pk).status_code == 404


def test_report_text_parts_survive(client, world):
    w = world
    submit_report(w.report_a, w.secretary_a)
    text = docx_text(get(client, w.reviewer, "reports:report_docx", w.report_a.pk).content)
    for line in "\n".join(REPORT_TEXT.values()).splitlines():
        assert line in text
