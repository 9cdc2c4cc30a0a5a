"""The dumpdata/loaddata backup described in README 备份与恢复 restores everything."""

import datetime
from decimal import Decimal

from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.utils import timezone

from branches.models import User
from reports.models import Report, ReportVersion
from reports.services import report_return, report_save_draft, report_submit
from reviews.models import Grade, Problem, Question, Result, Review, ReviewChange, Score
from tests.config.helpers import ROOT
from tests.factories import (
    PASSWORD,
    ProblemFactory,
    QuestionFactory,
    ResultFactory,
    ReviewFactory,
    ScoreFactory,
    build_world,
)

# Exactly the command of README 备份与恢复 (checked below).
DUMPDATA_ARGS = [
    "--natural-foreign",
    "--exclude",
    "contenttypes",
    "--exclude",
    "auth.permission",
    "--exclude",
    "sessions",
    "--indent",
    "2",
]
PROJECT_APPS = ["branches", "reports", "reviews"]


def write_report(report, by, text):
    report_save_draft(
        report=report,
        by=by,
        data={"performance": f"一、{text}履职情况", "problems": "二、存在问题", "plans": "三、下一步打算"},
        base_revision=None,
    )
    return report_submit(report=report, by=by)


def build_data():
    w = build_world()
    write_report(w.report_a, w.secretary_a, "初稿")
    report_return(report=w.report_a, by=w.admin, reason="请补充发展党员数据")
    version = write_report(w.report_a, w.secretary_a, "修改稿")
    write_report(w.report_c, w.secretary_c, "丙支部")
    review = ReviewFactory(
        report=w.report_a,
        reviewer=w.reviewer,
        version=version,
        status=Review.Status.SUBMITTED,
        suggested_grade=Grade.GOOD,
        submitted_at=timezone.now(),
    )
    for criterion, points in zip(w.cycle.criteria.order_by("order"), ["22.5", "20", "18", "15.5", "8"]):
        ScoreFactory(review=review, criterion=criterion, points=Decimal(points))
    ProblemFactory(review=review, text="发展党员程序不够规范")
    ReviewChange.objects.create(review=review, changed_by=w.reviewer, old={"comment": "旧"}, new={"comment": "新"})
    QuestionFactory(report=w.report_a, asked_by=w.reviewer, answer="已按程序发展两名党员。", answered_by=w.secretary_a)
    ResultFactory(
        report=w.report_a,
        routine_score=Decimal("88.50"),
        review_score=Decimal("84.00"),
        total=Decimal("86.60"),
        rank=1,
        computed_grade=Grade.GOOD,
        grade=Grade.GOOD,
        computed_at=timezone.now(),
    )
    group = Group.objects.create(name="组织部门")
    group.permissions.add(Permission.objects.get(codename="view_report"))
    w.admin.groups.add(group)
    LogEntry.objects.create(
        user=w.superuser,
        content_type=ContentType.objects.get_for_model(Report),
        object_id=str(w.report_a.pk),
        object_repr=str(w.report_a),
        action_flag=CHANGE,
        change_message="修改了状态",
    )
    return w


def to_milliseconds(value):
    # JSON dumps keep timestamps to the millisecond (DjangoJSONEncoder).
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    if isinstance(value, dict):
        return {key: to_milliseconds(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_milliseconds(item) for item in value]
    return value


def snapshot():
    """Every row and field of the project's models, plus groups and the admin's history."""
    data = {
        model._meta.label: to_milliseconds(serializers.serialize("python", model._base_manager.order_by("pk")))
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
    }
    data["auth.Group"] = [
        (group.name, sorted(p.codename for p in group.permissions.all())) for group in Group.objects.order_by("pk")
    ]
    data["admin.LogEntry"] = [
        (e.user_id, e.content_type.natural_key(), e.object_id, e.change_message, to_milliseconds(e.action_time))
        for e in LogEntry.objects.order_by("pk")
    ]
    return data


def test_dumpdata_then_loaddata_into_a_flushed_database_restores_everything(transactional_db, tmp_path):
    w = build_data()
    before = snapshot()
    assert Report.objects.filter(status=Report.Status.SUBMITTED).count() == 2
    assert ReportVersion.objects.count() == 3
    assert (Review.objects.count(), Score.objects.count(), Problem.objects.count()) == (1, 5, 1)
    assert (Question.objects.count(), Result.objects.count()) == (1, 1)
    backup = tmp_path / "backup.json"

    call_command("dumpdata", *DUMPDATA_ARGS, "--output", str(backup), verbosity=0)
    call_command("flush", "--no-input", verbosity=0)
    ContentType.objects.clear_cache()
    assert Report.objects.count() == 0
    call_command("loaddata", str(backup), verbosity=0)

    assert snapshot() == before
    restored = Report.objects.get(pk=w.report_a.pk)
    assert restored.status == Report.Status.SUBMITTED
    assert [v.performance for v in restored.versions.order_by("number")] == ["一、初稿履职情况", "一、修改稿履职情况"]
    assert restored.return_reason == "请补充发展党员数据"
    review = Review.objects.get(report=restored)
    assert review.version.number == 2
    assert sum(score.points for score in review.scores.all()) == Decimal("84.0")
    assert restored.result.total == Decimal("86.60")
    assert restored.result.grade == Grade.GOOD
    assert User.objects.get(pk=w.admin.pk).check_password(PASSWORD)
    # The database's id sequences were restored too: new rows do not collide with restored ones.
    new_version = write_report(Report.objects.get(pk=w.report_b.pk), w.secretary_b, "乙支部")
    assert new_version.pk > max(v.pk for v in ReportVersion.objects.exclude(pk=new_version.pk))


def test_readme_documents_the_same_dumpdata_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "manage.py dumpdata " + " ".join(DUMPDATA_ARGS) in readme
    assert "manage.py flush --no-input" in readme
    assert "manage.py loaddata" in readme
