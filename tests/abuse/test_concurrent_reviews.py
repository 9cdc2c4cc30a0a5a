"""Two reviewers submitting their reviews of the same report at the same moment: both land.

Each thread has its own database connection. On PostgreSQL the report's row lock serialises them;
on SQLite, IMMEDIATE transactions (config/settings.py) make the second wait for the first. The
SQLite test database is in memory with a shared cache, where a second writer fails at once
instead of waiting (a quirk of shared-cache mode, not of the product), so on SQLite the scene runs
in a child process against a database file, as in production."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from tests.concurrency import run_scene


def two_reviewers_at_once():
    """Build the scene, run both review_save calls from two threads released together, check both."""
    from reviews.models import Review
    from reviews.services import assignment_add, review_save
    from tests.factories import UserFactory, build_world
    from tests.reports.conftest import submit

    w = build_world()
    second = UserFactory(username="reviewer_2")
    w.committee.committee_members.add(second)
    submit(w.report_a, w.secretary_a)
    assignment_add(report=w.report_a, reviewer=second, by=w.admin)
    criteria = list(w.cycle.criteria.all())
    start = threading.Barrier(2)
    errors = []

    def review_as(reviewer, points):
        try:
            start.wait(timeout=10)
            review_save(
                report=w.report_a,
                reviewer=reviewer,
                scores={c.pk: min(c.max_points, Decimal(points)) for c in criteria},
                comment=f"{reviewer.username}的点评",
                submit=True,
            )
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=review_as, args=args) for args in ((w.reviewer, 18), (second, 15))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == [], errors
    reviews = list(Review.objects.filter(report=w.report_a, status=Review.Status.SUBMITTED))
    assert {r.reviewer for r in reviews} == {w.reviewer, second}
    assert {r.comment for r in reviews} == {"reviewer_t的点评", "reviewer_2的点评"}
    assert all(r.scores.count() == len(criteria) for r in reviews)


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_submitting_at_the_same_moment_both_land(tmp_path):
    run_scene(two_reviewers_at_once, tmp_path=tmp_path, timeout=240)
