"""Every role against every review and results view: who gets the page, who a 404/403."""

import pytest
from django.urls import reverse

from reviews.models import Assignment, Result
from reviews.results.services import results_compute
from tests.factories import INCOMPLETE_OK
from tests.reviews.helpers import submit_report

ROLES = ["anonymous", "secretary_a", "secretary_b", "reviewer", "other_reviewer", "admin", "other_admin", "superuser"]


@pytest.fixture
def scene(world):
    submit_report(world.report_a)
    world.report_a.refresh_from_db()
    results_compute(cycle=world.cycle, by=world.admin)
    world.result_a = Result.objects.get(report=world.report_a)
    world.criterion = world.cycle.criteria.first()
    world.assignment = Assignment.objects.get(report=world.report_b, reviewer=world.reviewer)
    return world


def client_for(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def url(world, name):
    args = {
        "index": [],
        "admin_index": [],
        "queue": [world.cycle.pk],
        "review": [world.report_a.pk],
        "secretary_questions": [world.report_a.pk],
        "secretary_result": [world.report_a.pk],
        "admin_cycle": [world.cycle.pk],
        "rubric": [world.cycle.pk],
        "criterion_edit": [world.criterion.pk],
        "result_settings": [world.cycle.pk],
        "assignments": [world.cycle.pk],
        "routine_scores": [world.cycle.pk],
        "results": [world.cycle.pk],
        "result_override": [world.result_a.pk],
        "admin_report": [world.report_a.pk],
    }[name]
    return reverse(f"reviews:{name}", args=args)


ADMIN_PAGES = [
    "admin_cycle",
    "rubric",
    "criterion_edit",
    "result_settings",
    "assignments",
    "routine_scores",
    "results",
    "result_override",
    "admin_report",
]
ADMINS = {"admin": 200, "superuser": 200}

EXPECTED = {
    # reviewer pages: the committee's reviewer only (a secretary's own report never, another committee never)
    "index": {"secretary_a": 200, "secretary_b": 200, "reviewer": 200, "other_reviewer": 200, "admin": 403, "other_admin": 403, "superuser": 403},
    "queue": {"reviewer": 200},
    "review": {"reviewer": 200},
    # the secretary's own pages
    "secretary_questions": {"secretary_a": 200},
    "secretary_result": {"secretary_a": 200},
    "admin_index": {"admin": 200, "other_admin": 200, "superuser": 200, "secretary_a": 403, "secretary_b": 403, "reviewer": 403, "other_reviewer": 403},
    **{name: ADMINS for name in ADMIN_PAGES},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(EXPECTED))
def test_get_access_matrix(client, scene, name, role):
    response = client_for(client, scene, role).get(url(scene, name))
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == EXPECTED[name].get(role, 404), f"{role} on {name}"


POSTS = {
    "question_ask": ({"reviewer"}, lambda w: [w.report_a.pk], {"text": "请说明"}),
    "report_return": ({"reviewer", "admin", "superuser"}, lambda w: [w.report_a.pk], {"reason": "请补充"}),
    "results_compute": (set(ADMINS), lambda w: [w.cycle.pk], {}),
    "cycle_publish": (set(ADMINS), lambda w: [w.cycle.pk], {"reason": INCOMPLETE_OK, "confirm": "1"}),
    "cycle_close": (set(ADMINS), lambda w: [w.cycle.pk], {"confirm": "1"}),
    "criterion_delete": (set(ADMINS), lambda w: [w.criterion.pk], {}),
    "assignment_remove": (set(ADMINS), lambda w: [w.assignment.pk], {}),
}
# The scene's results are not published: the confirmation step of closing says why it cannot be
# done now (400), to those allowed to see it.
ALLOWED_STATUS = {"cycle_close": 400}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(POSTS))
def test_post_access_matrix(client, scene, name, role):
    allowed, args, data = POSTS[name]
    response = client_for(client, scene, role).post(reverse(f"reviews:{name}", args=args(scene)), data)
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    elif role in allowed and name in ALLOWED_STATUS:
        assert response.status_code == ALLOWED_STATUS[name], f"{role} on {name}"
    elif role in allowed:
        assert response.status_code == 302 and not response.url.startswith(reverse("login"))
    else:
        assert response.status_code == 404, f"{role} on {name}"


def test_the_conflict_rule_hides_a_committee_members_own_report(client, scene):
    """A committee member who leads branch A is never shown its report for review, even if assigned by hand."""
    scene.committee.committee_members.add(scene.secretary_a)
    Assignment.objects.create(report=scene.report_a, reviewer=scene.secretary_a)
    client.force_login(scene.secretary_a)
    assert client.get(url(scene, "review")).status_code == 404
    response = client.get(url(scene, "queue"))
    assert response.status_code == 200 and "甲社区党支部" not in response.content.decode()
    assert client.post(reverse("reviews:question_ask", args=[scene.report_a.pk]), {"text": "?"}).status_code == 404


def test_unsubmitted_report_is_not_reviewable(client, scene):
    client.force_login(scene.reviewer)
    assert client.get(reverse("reviews:review", args=[scene.report_b.pk])).status_code == 404
