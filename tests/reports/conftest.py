import datetime

import pytest
from django.utils import timezone

from reports.services import report_return, report_save_draft, report_submit

ROLES = ["secretary_a", "secretary_b", "reviewer", "other_reviewer", "admin", "other_admin", "superuser"]
FILLED = {
    "preamble": "各位领导、同志们：",
    "performance": "一、工作开展情况\n全年召开主题党日12次。",
    "problems": "二、存在问题\n理论学习不够深入。",
    "plans": "三、下一步打算\n抓好党员教育。",
}


def fill(report, by, **fields):
    report.refresh_from_db()
    return report_save_draft(report=report, by=by, data={**FILLED, **fields}, base_revision=report.revision)


def submit(report, by, **fields):
    fill(report, by, **fields)
    version = report_submit(report=report, by=by)
    report.refresh_from_db()
    return version


def make_late(cycle):
    cycle.submission_deadline = timezone.now() - datetime.timedelta(days=1)
    cycle.save(update_fields=["submission_deadline"])


@pytest.fixture
def submitted_world(world):
    """world with report_a submitted once (version 1)."""
    submit(world.report_a, world.secretary_a)
    world.report_a.refresh_from_db()
    return world


@pytest.fixture
def returned_world(submitted_world):
    w = submitted_world
    report_return(report=w.report_a, by=w.admin, reason="整改情况写得太简单。")
    w.report_a.refresh_from_db()
    return w
