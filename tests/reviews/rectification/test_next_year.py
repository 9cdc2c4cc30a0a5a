"""Into next year: the 上年度问题整改情况 section pre-filled, and last year's items beside the report."""

import datetime
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import Report
from reports.services import report_save_draft
from reviews.rectification.next_year import report_prefill_rectification
from reviews.rectification.selectors import last_year_items, rectification_prefill_text
from reviews.rectification.services import item_confirm, progress_report
from tests.test_get_writes_nothing import writes_of

TODAY = datetime.date(2026, 4, 1)


def test_prefill_text_lists_last_years_problems_measures_and_states(next_year):
    item = next_year.items_a[0]
    progress_report(item=item, by=next_year.secretary_a, text="完成")
    item_confirm(item=item, by=next_year.admin)

    text = rectification_prefill_text(next_year.next_report_a, TODAY)

    assert f"针对{next_year.cycle.year}年度述职评议指出的3个问题" in text
    assert "已完成整改1项" in text
    for other in next_year.items_a:
        assert other.text in text and other.measures in text
    assert "整改状态为已完成" in text and "整改状态为未开始" in text
    assert "责任人：王书记" in text


def test_opening_this_years_report_saves_the_prefilled_section_through_the_reports_service(next_year):
    report = report_prefill_rectification(report=next_year.next_report_a, by=next_year.secretary_a, today=TODAY)
    report.refresh_from_db()
    assert report.rectification.startswith(f"针对{next_year.cycle.year}年度")
    assert report.status == Report.Status.DRAFT
    revision = report.revision
    # Once written, nothing is overwritten: the secretary's own text stays.
    report_save_draft(report=report, by=next_year.secretary_a, data={"rectification": "我自己写的整改情况"}, base_revision=revision)
    report.refresh_from_db()
    again = report_prefill_rectification(report=report, by=next_year.secretary_a, today=TODAY)
    assert again.rectification == "我自己写的整改情况"


def test_no_prefill_without_last_years_items(world):
    report = report_prefill_rectification(report=world.report_a, by=world.secretary_a, today=TODAY)
    report.refresh_from_db()
    assert report.rectification == "" and report.status == Report.Status.NOT_STARTED


def test_editor_shows_the_prefilled_section_ready_to_edit(client, next_year):
    client.force_login(next_year.secretary_a)
    # 撰写 is a POST (reports:start) that drafts the section, then the editor shows it.
    response = client.post(reverse("reports:start", args=[next_year.next_report_a.pk]), follow=True)
    assert response.status_code == 200
    assert "理论学习不够深入" in response.context["form"]["rectification"].value()
    assert "理论学习不够深入" in response.content.decode()


def test_other_organizations_reports_get_nothing_from_branch_a(next_year):
    next_report_b = next_year.next_cycle.reports.get(organization=next_year.branch_b)
    plan, items = last_year_items(next_report_b, TODAY)
    assert plan == next_year.plan_b
    assert [item.text for item in items] == ["党建与业务融合不够"]


def test_reviewer_sees_last_years_items_and_states_beside_the_report(client, next_year):
    from tests.reviews.helpers import submit_report

    report = next_year.next_report_a
    report_prefill_rectification(report=report, by=next_year.secretary_a)
    submit_report(report)
    client.force_login(next_year.reviewer)
    for today, state in [(TODAY, "not_started"), (datetime.date(2026, 7, 1), "overdue")]:
        with mock.patch("reviews.rectification.selectors.rectification_today", return_value=today):
            response = client.get(reverse("reviews:review", args=[report.pk]))
        assert response.status_code == 200
        body = response.content.decode()
        assert 'id="last-year-rectification"' in body
        assert "理论学习不够深入" in body and f"rectification-state-{state}" in body


def test_prefill_only_on_first_opening_a_cleared_section_stays_empty(next_year):
    report = report_prefill_rectification(report=next_year.next_report_a, by=next_year.secretary_a, today=TODAY)
    report_save_draft(report=report, by=next_year.secretary_a, data={"rectification": ""}, base_revision=report.revision)
    report.refresh_from_db()
    again = report_prefill_rectification(report=report, by=next_year.secretary_a, today=TODAY)
    assert again.rectification == ""


def test_opening_the_editor_of_a_report_not_started_writes_nothing(client, next_year):
    """The GET only reads: the section is drafted by 撰写 (a POST), not by opening the page."""
    client.force_login(next_year.secretary_a)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reports:editor", args=[next_year.next_report_a.pk]))
    assert response.status_code == 200
    assert writes_of(captured.captured_queries) == []
    report = Report.objects.get(pk=next_year.next_report_a.pk)
    assert report.status == Report.Status.NOT_STARTED and report.rectification == ""


def test_starting_twice_drafts_once(client, next_year):
    """撰写 (reports:start) drafts once per report: a second start leaves the secretary's text alone."""
    client.force_login(next_year.secretary_a)
    start = reverse("reports:start", args=[next_year.next_report_a.pk])
    assert client.post(start)["Location"] == reverse("reports:editor", args=[next_year.next_report_a.pk])
    report = Report.objects.get(pk=next_year.next_report_a.pk)
    report_save_draft(report=report, by=next_year.secretary_a, data={"rectification": ""}, base_revision=report.revision)
    client.post(start)
    assert Report.objects.get(pk=report.pk).rectification == ""


def test_a_start_without_last_years_items_writes_nothing(client, world):
    client.force_login(world.secretary_a)
    client.post(reverse("reports:start", args=[world.report_a.pk]))
    assert Report.objects.get(pk=world.report_a.pk).status == Report.Status.NOT_STARTED
