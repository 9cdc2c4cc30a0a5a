"""Benchmark of the large tables. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_tables.py [--organizations 2000]

In a temporary SQLite database (migrated from scratch) builds, with bulk_create, one committee
with N branches and one cycle: reports in mixed states (half submitted, with a version), three
reviewers assigned to every report, a submitted review with scores and a problem from each on
every submitted report, routine scores, computed and published results (so every organization
has a problem list and rectification items), and audit entries. The same scene is built for 20
organizations. Then it prints the server time and the number of queries of every page whose
table grows with the organizations, for the first page, a later page and a sorted / filtered one
(the query counts must be equal at both sizes).

Target (issue 19): every page ≤ 300 ms at 2,000 organizations, a constant number of queries.
"""

import argparse
import datetime
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_console import setup_django  # noqa: E402


def build(size, tag):
    """The scene for `size` organizations. Returns (administrator, reviewer, cycle, timings)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from branches.models import AuditEntry, Organization, User
    from branches.services import administrator_grant, organization_create, organizations_create
    from reports.models import Report, ReportVersion
    from reviews.console.launch import cycle_launch
    from reviews.models import Problem, ProblemCategory, Result, Review, Score
    from reviews.results.services import cycle_publish, results_compute

    rng = random.Random(size)
    timings = {}
    start = time.perf_counter()
    password = make_password("Bench#2026")
    admin = User.objects.create(username=f"{tag}_admin", password=password)
    committee = organization_create(name=f"{tag}街道党工委", kind="committee")
    administrator_grant(organization=committee, user=admin)
    reviewers = User.objects.bulk_create(
        [User(username=f"{tag}_member{i}", name=f"委员{i}", password=password) for i in range(3)]
    )
    committee.committee_members.add(*reviewers)
    secretaries = User.objects.bulk_create(
        [User(username=f"{tag}_sec{i}", name=f"书记{i}", phone=f"139{i:08d}", password=password) for i in range(size)]
    )
    organizations_create(
        organizations=[
            Organization(name=f"{tag}城关街道第{i + 1}社区党支部", parent=committee, secretary=secretary, order=i)
            for i, secretary in enumerate(secretaries)
        ]
    )
    cycle = cycle_launch(
        organization=committee,
        year=timezone.localdate().year,
        title="年度述职评议",
        submission_deadline=timezone.now() + datetime.timedelta(days=30),
        by=admin,
    )
    now = timezone.now()
    reports = list(cycle.reports.select_related("organization").order_by("pk"))
    others = [Report.Status.NOT_STARTED, Report.Status.DRAFT, Report.Status.RETURNED]
    for index, report in enumerate(reports):
        report.status = Report.Status.SUBMITTED if index % 2 == 0 else others[index % 3]
        report.submitted_at = now if report.status == Report.Status.SUBMITTED else None
    Report.objects.bulk_update(reports, ["status", "submitted_at"])
    submitted = [r for r in reports if r.status == Report.Status.SUBMITTED]
    versions = ReportVersion.objects.bulk_create(
        [
            ReportVersion(report=r, number=1, performance="履职情况", problems="存在问题", plans="下一步打算", submitted_at=now, submitted_by=r.organization.secretary)
            for r in submitted
        ]
    )
    reviews = Review.objects.bulk_create(
        [
            Review(report=v.report, reviewer=reviewer, version=v, status=Review.Status.SUBMITTED, comment="点评意见", submitted_at=now)
            for v in versions
            for reviewer in reviewers
        ]
    )
    criteria = list(cycle.criteria.all())
    Score.objects.bulk_create(
        [
            Score(review=review, criterion=c, points=Decimal(rng.randint(int(c.max_points) * 6, int(c.max_points) * 10)) / 10)
            for review in reviews
            for c in criteria
        ]
    )
    category = ProblemCategory.objects.order_by("order").first()
    Problem.objects.bulk_create(
        [Problem(review=review, text=f"问题{review.reviewer_id % 3}：学习制度落实不够", category=category) for review in reviews]
    )
    Result.objects.bulk_create(
        [Result(report=r, routine_score=Decimal(rng.randint(6000, 10000)) / 100) for r in reports]
    )
    timings["scene"] = time.perf_counter() - start
    start = time.perf_counter()
    results_compute(cycle=cycle, by=admin)
    timings["compute"] = time.perf_counter() - start
    start = time.perf_counter()
    cycle_publish(cycle=cycle, by=admin, reason="基准测试：部分报告未提交")
    timings["publish"] = time.perf_counter() - start
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(organization=r.organization, actor=r.organization.secretary, action=AuditEntry.Action.REPORT_SUBMITTED, summary=f"提交述职报告：{r.organization.name}")
            for r in reports
            for _ in range(2)
        ]
    )
    cycle.refresh_from_db()
    return admin, reviewers[0], cycle, timings


def pages(cycle):
    """(name, url, who): who is "admin" or "reviewer"."""
    from django.urls import reverse

    def url(name, query=""):
        return reverse(name, args=[cycle.pk]) + query

    return [
        ("results", url("reviews:results"), "admin"),
        ("results ?page=3", url("reviews:results", "?page=3"), "admin"),
        ("results ?sort=-total&grade=good", url("reviews:results", "?sort=-total&grade=good"), "admin"),
        ("assignments", url("reviews:assignments"), "admin"),
        ("assignments ?page=5&sort=-organization", url("reviews:assignments", "?page=5&sort=-organization"), "admin"),
        ("progress", url("reviews:progress"), "admin"),
        ("progress ?state=submitted&sort=-activity&page=2", url("reviews:progress", "?state=submitted&sort=-activity&page=2"), "admin"),
        ("audit log", reverse("branches:audit_log"), "admin"),
        ("audit log ?page=20", reverse("branches:audit_log") + "?page=20", "admin"),
        ("rectification ledger", url("reviews:rectification_ledger"), "admin"),
        ("rectification ledger ?items_page=9&items_sort=-deadline", url("reviews:rectification_ledger", "?items_page=9&items_sort=-deadline"), "admin"),
        ("routine scores", url("reviews:routine_scores"), "admin"),
        ("organizations", reverse("branches:organizations"), "admin"),
        ("organizations ?sort=-name&page=7", reverse("branches:organizations") + "?sort=-name&page=7", "admin"),
        ("people ?page=9", reverse("branches:people") + "?page=9", "admin"),
        ("reviewer's queue", url("reviews:queue"), "reviewer"),
        ("reviewer's queue ?state=submitted&page=3", url("reviews:queue", "?state=submitted&page=3"), "reviewer"),
    ]


def measure(users, cycle, repeat, slowest=0):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    figures = {}
    for name, url, role in pages(cycle):
        client = clients[role]
        client.get(url)  # warm up
        times, cpu = [], []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
        figures[name] = (response.status_code, len(queries), statistics.median(times), len(response.content), statistics.median(cpu))
        if slowest:
            print(f"\n{name}: {statistics.median(times) * 1000:.0f} ms, the slowest queries:")
            for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:slowest]:
                print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organizations", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="requests per page; the median is printed")
    parser.add_argument("--slowest", type=int, default=0, help="also print the N slowest queries of each page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        small_admin, small_reviewer, small_cycle, _ = build(20, "s")
        admin, reviewer, cycle, timings = build(args.organizations, "b")
        print(
            f"Scene of {args.organizations} organizations: built in {timings['scene']:.1f} s, "
            f"results computed in {timings['compute']:.1f} s, published in {timings['publish']:.1f} s"
        )
        small = measure({"admin": small_admin, "reviewer": small_reviewer}, small_cycle, 1)
        large = measure({"admin": admin, "reviewer": reviewer}, cycle, args.repeat, args.slowest)
        n = args.organizations
        print(
            "\nServer time: the median wall time of the request in the test client; CPU: the median time this"
            "\nprocess spent on it (SQLite runs in process; unlike wall time, CPU time hardly moves when other"
            "\nwork shares the machine)."
        )
        print(f"\n{'page':<58} {'status':>6} {'queries (20)':>12} {f'queries ({n})':>14} {f'time ({n})':>12} {'CPU':>9} {'HTML':>9}")
        for name, (status, queries, elapsed, size, cpu) in large.items():
            print(
                f"{name:<58} {status:>6} {small[name][1]:>12} {queries:>14} {elapsed * 1000:>9.0f} ms"
                f" {cpu * 1000:>6.0f} ms {size // 1024:>6} kB"
            )
        differ = [name for name in large if small[name][1] != large[name][1]]
        slow = [name for name, figures in large.items() if figures[2] > 0.3]
        print("\nQuery counts independent of the number of organizations:", "yes" if not differ else f"no: {differ}")
        print("Every page within 300 ms:", "yes" if not slow else f"no: {slow}")


if __name__ == "__main__":
    main()
