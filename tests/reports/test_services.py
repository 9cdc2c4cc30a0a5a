import pytest
from django.core.exceptions import ValidationError

from branches.models import AuditEntry
from reports.models import SECTION_MAX_LENGTH, Cycle, Report
from reports.services import (
    ReportConflict,
    ReportLocked,
    report_requires_rectification,
    report_return,
    report_save_draft,
    report_submit,
)
from tests.factories import launch_cycle

from .conftest import FILLED, fill, make_late, submit


def test_save_draft_stores_text_and_bumps_revision(world):
    saved = report_save_draft(report=world.report_a, by=world.secretary_a, data={"performance": "正文", "member_count": 26}, base_revision=0)
    assert saved.revision == 1 and saved.status == Report.Status.DRAFT
    world.report_a.refresh_from_db()
    assert world.report_a.performance == "正文" and world.report_a.member_count == 26
    assert world.report_a.updated_by == world.secretary_a


def test_save_draft_with_stale_revision_conflicts_and_keeps_server_text(world):
    fill(world.report_a, world.secretary_a, performance="第一个窗口")
    with pytest.raises(ReportConflict) as info:
        report_save_draft(report=world.report_a, by=world.secretary_a, data={"performance": "第二个窗口"}, base_revision=0)
    assert info.value.report.performance == "第一个窗口"
    world.report_a.refresh_from_db()
    assert world.report_a.performance == "第一个窗口"


def test_save_draft_rejects_too_long_text_with_chinese_message(world):
    too_long = "字" * (SECTION_MAX_LENGTH["problems"] + 3)
    with pytest.raises(ValidationError) as info:
        report_save_draft(report=world.report_a, by=world.secretary_a, data={"problems": too_long}, base_revision=0)
    assert "最多 8000 字" in info.value.message_dict["problems"][0] and "精简 3 字" in info.value.message_dict["problems"][0]
    world.report_a.refresh_from_db()
    assert world.report_a.problems == "" and world.report_a.revision == 0


def test_submitted_report_is_locked(submitted_world):
    w = submitted_world
    with pytest.raises(ReportLocked):
        report_save_draft(report=w.report_a, by=w.secretary_a, data={"plans": "改"}, base_revision=w.report_a.revision)


def test_closed_cycle_locks_draft(world):
    Cycle.objects.filter(pk=world.cycle.pk).update(status=Cycle.Status.CLOSED)
    world.report_a.refresh_from_db()
    with pytest.raises(ReportLocked):
        report_save_draft(report=world.report_a, by=world.secretary_a, data={"plans": "改"}, base_revision=0)


def test_submit_creates_version_and_audit(world):
    version = submit(world.report_a, world.secretary_a)
    assert version.number == 1 and not version.is_late
    assert version.performance == FILLED["performance"]
    world.report_a.refresh_from_db()
    assert world.report_a.status == Report.Status.SUBMITTED
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REPORT_SUBMITTED, object_id=world.report_a.pk).count() == 1


def test_submit_requires_three_sections(world):
    fill(world.report_a, world.secretary_a, problems="  ")
    with pytest.raises(ValidationError) as info:
        report_submit(report=world.report_a, by=world.secretary_a)
    assert info.value.message_dict["problems"] == ["请填写“存在问题”后再提交。"]
    assert world.report_a.versions.count() == 0


def test_late_submission_is_accepted_and_marked(world):
    make_late(world.cycle)
    version = submit(world.report_a, world.secretary_a)
    world.report_a.refresh_from_db()
    assert version.is_late and world.report_a.is_late and world.report_a.is_submitted


def test_double_submit_creates_one_version(world):
    first = submit(world.report_a, world.secretary_a)
    second = report_submit(report=world.report_a, by=world.secretary_a)
    assert first.pk == second.pk
    assert world.report_a.versions.count() == 1


def test_rectification_required_in_second_year(world):
    assert not report_requires_rectification(world.report_a)
    earlier = launch_cycle(organization=world.committee, year=world.cycle.year - 1, by=world.admin, participants=[world.branch_a])
    submit(earlier.reports.get(), world.secretary_a)
    assert report_requires_rectification(world.report_a)
    assert not report_requires_rectification(world.report_b)  # branch_b was not reviewed last year
    fill(world.report_a, world.secretary_a)
    with pytest.raises(ValidationError) as info:
        report_submit(report=world.report_a, by=world.secretary_a)
    assert "rectification" in info.value.message_dict
    version = submit(world.report_a, world.secretary_a, rectification="针对去年指出的问题，已全部整改。")
    assert version.rectification.startswith("针对")


def test_return_then_resubmit_creates_version_two(submitted_world):
    w = submitted_world
    report_return(report=w.report_a, by=w.admin, reason="请补充数据。")
    w.report_a.refresh_from_db()
    assert w.report_a.status == Report.Status.RETURNED and w.report_a.is_editable
    version = submit(w.report_a, w.secretary_a, plans="三、下一步打算\n补充了数据。")
    assert version.number == 2
    assert list(w.report_a.versions.values_list("number", flat=True)) == [1, 2]
    assert w.report_a.versions.get(number=1).plans == FILLED["plans"]  # version 1 unchanged


def test_return_needs_reason_and_submitted_report(world):
    with pytest.raises(ReportLocked):
        report_return(report=world.report_a, by=world.admin, reason="原因")
    submit(world.report_a, world.secretary_a)
    with pytest.raises(ValidationError):
        report_return(report=world.report_a, by=world.admin, reason="  ")
