"""Concurrent submissions of one code count once: the database decides, not the application.

Real threads with their own database connections (transaction=True: each thread commits
for itself). On PostgreSQL the threads truly race on the conditional UPDATE; SQLite
serializes them on its write lock (IMMEDIATE transactions), which the same test covers.
"""

import threading
import time

import pytest
from django.db import OperationalError, close_old_connections, connection, connections

from reviews.ballots.services import BallotRefused, ballot_cast, entry_voting_open
from reviews.models import Ballot, BallotCode, BallotCodeUse, Evaluation, Vote
from tests.reviews.ballots.helpers import marks_by_label

THREADS = 6

pytestmark = pytest.mark.django_db(transaction=True)


def _race(calls):
    """Run the callables at the same moment in threads; returns their outcomes ("ok" or the exception)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            for attempt in range(200):
                try:
                    call()
                    outcomes[index] = "ok"
                    return
                except OperationalError as error:  # SQLite's shared in-memory test database: locked, try again
                    # (a file database waits on its busy timeout instead; the shared in-memory
                    # test database reports "table is locked" at once, so back off briefly)
                    last = error
                    if "locked" not in str(error):
                        raise
                    time.sleep(0.002 * (attempt + 1))
            outcomes[index] = f"gave up {last!r}"
        except Exception as error:  # noqa: BLE001 — recorded and asserted below
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    return outcomes


def _choices(evaluation, label="好"):
    mark = marks_by_label(evaluation)[label]
    return {entry.pk: mark for entry in evaluation.entries.all()}


def test_the_same_code_submitted_concurrently_counts_once(opened):
    code = opened.codes["群众代表"][0]
    choices = _choices(opened.evaluation)
    outcomes = _race([lambda: ballot_cast(code=code, choices=choices)] * THREADS)
    assert outcomes.count("ok") == 1, outcomes
    assert all(isinstance(outcome, BallotRefused) for outcome in outcomes if outcome != "ok"), outcomes
    assert Ballot.objects.count() == 1
    assert Vote.objects.count() == 2
    assert BallotCode.objects.filter(used=True).count() == 1


def test_different_codes_submitted_concurrently_all_count(opened):
    codes = opened.codes["群众代表"] + opened.codes["班子成员"][:2]
    choices = _choices(opened.evaluation, "较好")
    outcomes = _race([lambda code=code: ballot_cast(code=code, choices=choices) for code in codes])
    assert outcomes == ["ok"] * len(codes)
    assert Ballot.objects.count() == len(codes)
    assert Vote.objects.count() == 2 * len(codes)


# ---------------------------------------------------------------- opening and closing: once


def test_parallel_openings_open_once_with_one_audit_entry(scene):
    from django.core.exceptions import ValidationError

    from branches.models import AuditEntry
    from reviews.ballots.services import evaluation_open
    from reviews.models import Evaluation

    outcomes = _race([lambda: evaluation_open(evaluation=scene.evaluation, by=scene.admin)] * THREADS)
    assert outcomes.count("ok") == 1, outcomes
    assert all(isinstance(outcome, ValidationError) for outcome in outcomes if outcome != "ok"), outcomes
    assert Evaluation.objects.get().status == Evaluation.Status.OPEN
    assert AuditEntry.objects.filter(summary__startswith="开始民主测评").count() == 1


def test_parallel_closings_close_once_with_one_audit_entry_and_one_rewrite(opened):
    from django.core.exceptions import ValidationError

    from branches.models import AuditEntry
    from reviews.ballots.services import evaluation_close
    from reviews.models import Evaluation

    for code in opened.codes["群众代表"][:3]:
        ballot_cast(code=code, choices=_choices(opened.evaluation))
    outcomes = _race([lambda: evaluation_close(evaluation=opened.evaluation, by=opened.admin)] * THREADS)
    assert outcomes.count("ok") == 1, outcomes
    assert all(isinstance(outcome, ValidationError) for outcome in outcomes if outcome != "ok"), outcomes
    assert Evaluation.objects.get().status == Evaluation.Status.CLOSED
    assert AuditEntry.objects.filter(summary__startswith="结束民主测评").count() == 1
    assert Ballot.objects.count() == 3 and Vote.objects.count() == 6


def test_ballots_cast_while_voting_closes_land_before_the_close_or_are_refused(opened):
    """No ballot is written after the closing rewrite (which would keep its own transaction id
    and its place at the end of the table): casting share-locks the evaluation."""
    from reviews.ballots.services import VotingClosed, evaluation_close

    codes = opened.codes["群众代表"] + opened.codes["班子成员"][:2]
    choices = _choices(opened.evaluation)
    calls = [lambda code=code: ballot_cast(code=code, choices=choices) for code in codes]
    calls.insert(len(calls) // 2, lambda: evaluation_close(evaluation=opened.evaluation, by=opened.admin))
    outcomes = _race(calls)
    cast = [outcome for index, outcome in enumerate(outcomes) if index != len(codes) // 2]
    assert outcomes[len(codes) // 2] == "ok", outcomes
    assert all(outcome == "ok" or isinstance(outcome, VotingClosed) for outcome in cast), outcomes
    assert Ballot.objects.count() == cast.count("ok") == BallotCode.objects.filter(used=True).count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(DISTINCT xmin::text) FROM {Ballot._meta.db_table}")
            assert cursor.fetchone()[0] <= 1  # all from the closing transaction


def test_per_speech_the_same_code_on_one_organization_concurrently_counts_once(opened):
    Evaluation.objects.filter(pk=opened.evaluation.pk).update(mode=Evaluation.Mode.PER_SPEECH)
    opened.evaluation.refresh_from_db()
    entry = opened.evaluation.entries.order_by("order").first()
    entry_voting_open(evaluation=opened.evaluation, entry=entry, by=opened.admin)
    code = opened.codes["群众代表"][0]
    choices = {entry.pk: marks_by_label(opened.evaluation)["好"]}
    outcomes = _race([lambda: ballot_cast(code=code, choices=choices)] * THREADS)
    assert outcomes.count("ok") == 1, outcomes
    assert all(isinstance(outcome, BallotRefused) for outcome in outcomes if outcome != "ok"), outcomes
    assert Ballot.objects.count() == 1 and Vote.objects.count() == 1
    assert BallotCodeUse.objects.count() == 1
