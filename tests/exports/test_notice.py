"""The 情况通报: drafted from the published results (every figure as the results selectors give
it), 主送 and 五、下一步工作要求 written once per cycle and reusable from last year, .docx and PDF,
for the cycle's administrators once published."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from branches.models import AuditEntry
from reports.models import ReportVersion
from reviews.models import Notice
from reviews.results.notice import notice_title
from reviews.results.selectors import cycle_results, grade_distribution
from reviews.results.services import cycle_withdraw, notice_reuse_previous, notice_save
from reviews.results.summary import common_problems
from tests.factories import launch_cycle

from .conftest import docx_text, page_count, pdf_text

REQUIREMENTS = "（一）压紧压实党建工作责任。各党组织书记要履行第一责任人职责。\n（二）抓好问题整改落实。对照问题清单逐项整改。"


def flat(text):
    return re.sub(r"\s+", "", text)


def get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args))


@pytest.fixture
def noticed_world(published_world):
    w = published_world
    figures = {
        w.report_a.pk: {"party_lectures": 4, "theme_days": 12, "new_members": 2, "member_count": 35},
        w.report_b.pk: {"party_lectures": 3, "theme_days": 11, "member_count": 20},
    }
    for version in ReportVersion.objects.filter(report__cycle=w.cycle):
        version.figures = figures[version.report_id]
        version.save(update_fields=["figures"])
    notice_save(cycle=w.cycle, by=w.admin, addressee="各社区党支部", requirements=REQUIREMENTS)
    return w


def expected_lines(cycle):
    """The notice's figures, computed here from the results selectors and the versions."""
    rows = cycle_results(cycle)
    lines = [f"参加述职评议的党组织共{len(rows)}个，其中{sum(row.is_submitted for row in rows)}个党组织书记提交了述职报告"]
    for item in grade_distribution(cycle):
        if item["count"]:
            names = "、".join(row.organization.name for row in rows if row.grade == item["grade"])
            lines.append(f"“{item['label']}”等次{item['count']}个（占{item['percent']}%）：{names}。")
    for group in common_problems(cycle, per_category=3):
        lines.append(f"{group.category}方面。涉及{group.organizations}个党组织，评议中共指出{group.mentions}条")
        for text, organizations, _mentions in group.top:
            lines.append(f"{text}（{organizations}个党组织）")
    versions = list(ReportVersion.objects.filter(report__cycle=cycle))
    total = {name: sum(v.figures.get(name, 0) for v in versions) for name in ("party_lectures", "theme_days", "new_members", "member_count")}
    lines.append(f"讲党课{total['party_lectures']}次，开展主题党日{total['theme_days']}次，发展党员{total['new_members']}名")
    lines.append(f"现有党员共{total['member_count']}名")
    for row in rows:
        lines.append(f"{row.organization.name} | {row.secretary.display_name} | {row.total} | {row.grade_label}")
    return lines


def test_notice_docx_figures_equal_the_results(client, noticed_world):
    w = noticed_world
    response = get(client, w.admin, "reviews:notice_docx", w.cycle.pk)
    assert response.status_code == 200
    text = docx_text(response.content)
    assert notice_title(w.cycle) in text
    assert "各社区党支部：" in text
    for heading in ("一、基本情况", "二、评议结果", "三、主要成效", "四、存在的共性问题", "五、下一步工作要求"):
        assert heading in text
    for line in expected_lines(w.cycle):
        assert line in text, line
    # Grades as the results page shows them: one 好 (甲) and the other not 好.
    rows = cycle_results(w.cycle)
    assert [row.organization.name for row in rows] == ["甲社区党支部", "乙社区党支部"]
    assert rows[0].grade != rows[1].grade
    assert "（一）压紧压实党建工作责任。各党组织书记要履行第一责任人职责。" in text
    assert f"附件：{w.cycle.year}年度党组织书记抓基层党建工作述职评议等次名单" in text
    lines = text.splitlines()
    signature = lines.index(w.cycle.organization.name)
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", lines[signature + 1])
    assert lines[signature + 3 :] == ["附件", f"{w.cycle.year}年度党组织书记抓基层党建工作述职评议等次名单", "", "序号 | 党组织 | 书记 | 综合得分 | 等次"] + lines[signature + 7 :]


def test_notice_pdf_says_the_same(client, noticed_world, tmp_path):
    w = noticed_world
    response = get(client, w.admin, "reviews:notice_pdf", w.cycle.pk)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content, tmp_path))
    assert flat(notice_title(w.cycle)) in text
    for line in expected_lines(w.cycle):
        assert flat(line.replace(" | ", "")) in text, line
    assert page_count(response.content) >= 2  # the grade list on its own page


def test_notice_requirements_heading_levels(client, noticed_world):
    import io

    from docx import Document

    w = noticed_world
    document = Document(io.BytesIO(get(client, w.admin, "reviews:notice_docx", w.cycle.pk).content))
    runs = {run.text: run for paragraph in document.paragraphs for run in paragraph.runs}
    assert runs["五、下一步工作要求"]._r.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "黑体"
    assert runs["（一）压紧压实党建工作责任。"]._r.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "楷体_GB2312"


def test_notice_only_for_administrators_once_published(client, scored_world):
    w = scored_world
    page = get(client, w.admin, "reviews:notice", w.cycle.pk)
    assert page.status_code == 200 and "结果公布后即可下载" in page.content.decode()
    assert 'id="notice-docx"' not in page.content.decode()
    assert get(client, w.admin, "reviews:notice_docx", w.cycle.pk).status_code == 404
    assert get(client, w.admin, "reviews:notice_pdf", w.cycle.pk).status_code == 404


def test_notice_withdrawn_is_gone(client, noticed_world):
    w = noticed_world
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="更正评分")
    assert get(client, w.admin, "reviews:notice_docx", w.cycle.pk).status_code == 404
    for user in (w.secretary_a, w.reviewer, w.other_admin):
        assert get(client, user, "reviews:notice_docx", w.cycle.pk).status_code == 404


def test_notice_form_saves_keeps_input_on_error_and_audits(client, published_world):
    w = published_world
    client.force_login(w.admin)
    url = reverse("reviews:notice", args=[w.cycle.pk])
    response = client.post(url, {"addressee": "", "requirements": "我写的要求"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写主送单位" in body and "我写的要求" in body
    assert not Notice.objects.filter(cycle=w.cycle).exists()
    response = client.post(url, {"addressee": "各党支部：", "requirements": "  （一）抓落实。 "})
    assert response.status_code == 302
    notice = Notice.objects.get(cycle=w.cycle)
    assert (notice.addressee, notice.requirements, notice.updated_by) == ("各党支部", "（一）抓落实。", w.admin)
    entry = AuditEntry.objects.filter(object_type="reviews.notice").get()
    assert entry.changes["下一步工作要求"] == {"old": "", "new": "（一）抓落实。"}
    # Saving the same again records nothing.
    client.post(url, {"addressee": "各党支部", "requirements": "（一）抓落实。"})
    assert AuditEntry.objects.filter(object_type="reviews.notice").count() == 1
    too_long = client.post(url, {"addressee": "各党支部", "requirements": "字" * 8001})
    assert too_long.status_code == 400


def test_reuse_last_years_requirements(client, published_world):
    w = published_world
    earlier = launch_cycle(organization=w.committee, year=w.cycle.year - 1, by=w.admin, participants=[])
    older = launch_cycle(organization=w.committee, year=w.cycle.year - 2, by=w.admin, participants=[])
    notice_save(cycle=older, by=w.admin, addressee="各支部", requirements="前年的要求")
    notice_save(cycle=earlier, by=w.admin, addressee="各党支部", requirements="去年的要求")
    client.force_login(w.admin)
    page = client.get(reverse("reviews:notice", args=[w.cycle.pk])).content.decode()
    assert f"沿用{w.cycle.year - 1}年度的内容" in page
    response = client.post(reverse("reviews:notice_reuse", args=[w.cycle.pk]))
    assert response.status_code == 302
    assert Notice.objects.get(cycle=w.cycle).requirements == "去年的要求"
    # With text already there, one click does not replace it silently.
    notice_save(cycle=w.cycle, by=w.admin, addressee="各党支部", requirements="今年改过的要求")
    client.post(reverse("reviews:notice_reuse", args=[w.cycle.pk]))
    assert Notice.objects.get(cycle=w.cycle).requirements == "今年改过的要求"
    client.post(reverse("reviews:notice_reuse", args=[w.cycle.pk]), {"replace": "1"})
    assert Notice.objects.get(cycle=w.cycle).requirements == "去年的要求"
    entry = AuditEntry.objects.filter(object_type="reviews.notice", object_id=Notice.objects.get(cycle=w.cycle).pk).order_by("pk").last()
    assert entry.changes["下一步工作要求"]["old"] == "今年改过的要求"


def test_reuse_without_an_earlier_text(published_world):
    w = published_world
    # Another organization's text is not ours to reuse.
    other = launch_cycle(organization=w.other_committee, year=w.cycle.year - 1, by=w.other_admin, participants=[])
    notice_save(cycle=other, by=w.other_admin, addressee="各党支部", requirements="别人的要求")
    with pytest.raises(ValidationError):
        notice_reuse_previous(cycle=w.cycle, by=w.admin)
