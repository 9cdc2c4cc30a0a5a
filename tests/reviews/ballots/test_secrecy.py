"""Ballot secrecy in the database itself, below what the application shows: once voting has
closed, no system column or physical order ties a ballot to its code or to the order of voting.

Real commits (transaction=True): each ballot is cast in its own transaction, as in production,
so PostgreSQL's xmin and ctid and SQLite's rowid are what a person with database access would
read. Twelve voters vote in a known order with twelve different mark pairs, which identify
their ballots; after the close the physical order is a shuffle (12! orders: equal to the order
of voting with probability 2e-9).
"""

import pytest
from django.db import connection

from reviews.ballots.computation import code_normalize
from reviews.ballots.selectors import code_digest
from reviews.ballots.services import (
    ballot_cast,
    entry_voting_close,
    entry_voting_open,
    evaluation_close,
    evaluation_open,
)
from reviews.models import Ballot, BallotCode, BallotCodeUse, Evaluation, Vote
from tests.reviews.ballots.helpers import setup_evaluation, vote

pytestmark = pytest.mark.django_db(transaction=True)

VOTERS = 12
LABELS = ("好", "较好", "一般", "差")
PAIRS = [(a, b) for a in LABELS for b in LABELS][:VOTERS]


def _physical_order_column():
    return {"postgresql": "ctid", "sqlite": "rowid"}[connection.vendor]


@pytest.fixture
def voted(submitted):
    """Twelve ballots cast one after the other, PAIRS[i] by the i-th voter; voting still open."""
    evaluation, codes = setup_evaluation(submitted.cycle, submitted.admin, groups=(("党员代表", VOTERS, "100"),))
    evaluation_open(evaluation=evaluation, by=submitted.admin)
    for code, pair in zip(codes["党员代表"], PAIRS, strict=True):
        vote(evaluation, code, *pair)
    submitted.evaluation = evaluation
    return submitted


def _pairs_by_ballot(evaluation):
    pairs = {}
    for ballot_id, label in Vote.objects.filter(ballot__evaluation=evaluation).order_by("entry__order").values_list(
        "ballot_id", "mark__label"
    ):
        pairs[ballot_id] = (*pairs.get(ballot_id, ()), label)
    return pairs


def _in_physical_order(table, where, params):
    column = _physical_order_column()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE {where} ORDER BY {column}", params)
        return [row[0] for row in cursor.fetchall()]


def _ballots_in_physical_order(evaluation):
    ids = _in_physical_order(Ballot._meta.db_table, "evaluation_id = %s", [evaluation.pk])
    return [Ballot._meta.pk.to_python(value) for value in ids]


def _votes_in_physical_order(evaluation):
    ids = [Vote._meta.pk.to_python(value) for value in _in_physical_order(
        Vote._meta.db_table, f"ballot_id IN (SELECT id FROM {Ballot._meta.db_table} WHERE evaluation_id = %s)", [evaluation.pk]
    )]
    ballot_of = dict(Vote.objects.filter(pk__in=ids).values_list("pk", "ballot_id"))
    return [ballot_of[pk] for pk in ids]


def test_after_closing_the_physical_order_of_ballots_and_votes_is_not_the_order_of_voting(voted, caplog):
    evaluation = voted.evaluation
    evaluation_close(evaluation=evaluation, by=voted.admin)
    assert "VACUUM" not in caplog.text  # the tables were vacuumed after the commit
    pairs = _pairs_by_ballot(evaluation)
    assert sorted(pairs.values()) == sorted(PAIRS)  # every ballot is still there, unchanged
    stored_order = [pairs[pk] for pk in _ballots_in_physical_order(evaluation)]
    assert stored_order != PAIRS
    # The votes are not stored ballot after ballot in the order of voting either.
    voting_index = {pk: PAIRS.index(pair) for pk, pair in pairs.items()}
    vote_order = [voting_index[ballot_id] for ballot_id in _votes_in_physical_order(evaluation)]
    assert vote_order != sorted(vote_order)


def test_while_open_the_database_still_keeps_the_order_of_voting(voted):
    """What the README says a person with database access can see during voting (and why the
    close must rewrite): the physical order follows the votes."""
    pairs = _pairs_by_ballot(voted.evaluation)
    assert [pairs[pk] for pk in _ballots_in_physical_order(voted.evaluation)] == PAIRS


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="xmin is PostgreSQL's")
def test_postgresql_after_closing_xmin_joins_no_ballot_to_its_code(voted):
    evaluation = voted.evaluation
    ballots, codes = Ballot._meta.db_table, BallotCode._meta.db_table
    groups = evaluation.groups.model._meta.db_table
    join = (
        f"SELECT b.id, count(c.id) FROM {ballots} b JOIN {codes} c ON c.xmin = b.xmin "
        f"JOIN {groups} g ON g.id = c.group_id WHERE b.evaluation_id = %s AND g.evaluation_id = %s GROUP BY b.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(join, [evaluation.pk, evaluation.pk])
        assert sorted(n for _pk, n in cursor.fetchall()) == [1] * VOTERS  # before: each ballot names its code
    evaluation_close(evaluation=evaluation, by=voted.admin)
    with connection.cursor() as cursor:
        cursor.execute(join, [evaluation.pk, evaluation.pk])
        matches = cursor.fetchall()
        # Every ballot shares its transaction id with every code (used or not): the join says nothing.
        assert len(matches) == VOTERS
        assert {n for _pk, n in matches} == {VOTERS}
        cursor.execute(f"SELECT count(DISTINCT xmin::text) FROM {ballots} WHERE evaluation_id = %s", [evaluation.pk])
        assert cursor.fetchone()[0] == 1
        cursor.execute(f"SELECT count(DISTINCT v.xmin::text) FROM {Vote._meta.db_table} v JOIN {ballots} b ON b.id = v.ballot_id WHERE b.evaluation_id = %s", [evaluation.pk])
        assert cursor.fetchone()[0] == 1


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's pragma")
def test_sqlite_overwrites_deleted_rows():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1


def test_per_speech_ballots_after_closing_link_no_voter_across_speakers(submitted):
    """Per-speech voting (a ballot per organization): while open, the i-th ballot on A and the i-th
    on B are one voter's, and the code uses list the codes in the order they voted. After the
    close neither the ballots' nor the code uses' physical order follows the voting any more."""
    evaluation, codes = setup_evaluation(submitted.cycle, submitted.admin, groups=(("党员代表", VOTERS, "100"),))
    Evaluation.objects.filter(pk=evaluation.pk).update(mode=Evaluation.Mode.PER_SPEECH)
    evaluation.refresh_from_db()
    evaluation_open(evaluation=evaluation, by=submitted.admin)
    marks = {mark.label: mark.pk for mark in evaluation.marks.all()}
    entries = list(evaluation.entries.all())
    voters = codes["党员代表"]
    for position, entry in enumerate(entries):
        entry_voting_open(evaluation=evaluation, entry=entry, by=submitted.admin)
        for code, pair in zip(voters, PAIRS, strict=True):
            ballot_cast(code=code, choices={entry.pk: marks[pair[position]]})
        entry_voting_close(evaluation=evaluation, entry=entry, by=submitted.admin)
    voting_order = [BallotCode.objects.get(digest=code_digest(code_normalize(code))).pk for code in voters]

    def marks_in_physical_order(entry):
        label_of = dict(Vote.objects.filter(entry=entry).values_list("ballot_id", "mark__label"))
        return [label_of[pk] for pk in _ballots_in_physical_order(evaluation) if pk in label_of]

    def uses_in_physical_order(entry):
        ids = [BallotCodeUse._meta.pk.to_python(v) for v in _in_physical_order(BallotCodeUse._meta.db_table, "entry_id = %s", [entry.pk])]
        code_of = dict(BallotCodeUse.objects.filter(pk__in=ids).values_list("pk", "code_id"))
        return [code_of[pk] for pk in ids]

    # While open: the order of voting is there to read (what the README warns of).
    assert [marks_in_physical_order(entry) for entry in entries] == [[pair[i] for pair in PAIRS] for i in range(2)]
    assert uses_in_physical_order(entries[0]) == voting_order
    evaluation_close(evaluation=evaluation, by=submitted.admin)
    for position, entry in enumerate(entries):
        labels = marks_in_physical_order(entry)
        assert sorted(labels) == sorted(pair[position] for pair in PAIRS)  # every vote kept
        assert labels != [pair[position] for pair in PAIRS]
        uses = uses_in_physical_order(entry)
        assert sorted(uses) == sorted(voting_order) and uses != voting_order
