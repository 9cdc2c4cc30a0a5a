"""The progress dashboard: counts against hand-computed states, filters, reminders to exactly the late, export."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import Notification
from reports.models import Report
from reports.services import cycle_open, report_return, report_save_draft
from reviews.console.launch import assignments_create_default
from reviews.console.progress import Progress, progress_counts, reviewer_progress
from reviews.console.reminders import reminders_send_late
from tests.branches.roster_helpers import sheet_rows
from tests.factories import OrganizationFactory, UserFactory
from tests.reviews.console.conftest import ROLES
from tests.reviews.helpers import submit_report, submit_review


@pytest.fixture
def scene(world):
    """world.cycle with six reports in known states:
    a reviewed (both reviewers), b draft, d submitted (one of two reviews), e returned,
    f not started, g not started and without a secretary."""
    w = world
    w.reviewer2 = UserFactory(username="reviewer2_t")
    w.committee.committee_members.add(w.reviewer2)
    w.secretary_d, w.secretary_e, w.secretary_f = (UserFactory(username=f"secretary_{x}") for x in "def")
    for letter, secretary in [("d", w.secretary_d), ("e", w.secretary_e), ("f", w.secretary_f), ("g", None)]:
        OrganizationFactory(name=f"{letter}社区党支部", parent=w.committee, secretary=secretary)
    cycle_open(cycle=w.cycle, by=w.admin)
    assignments_create_default(cycle=w.cycle)
    reports = {r.organization.name[0]: r for r in w.cycle.reports.select_related("organization")}
    reports["a"], reports["b"] = w.report_a, w.report_b
    submit_report(w.report_a)
    submit_review(w.report_a, w.reviewer, 80)
    submit_review(w.report_a, w.reviewer2, 85)
    report_save_draft(report=w.report_b, by=w.secretary_b, data={"performance": "草稿"}, base_revision=None)
    submit_report(reports["d"])
    submit_review(reports["d"], w.reviewer, 90)
    submit_report(reports["e"])
    report_return(report=reports["e"], by=w.admin, reason="请补充问题原因分析")
    w.reports = {key: Report.objects.get(pk=r.pk) for key, r in reports.items()}
    return w


def make_late(world):
    type(world.cycle).objects.filter(pk=world.cycle.pk).update(submission_deadline=timezone.now() - datetime.timedelta(days=1))
    world.cycle.refresh_from_db()


def test_counts_match_the_hand_computed_states(scene):
    counts = progress_counts(scene.cycle)
    assert counts == {
        "total": 6, "late": 0,
        Progress.NOT_STARTED: 2, Progress.DRAFT: 1, Progress.SUBMITTED: 1, Progress.RETURNED: 1, Progress.REVIEWED: 1,
    }
    make_late(scene)
    assert progress_counts(scene.cycle)["late"] == 4  # b, e, f, g


def test_reviewer_progress(scene):
    rows = {r.username: (r.assigned, r.reviewable, r.done) for r in reviewer_progress(scene.cycle)}
    assert rows == {"reviewer_t": (6, 2, 2), "reviewer2_t": (6, 2, 1)}


def test_dashboard_page(as_role, scene):
    response = as_role("admin").get(reverse("reviews:progress", args=[scene.cycle.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="count-reviewed">1<' in page and 'id="count-not_started">2<' in page
    states = {row.organization.name[0]: row.state for row in response.context["rows"]}
    assert states == {"甲": "reviewed", "乙": "draft", "d": "submitted", "e": "returned", "f": "not_started", "g": "not_started"}
    assert "remind-late" not in page  # nobody late yet


@pytest.mark.parametrize(
    "state, expected",
    [("reviewed", {"甲"}), ("submitted", {"d"}), ("not_started", {"f", "g"}), ("returned", {"e"}), ("draft", {"乙"}), ("late", {"乙", "e", "f", "g"}), ("nonsense", {"甲", "乙", "d", "e", "f", "g"})],
)
def test_filter_by_state(as_role, scene, state, expected):
    make_late(scene)
    response = as_role("admin").get(reverse("reviews:progress", args=[scene.cycle.pk]), {"state": state})
    assert {row.organization.name[0] for row in response.context["rows"]} == expected


def test_sort(as_role, scene):
    url = reverse("reviews:progress", args=[scene.cycle.pk])
    by_reviews = as_role("admin").get(url, {"sort": "reviews"}).context["rows"]
    assert by_reviews[-1].organization == scene.branch_a  # the only one fully reviewed
    by_reviews_desc = as_role("admin").get(url, {"sort": "-reviews"}).context["rows"]
    assert by_reviews_desc[0].organization == scene.branch_a
    by_state = [row.state for row in as_role("admin").get(url, {"sort": "state"}).context["rows"]]
    assert by_state == sorted(by_state)
    by_state_desc = [row.state for row in as_role("admin").get(url, {"sort": "-state"}).context["rows"]]
    assert by_state_desc == sorted(by_state, reverse=True) and by_state_desc != by_state
    recent = [row.updated_at for row in as_role("admin").get(url, {"sort": "-activity"}).context["rows"]]
    assert recent == sorted(recent, reverse=True) and recent[0] > recent[-1]
    oldest = [row.updated_at for row in as_role("admin").get(url, {"sort": "activity"}).context["rows"]]
    assert oldest == sorted(oldest) and oldest[0] < oldest[-1]


def test_remind_all_late_reaches_exactly_the_late_secretaries(as_role, scene):
    assert reminders_send_late(cycle=scene.cycle, by=scene.admin) == 0  # before the deadline nobody is late
    make_late(scene)
    Notification.objects.all().delete()
    response = as_role("admin").post(reverse("reviews:remind_late", args=[scene.cycle.pk]))
    assert response.status_code == 302
    reminded = set(Notification.objects.values_list("user__username", flat=True))
    assert reminded == {"secretary_b", "secretary_e", "secretary_f"}  # g has no secretary; a, d submitted
    assert Notification.objects.count() == 3
    assert "已过提交截止时间" in Notification.objects.first().text


def test_remind_one(as_role, scene, mailoutbox, django_capture_on_commit_callbacks):
    Notification.objects.all().delete()
    scene.secretary_f.email = "f@example.org"
    scene.secretary_f.save()
    report = scene.reports["f"]
    with django_capture_on_commit_callbacks(execute=True):
        response = as_role("admin").post(reverse("reviews:remind", args=[report.pk]))
    assert response.status_code == 302
    assert list(Notification.objects.values_list("user", flat=True)) == [scene.secretary_f.pk]
    assert [m.to for m in mailoutbox] == [["f@example.org"]]  # and by email when the person has an address
    # a submitted report is not reminded
    as_role("admin").post(reverse("reviews:remind", args=[scene.report_a.pk]))
    assert Notification.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_remind_by_role(as_role, scene, role):
    make_late(scene)
    Notification.objects.all().delete()
    one = as_role(role).post(reverse("reviews:remind", args=[scene.reports["f"].pk]))
    late = as_role(role).post(reverse("reviews:remind_late", args=[scene.cycle.pk]))
    if role in ("admin", "superuser"):
        assert one.status_code == late.status_code == 302 and Notification.objects.count() == 4
    else:
        assert Notification.objects.count() == 0
        if role == "anonymous":
            assert one.status_code == late.status_code == 302 and reverse("login") in one["Location"]
        else:
            assert one.status_code == late.status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["progress", "progress_xlsx"])
def test_pages_by_role(as_role, scene, role, page):
    response = as_role(role).get(reverse(f"reviews:{page}", args=[scene.cycle.pk]))
    if role == "anonymous":
        assert response.status_code == 302 and reverse("login") in response["Location"]
    elif role in ("admin", "superuser"):
        assert response.status_code == 200
    else:
        assert response.status_code == 404


def test_get_is_refused_for_actions(as_role, scene):
    assert as_role("admin").get(reverse("reviews:remind_late", args=[scene.cycle.pk])).status_code == 405


def test_excel_export_of_the_table(as_role, scene):
    make_late(scene)
    response = as_role("admin").get(reverse("reviews:progress_xlsx", args=[scene.cycle.pk]), {"state": "late"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(response.content, "进度")
    assert rows[0][:5] == ["党组织", "书记", "手机号", "状态", "逾期未交"]
    assert {row[0][0] for row in rows[1:]} == {"乙", "e", "f", "g"}
    assert all(row[4] == "是" for row in rows[1:])
    everything = sheet_rows(as_role("admin").get(reverse("reviews:progress_xlsx", args=[scene.cycle.pk])).content, "进度")
    reviewed = next(row for row in everything if row[0] == "甲社区党支部")
    assert reviewed[3] == "已评议" and reviewed[8] == "2/2"
