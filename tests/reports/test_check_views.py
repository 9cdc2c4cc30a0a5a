"""报告体检 through the client: the editor's endpoint, who may use it, the panel and the count on the
submit button, blocking kinds refusing submission, and the administrator's setting."""

import json

import pytest
from django.urls import reverse

from branches.models import AuditEntry
from reports.models import Cycle, Report
from reports.services import (
    ReportCheckBlocked,
    cycle_set_blocking_check_kinds,
    report_submit,
)
from tests.reports.checks.helpers import GOOD_FIGURES as FIGURES
from tests.reports.checks.helpers import GOOD_PERFORMANCE, GOOD_PLANS, GOOD_PROBLEMS
from tests.reports.conftest import fill, submit

CLEAN = {"performance": GOOD_PERFORMANCE, "problems": GOOD_PROBLEMS, "plans": GOOD_PLANS}
WRONG = GOOD_PLANS + "\n3.教育党员做到二个维护。"
WITH_WRONG = {**CLEAN, **FIGURES, "plans": WRONG}


def post_check(client, report, fields):
    return client.post(
        reverse("reports:check", args=[report.pk]), data=json.dumps({"fields": fields}), content_type="application/json"
    )


def test_the_secretary_checks_the_text_being_typed_without_saving_it(client, world):
    fill(world.report_b, world.secretary_b, **CLEAN, **FIGURES)
    world.report_b.refresh_from_db()
    revision = world.report_b.revision
    client.force_login(world.secretary_b)

    response = post_check(client, world.report_b, {"plans": WRONG})

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1 and data["blocking"] == 0
    (finding,) = data["findings"]
    assert finding["kind"] == "terminology" and finding["section"] == "plans" and finding["section_label"] == "下一步打算"
    assert WRONG[finding["start"] : finding["end"]] == "二个维护"
    world.report_b.refresh_from_db()
    assert world.report_b.revision == revision and world.report_b.plans == GOOD_PLANS  # nothing saved
    # The text the editor holds is what is checked: the saved (clean) text has nothing.
    assert post_check(client, world.report_b, {}).json()["count"] == 0


def test_bad_requests_get_a_chinese_message(client, world):
    client.force_login(world.secretary_b)
    url = reverse("reports:check", args=[world.report_b.pk])
    response = client.post(url, data="not json", content_type="application/json")
    assert response.status_code == 400 and "请求格式不正确" in response.json()["message"]
    response = post_check(client, world.report_b, {"new_members": "三"})
    assert response.status_code == 400 and "new_members" in response.json()["errors"]
    response = post_check(client, world.report_b, {"plans": "字" * 8001})
    assert response.status_code == 400 and "最多 8000 字" in response.json()["errors"]["plans"][0]


@pytest.mark.parametrize("role", ["secretary_a", "reviewer", "admin", "other_reviewer", "other_admin", "superuser"])
def test_only_the_secretary_posts_text_to_check(client, world, role):
    client.force_login(getattr(world, role))
    assert post_check(client, world.report_b, {"plans": WRONG}).status_code == 404


def test_anonymous_is_sent_to_log_in(client, world):
    response = post_check(client, world.report_b, {})
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize(
    "role,status", [("secretary_a", 200), ("reviewer", 200), ("admin", 200), ("secretary_b", 404), ("other_reviewer", 404), ("other_admin", 404)]
)
def test_readers_get_the_findings_of_the_submitted_version(client, world, role, status):
    submit(world.report_a, world.secretary_a, **WITH_WRONG)
    client.force_login(getattr(world, role))
    response = client.get(reverse("reports:check", args=[world.report_a.pk]))
    assert response.status_code == status
    if status == 200:
        assert [f["excerpt"] for f in response.json()["findings"]] == ["二个维护"]


def test_readers_see_nothing_before_a_submission(client, world):
    fill(world.report_a, world.secretary_a, plans=WRONG)
    client.force_login(world.reviewer)
    assert client.get(reverse("reports:check", args=[world.report_a.pk])).status_code == 404


def test_the_editor_shows_the_panel_and_the_count_on_the_submit_button(client, world):
    fill(world.report_b, world.secretary_b, **WITH_WRONG)
    client.force_login(world.secretary_b)
    response = client.get(reverse("reports:editor", args=[world.report_b.pk]))
    html = response.content.decode()
    assert response.context["checks"]["count"] == 1
    assert 'id="check-panel"' in html and "提法有误：“二个维护”应为“两个维护”。" in html
    button = html[html.index('id="submit-button"') : html.index("</button>", html.index('id="submit-button"'))]
    assert '<span id="check-count">1</span> 项' in button and "d-none" not in button


def test_a_clean_report_shows_no_count(client, world):
    fill(world.report_b, world.secretary_b, **CLEAN, **FIGURES)
    client.force_login(world.secretary_b)
    html = client.get(reverse("reports:editor", args=[world.report_b.pk])).content.decode()
    assert "未发现问题。" in html
    assert 'class="badge text-bg-light d-none" id="submit-check-count"' in html  # the count is hidden
    assert '<span id="check-count">0</span>' in html


# ---------------------------------------------------------------- blocking kinds


def test_blocking_kind_refuses_submission_with_a_clear_message(client, world):
    cycle_set_blocking_check_kinds(cycle=world.cycle, kinds=["terminology"], by=world.admin)
    fill(world.report_b, world.secretary_b, **WITH_WRONG)
    client.force_login(world.secretary_b)

    response = client.post(reverse("reports:submit", args=[world.report_b.pk]), {"confirm": "1"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "未能提交：组织部门要求提交前解决“提法”方面的体检问题（共 1 处）" in html
    assert "须解决" in html
    world.report_b.refresh_from_db()
    assert world.report_b.status == Report.Status.DRAFT and not world.report_b.versions.exists()
    assert WRONG in html  # the text stays on the page


def test_warnings_do_not_block(world):
    cycle_set_blocking_check_kinds(cycle=world.cycle, kinds=["long_sentences"], by=world.admin)
    fill(world.report_b, world.secretary_b, **WITH_WRONG)
    version = report_submit(report=world.report_b, by=world.secretary_b)
    assert version.number == 1


def test_report_submit_raises_the_domain_error_with_the_findings(world):
    world.cycle.blocking_check_kinds = ["terminology", "figures"]
    world.cycle.save(update_fields=["blocking_check_kinds"])
    fill(world.report_b, world.secretary_b, **{**WITH_WRONG, "new_members": 5})
    with pytest.raises(ReportCheckBlocked) as raised:
        report_submit(report=world.report_b, by=world.secretary_b)
    assert sorted(f.kind for f in raised.value.findings) == ["figures", "terminology"]
    assert "“关键数据”“提法”" in str(raised.value)
    # Fixed: it goes through.
    fill(world.report_b, world.secretary_b, **CLEAN, **FIGURES)
    assert report_submit(report=world.report_b, by=world.secretary_b).number == 1


# ---------------------------------------------------------------- the reviewer's page


def test_the_reviewer_sees_the_findings_of_the_submitted_version(client, world):
    submit(world.report_a, world.secretary_a, **WITH_WRONG)
    client.force_login(world.reviewer)
    response = client.get(reverse("reviews:review", args=[world.report_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="review-checks"' in html
    assert "提法有误：“二个维护”应为“两个维护”。" in html and "按第 1 版检查" in html
    assert "定位到原文" not in html  # nothing to edit here


# ---------------------------------------------------------------- the administrator's setting


def test_the_administrator_sets_blocking_kinds(client, world):
    client.force_login(world.admin)
    page = client.get(reverse("reviews:result_settings", args=[world.cycle.pk])).content.decode()
    assert 'id="check-settings-form"' in page and "提交前须解决的体检项" in page
    response = client.post(
        reverse("reviews:check_settings", args=[world.cycle.pk]), {"blocking_check_kinds": ["terminology", "sections"]}
    )
    assert response.status_code == 302
    world.cycle.refresh_from_db()
    assert world.cycle.blocking_check_kinds == ["sections", "terminology"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SETTINGS_CHANGED, object_id=world.cycle.pk)
    assert "各部分齐全充实、提法" in entry.summary and entry.actor == world.admin
    # Saving the same choice again records nothing more.
    client.post(reverse("reviews:check_settings", args=[world.cycle.pk]), {"blocking_check_kinds": ["terminology", "sections"]})
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SETTINGS_CHANGED, object_id=world.cycle.pk).count() == 1


def test_an_unknown_kind_or_a_closed_cycle_changes_nothing(client, world):
    client.force_login(world.admin)
    response = client.post(reverse("reviews:check_settings", args=[world.cycle.pk]), {"blocking_check_kinds": ["nope"]}, follow=True)
    assert "请从列出的体检项中选择。" in response.content.decode()
    world.cycle.status = Cycle.Status.CLOSED
    world.cycle.save(update_fields=["status"])
    response = client.post(reverse("reviews:check_settings", args=[world.cycle.pk]), {"blocking_check_kinds": ["terminology"]}, follow=True)
    assert "本年度评议已结束，设置不能再修改。" in response.content.decode()
    world.cycle.refresh_from_db()
    assert world.cycle.blocking_check_kinds == []


@pytest.mark.parametrize("role", ["secretary_a", "reviewer", "other_admin"])
def test_others_cannot_set_blocking_kinds(client, world, role):
    client.force_login(getattr(world, role))
    response = client.post(reverse("reviews:check_settings", args=[world.cycle.pk]), {"blocking_check_kinds": ["terminology"]})
    assert response.status_code == 404
    world.cycle.refresh_from_db()
    assert world.cycle.blocking_check_kinds == []
