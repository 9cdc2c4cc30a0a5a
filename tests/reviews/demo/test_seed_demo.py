"""The demo world that `make run` builds, as the README promises it."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from branches.models import Organization, User
from reports.models import Cycle, Report
from reviews.models import Ballot, Evaluation, Grade, RectificationItem, Review
from reviews.results.selectors import cycle_results


@pytest.fixture
def seeded(db, settings):
    settings.AXES_ENABLED = False
    call_command("seed_demo", stdout=None)


def test_accounts_and_roles(seeded):
    usernames = set(User.objects.values_list("username", flat=True))
    expected = {"admin", "orgadmin", *(f"reviewer{n}" for n in range(1, 4)), *(f"secretary{n}" for n in range(1, 9))}
    assert expected <= usernames
    assert authenticate(username="secretary1", password="shuping2026") is not None
    committee = Organization.objects.get(name="城关街道党工委")
    assert committee.children.count() == 8
    assert committee.committee_members.count() == 3
    assert committee.administrators.filter(username="orgadmin").exists()
    assert User.objects.get(username="admin").is_superuser


def test_last_year_published_with_all_four_grades_and_a_closed_ballot(seeded):
    last = Cycle.objects.order_by("year").first()
    assert last.status == Cycle.Status.CLOSED and last.is_published
    rows = cycle_results(last)
    assert {row.grade for row in rows} == set(Grade.values)
    assert all(row.ballot_score is not None for row in rows)
    assert Review.objects.filter(report__cycle=last, status=Review.Status.SUBMITTED).count() == 8 * 3
    evaluation = Evaluation.objects.get(cycle=last)
    assert evaluation.status == Evaluation.Status.CLOSED
    assert Ballot.objects.filter(evaluation=evaluation).exists()
    assert RectificationItem.objects.filter(plan__report__cycle=last).exists()


def test_this_year_collecting_in_several_states(seeded):
    current = Cycle.objects.order_by("year").last()
    assert current.status == Cycle.Status.COLLECTING
    states = set(Report.objects.filter(cycle=current).values_list("status", flat=True))
    assert states == {Report.Status.NOT_STARTED, Report.Status.DRAFT, Report.Status.SUBMITTED, Report.Status.RETURNED}
    assert Review.objects.filter(report__cycle=current).exists()
    secretary1_report = Report.objects.get(cycle=current, organization__secretary__username="secretary1")
    assert secretary1_report.status == Report.Status.NOT_STARTED


def test_seed_is_idempotent(seeded):
    counts = (User.objects.count(), Report.objects.count(), Review.objects.count())
    call_command("seed_demo", stdout=None)
    assert (User.objects.count(), Report.objects.count(), Review.objects.count()) == counts
