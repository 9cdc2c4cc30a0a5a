"""A roster import as a job (jobs.runners.run_roster): accounts in batches with progress, their
initial passwords sealed to the requester's public key, and a run after an interruption that
creates nobody twice and still delivers every password."""

import base64
import json

import pytest
from django.contrib.auth.hashers import check_password
from django_tasks_db.models import DBTaskResult

from branches.models import AuditEntry, Organization, User
from branches.roster import apply as roster_apply_module
from branches.roster import keypair, unseal_with
from jobs import runners
from jobs.models import Job
from jobs.services import job_run, job_start
from tests.branches.roster_helpers import branches_rows, roster_bytes
from tests.jobs.helpers import run_queued

COMMITTEE = "测试街道党工委"


def start_roster(w, count, *, by=None):
    private, public = keypair()
    job = job_start(
        kind=Job.Kind.ROSTER,
        by=by or w.admin,
        organization=w.committee,
        params={
            "content": base64.b64encode(roster_bytes(branches_rows(COMMITTEE, count))).decode(),
            "filename": "名册.xlsx",
            "public_key": base64.b64encode(public).decode(),
        },
    )
    return job, private


def opened(job, private):
    records = []
    for part in job.sealed:
        data = unseal_with(private, base64.b64decode(part["box"]))
        assert data is not None
        records += json.loads(data)
    return records


def watch(monkeypatch, steps, stop_at=None):
    """Record the runner's progress; stop the worker (SystemExit) once at `stop_at` done."""
    original = runners.run_roster

    def watched(job, out, progress):
        def step(done, total):
            steps.append((done, total))
            progress(done, total)
            if stop_at is not None and done == stop_at and job.attempts == 1:
                raise SystemExit(1)

        return original(job, out, step)

    monkeypatch.setitem(runners.RUNNERS, "roster", watched)


def test_accounts_are_created_in_batches_with_progress_and_their_passwords_sealed(world, monkeypatch):
    monkeypatch.setattr(roster_apply_module, "ACCOUNT_BATCH", 2)
    job, private = start_roster(world, 5)
    steps = []
    watch(monkeypatch, steps)
    assert run_queued() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and (job.done, job.total) == (10, 10)
    # 5 accounts two at a time, then the 5 organizations in one step
    assert steps == [(0, 10), (2, 10), (4, 10), (5, 10), (10, 10)]
    assert job.outcome == "名册已导入：新增5个党组织，修改0个，新建5个账号，增加0名班子成员"
    assert len(job.sealed) == 3
    records = opened(job, private)
    assert sorted(r["username"] for r in records) == [f"新建_sec{i}" for i in range(5)]
    for record in records:
        user = User.objects.get(username=record["username"])
        assert user.must_change_password and check_password(record["password"], user.password)
        assert record["roles"] == f"{Organization.objects.get(secretary=user).name}书记"
    assert Organization.objects.filter(parent=world.committee, name__startswith="新建").count() == 5
    # Another key opens nothing.
    assert unseal_with(keypair()[0], base64.b64decode(job.sealed[0]["box"])) is None


def test_the_database_holds_neither_a_password_nor_the_private_key(world):
    job, private = start_roster(world, 3)
    run_queued()
    job.refresh_from_db()
    passwords = [r["password"] for r in opened(job, private)]
    assert len(passwords) == 3
    row = json.dumps(list(Job.objects.filter(pk=job.pk).values()), default=str, ensure_ascii=False)
    queue = json.dumps(list(DBTaskResult.objects.values()), default=str, ensure_ascii=False)
    for secret in passwords + [base64.b64encode(private).decode(), base64.urlsafe_b64encode(private).decode()]:
        assert secret not in row and secret not in queue
    assert set(job.params) == {"content", "filename", "public_key"}


@pytest.mark.parametrize(
    "stop_at",
    [
        4,  # two batches of accounts committed, no organization yet
        10,  # everything written, the job not yet marked done
    ],
)
def test_a_run_after_an_interruption_creates_nobody_twice_and_delivers_every_password(world, monkeypatch, stop_at):
    monkeypatch.setattr(roster_apply_module, "ACCOUNT_BATCH", 2)
    job, private = start_roster(world, 5)
    users, steps = User.objects.count(), []
    watch(monkeypatch, steps, stop_at=stop_at)
    with pytest.raises(SystemExit):
        job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.attempts == 1
    assert User.objects.count() == users + (4 if stop_at == 4 else 5)
    run_queued()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2
    assert User.objects.count() == users + 5
    assert Organization.objects.filter(parent=world.committee, name__startswith="新建").count() == 5
    records = opened(job, private)
    assert sorted(r["username"] for r in records) == [f"新建_sec{i}" for i in range(5)]  # each once
    for record in records:
        assert check_password(record["password"], User.objects.get(username=record["username"]).password)
    entry = AuditEntry.objects.get(summary__startswith="导入党组织名册")  # one audit entry, not two
    assert "新建5个账号" in entry.summary and entry.changes["new_accounts"] == [f"新建_sec{i}" for i in range(5)]
    assert job.outcome.endswith("新建5个账号，增加0名班子成员")


def test_a_superseded_run_adds_no_accounts_and_no_passwords(world, monkeypatch):
    job, _ = start_roster(world, 2)
    users = User.objects.count()
    original = runners.run_roster

    def taken_for_dead(job, out, progress):
        def step(done, total):
            progress(done, total)
            # after the first step another worker takes the job over, before the first batch is kept
            Job.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)

        return original(job, out, step)

    monkeypatch.setitem(runners.RUNNERS, "roster", taken_for_dead)
    job_run(job.pk)
    job.refresh_from_db()
    assert job.sealed == [] and User.objects.count() == users and job.status == Job.Status.RUNNING


def test_a_roster_that_became_invalid_fails_with_a_message_and_writes_nothing(world):
    job, _ = start_roster(world, 2)
    world.committee.administrators.remove(world.admin)  # the parent left the requester's reach
    world.other_committee.administrators.add(world.admin)
    users = User.objects.count()
    run_queued()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == runners.ROSTER_CHANGED_ERROR
    assert User.objects.count() == users and job.sealed == []
