import json

import pytest
from django.urls import reverse

from reports.models import SECTION_MAX_LENGTH, Cycle, Report

from .conftest import fill


def post(client, report, fields, base_revision=None):
    return client.post(
        reverse("reports:autosave", args=[report.pk]),
        data=json.dumps({"base_revision": report.revision if base_revision is None else base_revision, "fields": fields}),
        content_type="application/json",
    )


def test_autosave_ok_returns_revision_and_time(client, world):
    client.force_login(world.secretary_a)
    response = post(client, world.report_a, {"performance": "一、工作开展情况\n正文", "member_count": "26", "theme_days": ""})
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] and data["revision"] == 1 and len(data["saved_at"]) == 8
    world.report_a.refresh_from_db()
    assert world.report_a.performance.endswith("正文") and world.report_a.member_count == 26
    assert world.report_a.status == Report.Status.DRAFT


def test_autosave_only_touches_sent_fields(client, world):
    fill(world.report_a, world.secretary_a)
    client.force_login(world.secretary_a)
    world.report_a.refresh_from_db()
    assert post(client, world.report_a, {"plans": "新的计划"}).status_code == 200
    world.report_a.refresh_from_db()
    assert world.report_a.plans == "新的计划" and world.report_a.problems.startswith("二、存在问题")


def test_autosave_conflict_returns_server_text(client, world):
    fill(world.report_a, world.secretary_a, plans="其他窗口保存的计划", member_count=5)
    client.force_login(world.secretary_a)
    response = post(client, world.report_a, {"plans": "我的计划"}, base_revision=0)
    assert response.status_code == 409
    data = response.json()
    assert data["error"] == "conflict" and data["revision"] == 1
    assert data["server"]["plans"] == "其他窗口保存的计划" and data["server"]["member_count"] == "5"
    assert data["server"]["theme_days"] == ""
    world.report_a.refresh_from_db()
    assert world.report_a.plans == "其他窗口保存的计划"
    # keeping mine: the client re-saves on the new base revision
    assert post(client, world.report_a, {"plans": "我的计划"}, base_revision=1).status_code == 200
    world.report_a.refresh_from_db()
    assert world.report_a.plans == "我的计划"


def test_autosave_too_long_is_400_with_chinese_message(client, world):
    client.force_login(world.secretary_a)
    text = "字" * (SECTION_MAX_LENGTH["plans"] + 1)
    response = post(client, world.report_a, {"plans": text})
    assert response.status_code == 400
    assert response.json()["errors"]["plans"] == ["“下一步打算”最多 8000 字，当前 8001 字，请精简 1 字。"]
    world.report_a.refresh_from_db()
    assert world.report_a.plans == "" and world.report_a.revision == 0


def test_autosave_bad_figure_is_400(client, world):
    client.force_login(world.secretary_a)
    response = post(client, world.report_a, {"member_count": "-3"})
    assert response.status_code == 400 and response.json()["errors"]["member_count"]


def test_autosave_locked_is_423(client, world):
    Cycle.objects.filter(pk=world.cycle.pk).update(status=Cycle.Status.CLOSED)
    client.force_login(world.secretary_a)
    response = post(client, world.report_a, {"plans": "改"})
    assert response.status_code == 423 and response.json()["error"] == "locked"
    assert "不能再修改" in response.json()["message"]


@pytest.mark.parametrize("body", ["not json", json.dumps({"fields": "x", "base_revision": 0}), json.dumps({"base_revision": 0})])
def test_autosave_malformed_is_400(client, world, body):
    client.force_login(world.secretary_a)
    response = client.post(reverse("reports:autosave", args=[world.report_a.pk]), data=body, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"] == "bad_request"


def test_autosave_without_revision_is_400(client, world):
    client.force_login(world.secretary_a)
    response = client.post(
        reverse("reports:autosave", args=[world.report_a.pk]), data=json.dumps({"fields": {"plans": "x"}}), content_type="application/json"
    )
    assert response.status_code == 400 and "base_revision" in response.json()["errors"]


def test_autosave_anonymous_is_not_json(client, world):
    response = post(client, world.report_a, {"plans": "x"})
    assert response.status_code == 302 and "application/json" not in response.get("Content-Type", "")


@pytest.mark.parametrize("role", ["secretary_b", "reviewer", "admin", "superuser"])
def test_autosave_other_users_404(client, world, role):
    client.force_login(getattr(world, role))
    assert post(client, world.report_a, {"plans": "x"}).status_code == 404
    world.report_a.refresh_from_db()
    assert world.report_a.plans == ""


def test_autosave_requires_csrf(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.secretary_a)
    response = post(client, world.report_a, {"plans": "x"})
    assert response.status_code == 403
    client.get(reverse("reports:editor", args=[world.report_a.pk]))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("reports:autosave", args=[world.report_a.pk]),
        data=json.dumps({"base_revision": 0, "fields": {"plans": "x"}}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200


def test_autosave_get_not_allowed(client, world):
    client.force_login(world.secretary_a)
    assert client.get(reverse("reports:autosave", args=[world.report_a.pk])).status_code == 405
