"""The report PDF download: who gets what."""

from urllib.parse import unquote

import pytest
from django.urls import reverse

from reports.services import report_return, report_save_draft

from .conftest import page_count, pdf_text, submit_report


def download(client, user, report, number=None):
    if user is not None:
        client.force_login(user)
    if number is None:
        return client.get(reverse("reports:report_pdf", args=[report.pk]))
    return client.get(reverse("reports:version_pdf", args=[report.pk, number]))


def filename(response):
    return unquote(response["Content-Disposition"].split("filename*=utf-8''")[1])


@pytest.fixture
def submitted_world(world):
    submit_report(world.report_a, world.secretary_a, performance="一、工作开展情况\n甲支部全年召开主题党日12次。")
    return world


def test_anonymous_is_sent_to_login(client, submitted_world):
    response = download(client, None, submitted_world.report_a)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    "role, status",
    [
        ("secretary_a", 200),
        ("secretary_b", 404),
        ("reviewer", 200),
        ("other_reviewer", 404),
        ("admin", 200),
        ("other_admin", 404),
        ("superuser", 200),
    ],
)
def test_submitted_report_by_role(client, submitted_world, role, status):
    response = download(client, getattr(submitted_world, role), submitted_world.report_a)
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert filename(response) == "甲社区党支部" + str(submitted_world.cycle.year) + "年度述职报告（第1版）.pdf"


def test_submitted_report_content(client, submitted_world, tmp_path):
    w = submitted_world
    response = download(client, w.reviewer, w.report_a)
    content = response.content
    text = pdf_text(content, tmp_path)
    assert "甲社区党支部" in text
    assert f"{w.cycle.year}年度" in text
    assert "甲支部全年召开主题党日12次。" in text
    assert "提交时间：" in text and "（第1版）" in text
    assert "草稿" not in text
    assert page_count(content) == 1


@pytest.mark.parametrize("role", ["reviewer", "admin", "superuser", "secretary_b", "other_admin"])
def test_nobody_but_the_secretary_sees_an_unsubmitted_report(client, world, role):
    assert download(client, getattr(world, role), world.report_a).status_code == 404


def test_secretary_gets_the_draft_marked_draft(client, world, tmp_path):
    report_save_draft(report=world.report_a, by=world.secretary_a, data={"performance": "还在修改的草稿。"}, base_revision=None)
    response = download(client, world.secretary_a, world.report_a)
    assert response.status_code == 200
    assert filename(response).endswith("年度述职报告（草稿）.pdf")
    text = pdf_text(response.content, tmp_path)
    assert "草稿" in text and "还在修改的草稿。" in text


def test_returned_report_secretary_gets_the_draft_readers_the_last_version(client, submitted_world, tmp_path):
    w = submitted_world
    report_return(report=w.report_a, by=w.admin, reason="请补充整改情况。")
    w.report_a.refresh_from_db()
    report_save_draft(report=w.report_a, by=w.secretary_a, data={"performance": "修改后的新文字。"}, base_revision=None)

    secretary_text = pdf_text(download(client, w.secretary_a, w.report_a).content, tmp_path)
    assert "修改后的新文字。" in secretary_text and "草稿" in secretary_text
    reviewer_text = pdf_text(download(client, w.reviewer, w.report_a).content, tmp_path)
    assert "甲支部全年召开主题党日12次。" in reviewer_text and "修改后的新文字。" not in reviewer_text


def test_version_download(client, submitted_world, tmp_path):
    w = submitted_world
    response = download(client, w.admin, w.report_a, number=1)
    assert response.status_code == 200
    assert "（第1版）" in pdf_text(response.content, tmp_path)
    assert download(client, w.admin, w.report_a, number=2).status_code == 404
    assert download(client, w.other_admin, w.report_a, number=1).status_code == 404
    assert download(client, w.secretary_b, w.report_a, number=1).status_code == 404


def test_other_committees_report_by_guessed_url(client, submitted_world):
    w = submitted_world
    submit_report(w.report_c, w.secretary_c)
    assert download(client, w.reviewer, w.report_c).status_code == 404
    assert download(client, w.admin, w.report_c, number=1).status_code == 404
