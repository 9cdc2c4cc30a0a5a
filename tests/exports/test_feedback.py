"""点评反馈意见书: one per organization from the frozen published sheet; the secretary gets their
own once published (never before, never another's), the administrators all as one .zip."""

import io
import re
import zipfile
from datetime import date

from django.urls import reverse

from reviews.models import RectificationItem, Review
from reviews.results.feedback import letter_title
from reviews.results.services import cycle_withdraw, notice_save

from .conftest import COMMENT_A, COMMENT_A2, COMMENT_B, docx_text, pdf_text


def get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args))


def flat(text):
    return re.sub(r"\s+", "", text)


def test_letter_merges_comments_and_problems_for_the_secretary(client, published_world):
    w = published_world
    notice_save(cycle=w.cycle, by=w.admin, addressee="各党支部", requirements="", rectification_deadline=date(2027, 3, 31))
    item = RectificationItem.objects.filter(plan__report=w.report_a).order_by("order").first()
    item.deadline = date(2027, 6, 30)
    item.save(update_fields=["deadline"])
    response = get(client, w.secretary_a, "reviews:feedback_docx", w.report_a.pk)
    assert response.status_code == 200
    text = docx_text(response.content)
    assert letter_title(w.cycle, "甲社区党支部") in text
    assert f"{w.secretary_a.display_name}同志：" in text
    assert "一、主要成绩" in text and "二、存在问题" in text and "三、整改要求" in text
    assert COMMENT_A in text and COMMENT_A2 in text and COMMENT_B not in text
    assert "（一）思想政治建设方面" in text or "（一）组织建设方面" in text
    assert text.count("三会一课记录不规范") == 2  # once under 存在问题, once with its deadline
    assert "理论学习不够深入" in text
    assert "于2027年3月31日前在述评系统中提交整改清单" in text
    assert f"{item.text}：2027年6月30日前完成。" in text
    result = w.report_a.result
    assert f"述职评议等次为“{result_label(w)}”" in text and f"综合得分{result.total}分" in text
    # Reviewers are never named in a letter.
    for name in ("张评议", "李评议", "评议人1", "评议人2"):
        assert name not in text


def result_label(w):
    from reviews.results.selectors import cycle_results

    return next(row.grade_label for row in cycle_results(w.cycle) if row.report.pk == w.report_a.pk)


def test_letter_reads_the_frozen_sheet(client, published_world):
    w = published_world
    Review.objects.filter(report=w.report_a).update(comment="公布后改库的文字")
    text = docx_text(get(client, w.secretary_a, "reviews:feedback_docx", w.report_a.pk).content)
    assert "公布后改库的文字" not in text and COMMENT_A in text


def test_letter_pdf(client, published_world, tmp_path):
    w = published_world
    response = get(client, w.secretary_a, "reviews:feedback_pdf", w.report_a.pk)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content, tmp_path))
    assert flat(letter_title(w.cycle, "甲社区党支部")) in text and flat(COMMENT_A) in text


def test_secretary_gets_nothing_before_publication_nor_while_withdrawn(client, scored_world):
    w = scored_world
    for name in ("reviews:feedback_docx", "reviews:feedback_pdf"):
        assert get(client, w.secretary_a, name, w.report_a.pk).status_code == 404
        assert get(client, w.admin, name, w.report_a.pk).status_code == 404
    from reviews.results.services import cycle_publish
    from tests.factories import INCOMPLETE_OK

    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    assert get(client, w.secretary_a, "reviews:feedback_docx", w.report_a.pk).status_code == 200
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="更正")
    assert get(client, w.secretary_a, "reviews:feedback_docx", w.report_a.pk).status_code == 404
    assert get(client, w.admin, "reviews:feedback_docx_zip", w.cycle.pk).status_code == 404


def test_never_another_organizations_letter(client, published_world):
    w = published_world
    assert get(client, w.secretary_b, "reviews:feedback_docx", w.report_a.pk).status_code == 404
    assert get(client, w.secretary_a, "reviews:feedback_docx", w.report_b.pk).status_code == 404
    assert get(client, w.reviewer, "reviews:feedback_docx", w.report_a.pk).status_code == 404
    assert get(client, w.other_admin, "reviews:feedback_docx", w.report_a.pk).status_code == 404
    for user in (w.secretary_a, w.reviewer, w.other_admin):
        assert get(client, user, "reviews:feedback_docx_zip", w.cycle.pk).status_code == 404


def test_administrator_downloads_all_as_one_zip(client, published_world):
    w = published_world
    response = get(client, w.admin, "reviews:feedback_docx_zip", w.cycle.pk)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert names == sorted(f"{letter_title(w.cycle, name)}.docx" for name in ("甲社区党支部", "乙社区党支部"))
    texts = {name: docx_text(archive.read(name)) for name in names}
    a = texts[f"{letter_title(w.cycle, '甲社区党支部')}.docx"]
    b = texts[f"{letter_title(w.cycle, '乙社区党支部')}.docx"]
    assert COMMENT_A in a and COMMENT_B not in a
    assert COMMENT_B in b and "党员发展工作滞后" in b and COMMENT_A not in b
    pdfs = zipfile.ZipFile(io.BytesIO(get(client, w.admin, "reviews:feedback_pdf_zip", w.cycle.pk).content))
    assert all(name.endswith(".pdf") for name in pdfs.namelist()) and len(pdfs.namelist()) == 2
