"""The 体检 of this year's report names each of last year's problems its 上年度问题整改情况 leaves out
(reports asks through reports.signals.report_check_context; rectification answers)."""

from reports.report_checks import report_check_input, report_findings
from reports.services import report_save_draft


def test_missing_items_of_last_year_are_listed_by_name(next_year):
    report = next_year.next_report_a
    names = [item.text for item in next_year.items_a]
    assert report_check_input(report, {}).last_year_items == names

    assert "理论学习不够深入" in names and len(names) >= 2
    report_save_draft(
        report=report,
        by=next_year.secretary_a,
        data={"rectification": "针对理论学习不够深入的问题，我带头制定学习计划。"},
        base_revision=report.revision,
    )
    report.refresh_from_db()
    found = [f for f in report_findings(report) if f.kind == "rectification"]
    missing = [name for name in names if name != "理论学习不够深入"]
    assert [f.message for f in found] == [f"“上年度问题整改情况”没有提到上年度问题：“{name}”。" for name in missing]

    report_save_draft(
        report=report,
        by=next_year.secretary_a,
        data={"rectification": "。".join(f"针对“{name}”，已整改" for name in names)},
        base_revision=report.revision,
    )
    report.refresh_from_db()
    assert [f for f in report_findings(report) if f.kind == "rectification"] == []


def test_a_first_year_has_no_last_year_items(world):
    assert report_check_input(world.report_a, {}).last_year_items is None
    assert [f for f in report_findings(world.report_a) if f.kind == "rectification"] == []
