"""Load benchmark of the meeting day (issue 16): 500 voters vote on their phones while the big
screen polls its live turnout. Prints figures; asserts only that every vote counted exactly once
and that the screen caught up (exit status 1 otherwise).

    .venv/bin/python bench/bench_meeting.py [--voters 500] [--concurrency 20] [--workers 3] [--screens 2]

1. A temporary SQLite database (or DATABASE_URL's PostgreSQL) gets the scene of bench_ballot.py
   (8 organizations, `--voters` codes, voting open) plus a meeting whose screen shows the vote.
2. gunicorn serves the app on 127.0.0.1 only (bench_ballot.start_server).
3. `--voters` phones vote (bench_ballot.vote: page, review, confirm; ten codes also resent three
   times at once) in a bounded pool, while `--screens` pollers fetch the screen's state JSON once a
   second, as the projector page does.
4. Printed: how long the votes took (target: within 60 s), the latency of the state JSON, and how
   far the screen was behind — for each vote, from its confirmation to the first poll showing a
   turnout that includes it (target ≤ 2 s). Checked: exactly `--voters` ballots, the screen's final
   已投 equals them.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ballot  # noqa: E402 — the voting scene and the voter are shared with bench_ballot.py


def setup(voters):
    evaluation_pk, codes = bench_ballot.setup_database(voters)
    from branches.models import User
    from reviews.meeting.services import meeting_save, screen_set
    from reviews.models import Evaluation, Meeting

    evaluation = Evaluation.objects.select_related("cycle").get(pk=evaluation_pk)
    admin = User.objects.filter(username__startswith="bench_admin_").latest("pk")
    meeting = meeting_save(cycle=evaluation.cycle, by=admin, title="压测述职评议会")
    screen_set(meeting=meeting, by=admin, screen=Meeting.Screen.VOTING)
    return evaluation_pk, codes, meeting.screen_token


class Screen(threading.Thread):
    """A projector page: polls the state JSON every second; keeps (time, 已投, latency)."""

    def __init__(self, url, stop):
        super().__init__(daemon=True)
        self.url, self.stop, self.samples = url, stop, []

    def run(self):
        while not self.stop.is_set():
            started = time.perf_counter()
            with urllib.request.urlopen(self.url, timeout=30) as response:
                voted = json.loads(response.read())["turnout"]["voted"]
            finished = time.perf_counter()
            self.samples.append((finished, voted, finished - started))
            self.stop.wait(max(0.0, 1.0 - (finished - started)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--screens", type=int, default=2)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bench-meeting-")
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_SECURE_SSL": "0", "DJANGO_DEBUG": "0",
                "DJANGO_STATIC_ROOT": f"{workdir}/static"})
    os.environ.update(env)
    engine = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    evaluation_pk, codes, token = setup(args.voters)
    port = bench_ballot.free_port()
    server = bench_ballot.start_server(port, env, args.workers)
    base = f"http://127.0.0.1:{port}"
    print(f"{engine}, gunicorn {args.workers} workers × 4 threads on 127.0.0.1:{port}; {args.voters} voters "
          f"({args.concurrency} at a time), {args.screens} screens polling once a second")
    stop = threading.Event()
    screens = [Screen(f"{base}/screen/{token}/state.json", stop) for _ in range(args.screens)]
    confirmed = []  # perf_counter() of each vote's confirmation
    lock = threading.Lock()

    def one(index, code):
        outcome = bench_ballot.vote(base, code, index, bench_ballot.DUPLICATES_PER_CODE if index < bench_ballot.DUPLICATED_CODES else 0)
        if 200 in outcome[3]:  # the first send, or one of the resends, counted
            with lock:
                confirmed.append(time.perf_counter())
        return outcome

    try:
        for screen in screens:
            screen.start()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            outcomes = list(pool.map(lambda pair: one(*pair), enumerate(codes)))
        elapsed = time.perf_counter() - started
        deadline = time.perf_counter() + 10  # let the screens catch up
        while time.perf_counter() < deadline and not all(s.samples and s.samples[-1][1] >= len(confirmed) for s in screens):
            time.sleep(0.2)
        stop.set()
        for screen in screens:
            screen.join(timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=30)

    from reviews.models import Ballot

    ballots = Ballot.objects.filter(evaluation_id=evaluation_pk).count()
    once = all(s.count(200) == 1 for *_r, s in outcomes if len(s) > 1)
    lags = []
    for screen in screens:
        for moment_index, moment in enumerate(sorted(confirmed)):
            seen = next((t for t, voted, _l in screen.samples if t >= moment and voted >= moment_index + 1), None)
            lags.append(seen - moment if seen is not None else float("inf"))
    polls = [latency for screen in screens for _t, _v, latency in screen.samples]
    final = [screen.samples[-1][1] for screen in screens]
    print(f"votes: {len(confirmed)} confirmed in {elapsed:.1f} s ({len(confirmed) / elapsed:.1f} votes/s; target: 500 within 60 s)")
    print(f"screen state JSON: {len(polls)} polls, latency p50 {statistics.median(polls) * 1000:.0f} ms, "
          f"p95 {bench_ballot.percentile(polls, 0.95) * 1000:.0f} ms, max {max(polls) * 1000:.0f} ms")
    print(f"screen behind the votes: p50 {statistics.median(lags):.2f} s, p95 {bench_ballot.percentile(lags, 0.95):.2f} s, "
          f"max {max(lags):.2f} s (target ≤ 2 s)")
    print(f"database: {ballots} ballots; screens' final 已投: {final}; duplicates counted once: {once}")
    ok = ballots == args.voters == len(confirmed) and once and all(v == ballots for v in final)
    print("OK: every vote counted once, the screens caught up" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
