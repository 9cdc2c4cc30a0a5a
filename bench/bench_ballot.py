"""Load and fault benchmark of the democratic evaluation's phone voting (issue 6).
Prints figures; asserts only that every vote counted exactly once (exit status 1 otherwise).

    .venv/bin/python bench/bench_ballot.py [--voters 300] [--concurrency 20] [--workers 3]

1. A temporary SQLite database (or the PostgreSQL database of DATABASE_URL, if set) is
   migrated; a committee with 8 branches, a launched cycle and an evaluation of all 8 reports
   with `--voters` one-time codes are created through the app's services, and voting opens.
2. gunicorn serves the app on 127.0.0.1 (a free port; loopback only).
3. Each voter, in a bounded thread pool: GET /vote/<code>/ (the page and its CSRF cookie),
   POST the marks (step "review": the confirmation page), POST "confirm" (the vote). Ten of
   the codes are also confirmed three more times at once from other threads (a double tap,
   a resent form): exactly one of each must count.
4. The database is checked: exactly `--voters` ballots, 8 votes each, every code used once,
   every duplicate refused. Printed: throughput, the latency of the vote (the confirm POST)
   and of a voter's whole flow (p50 / p95 / max).
5. Voting closes through the service (ballots and votes rewritten in a random order, tables
   vacuumed): its duration is printed, and every ballot and vote must still be there.
"""

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BRANCHES = 8
DUPLICATED_CODES = 10
DUPLICATES_PER_CODE = 3


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_database(voters):
    """Migrate and create the scene through the services; returns the plain codes."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    # gunicorn serves with production settings: the manifest of collected static files is needed.
    call_command("collectstatic", interactive=False, verbosity=0)
    from branches.models import Organization, User
    from branches.services import administrator_grant, organization_create
    from reviews.ballots.services import DEFAULT_MARKS, evaluation_open, evaluation_save
    from reviews.console.launch import cycle_launch
    from reviews.models import BallotCode

    admin = User.objects.create(username=f"bench_admin_{time.time_ns()}", name="压测管理员")
    committee = organization_create(name=f"压测街道党工委{time.time_ns()}", kind=Organization.Kind.COMMITTEE)
    administrator_grant(organization=committee, user=admin)
    for index in range(BRANCHES):
        secretary = User.objects.create(username=f"bench_s{index}_{time.time_ns()}", name=f"书记{index + 1}")
        organization_create(name=f"第{index + 1}党支部", parent=committee, secretary=secretary, order=index)
    cycle = cycle_launch(
        organization=committee,
        year=timezone.localdate().year,
        title="压测年度述职评议",
        submission_deadline=timezone.now() + timezone.timedelta(days=30),
        by=admin,
    )
    evaluation = evaluation_save(
        cycle=cycle,
        by=admin,
        title="压测民主测评",
        report_orders={report.pk: index for index, report in enumerate(cycle.reports.order_by("organization__order"))},
        groups=[
            {"name": "班子成员", "size": voters // 10, "weight": Decimal(40)},
            {"name": "党员代表", "size": voters - voters // 10 - voters // 3, "weight": Decimal(40)},
            {"name": "群众代表", "size": voters // 3, "weight": Decimal(20)},
        ],
        marks=[{"label": label, "factor": factor} for label, factor in DEFAULT_MARKS],
    )
    codes = list(BallotCode.objects.filter(group__evaluation=evaluation).values_list("plain", flat=True))
    evaluation_open(evaluation=evaluation, by=admin)
    return evaluation.pk, codes


def start_server(port, env, workers):
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--threads", "4",
        "--log-level", "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/vote/", timeout=10):
                return server
        except urllib.error.HTTPError as error:
            server.terminate()
            raise SystemExit(f"the voting page answered {error.code}") from error
        except OSError:  # not listening yet (URLError, ConnectionError, TimeoutError)
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


class Voter:
    """One phone: its own cookie jar."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.status, response.read().decode()

    def post(self, path, data):
        request = urllib.request.Request(self.base + path, data=urllib.parse.urlencode(data).encode(), method="POST")
        request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def ballot_form(html):
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    entries = {}
    for name, value in re.findall(r'name="(entry_\d+)" value="(\d+)"', html):
        entries.setdefault(name, []).append(value)
    return token, entries


def vote(base, code, rng_seed, duplicates=0):
    """The whole flow of one voter; returns (flow seconds, confirm seconds, confirm status, duplicate statuses)."""
    import random

    rng = random.Random(rng_seed)
    voter = Voter(base)
    started = time.perf_counter()
    status, html = voter.get(f"/vote/{code}/")
    assert status == 200, (status, html[:300])
    token, entries = ballot_form(html)
    choices = {name: rng.choice(values) for name, values in entries.items()}
    status, html = voter.post("/vote/", {"csrfmiddlewaretoken": token, "code": code, "step": "review", **choices})
    assert status == 200 and "请确认" in html, (status, html[:300])
    data = {"csrfmiddlewaretoken": token, "code": code, "step": "confirm", **choices}
    duplicate_statuses = []
    barrier = threading.Barrier(duplicates + 1) if duplicates else None

    def resend():
        barrier.wait()
        duplicate_statuses.append(voter.post("/vote/", data)[0])

    extra = [threading.Thread(target=resend) for _ in range(duplicates)]
    for thread in extra:
        thread.start()
    if barrier:
        barrier.wait()
    confirm_started = time.perf_counter()
    status, html = voter.post("/vote/", data)
    finished = time.perf_counter()
    for thread in extra:
        thread.join()
    return finished - started, finished - confirm_started, status, [status, *duplicate_statuses]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voters", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bench-ballot-")
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECURE_SSL": "0",
            "DJANGO_DEBUG": "0",
            "DJANGO_STATIC_ROOT": f"{workdir}/static",
        }
    )
    os.environ.update(env)
    engine = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    evaluation_pk, codes = setup_database(args.voters)
    port = free_port()
    server = start_server(port, env, args.workers)
    base = f"http://127.0.0.1:{port}"
    print(f"{engine}, gunicorn {args.workers} workers × 4 threads on 127.0.0.1:{port}; "
          f"{args.voters} voters, {args.concurrency} at a time, 8 organizations per ballot")
    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            futures = [
                pool.submit(vote, base, code, index, DUPLICATES_PER_CODE if index < DUPLICATED_CODES else 0)
                for index, code in enumerate(codes)
            ]
            outcomes = [future.result() for future in futures]
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    from reviews.models import Ballot, BallotCode, Vote

    ballots = Ballot.objects.filter(evaluation_id=evaluation_pk).count()
    votes = Vote.objects.filter(ballot__evaluation_id=evaluation_pk).count()
    used = BallotCode.objects.filter(group__evaluation_id=evaluation_pk, used=True).count()
    duplicate_groups = [statuses for *_rest, statuses in outcomes if len(statuses) > 1]
    once = all(statuses.count(200) == 1 and statuses.count(409) == DUPLICATES_PER_CODE for statuses in duplicate_groups)
    confirms = [outcome[1] for outcome in outcomes]
    flows = [outcome[0] for outcome in outcomes]
    print(f"elapsed {elapsed:.1f} s for {args.voters} votes → throughput {args.voters / elapsed:.1f} votes/s")
    print(f"vote (confirm POST) latency: p50 {statistics.median(confirms) * 1000:.0f} ms, "
          f"p95 {percentile(confirms, 0.95) * 1000:.0f} ms, max {max(confirms) * 1000:.0f} ms")
    print(f"whole voter flow (GET + review + confirm): p50 {statistics.median(flows) * 1000:.0f} ms, "
          f"p95 {percentile(flows, 0.95) * 1000:.0f} ms")
    print(f"database: {ballots} ballots, {votes} votes, {used} codes used; "
          f"{len(duplicate_groups)} codes sent {DUPLICATES_PER_CODE + 1}× at once: "
          f"{'each counted once, the rest refused (409)' if once else 'NOT counted exactly once: ' + repr(duplicate_groups)}")
    ok = ballots == args.voters and votes == BRANCHES * args.voters and used == args.voters and once
    ok = ok and all(outcome[2] in (200, 409) for outcome in outcomes)

    # Closing rewrites every ballot and vote in a random order (secrecy), then vacuums the tables.
    from branches.models import User
    from reviews.ballots.services import evaluation_close
    from reviews.models import Evaluation

    evaluation = Evaluation.objects.get(pk=evaluation_pk)
    started = time.perf_counter()
    evaluation_close(evaluation=evaluation, by=User.objects.filter(username__startswith="bench_admin_").latest("pk"))
    closing = time.perf_counter() - started
    after = (Ballot.objects.filter(evaluation_id=evaluation_pk).count(), Vote.objects.filter(ballot__evaluation_id=evaluation_pk).count())
    print(f"closing (rewrite of {ballots} ballots and {votes} votes, then VACUUM): {closing * 1000:.0f} ms; "
          f"after it {after[0]} ballots, {after[1]} votes")
    ok = ok and after == (ballots, votes)
    print("OK: every vote counted exactly once" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
