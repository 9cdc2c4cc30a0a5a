"""Benchmark of the insight pages (issue 18). Prints figures; asserts nothing.

    .venv/bin/python bench/bench_insight.py [--organizations 2000] [--years 5] [--runs 5]

In a temporary SQLite database (migrated from scratch), written in bulk:
a county committee above a township of N branches and a township of 20, each with three
committee members and Y closed, published years (every report submitted, three submitted reviews
of five criteria each, results with grades, a publication snapshot, one problem per review of
the last reviewer, problem lists with items in every state). Then, through the test client, as
the administrators would: each page's server time (median of the runs, rendering included) and
its number of queries, at N organizations and at 20 — the counts must be equal.

Target: every analysis page ≤ 300 ms and a constant number of queries at 2,000 organizations × 5 years.
`--keep PATH` keeps the database for another run (writing it takes a minute or two).
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(database):
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["DJANGO_SECURE_SSL"] = "0"
    os.environ["AXES_ENABLED"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    call_command("migrate", verbosity=0)


def committee(name, parent, size, tag, years, rng):
    """A committee of `size` branches with `years` closed years. Returns (admin, committee, branches, cycles)."""
    from django.utils import timezone

    from branches.models import Organization, User
    from reports.models import Cycle, Report, ReportVersion
    from reviews.console.launch import problem_categories_ensure_default
    from reviews.models import (
        DEFAULT_CRITERIA,
        Criterion,
        Grade,
        Problem,
        ProblemCategory,
        Publication,
        PublishedResult,
        RectificationItem,
        RectificationPlan,
        Result,
        ResultSettings,
        Review,
        ReviewerPseudonym,
        Score,
    )

    problem_categories_ensure_default()
    categories = list(ProblemCategory.objects.all())
    password = "!"  # unusable: the benchmark logs in with force_login
    admin = User.objects.create(username=f"{tag}_admin", name=f"{tag}管理员", password=password)
    reviewers = [User.objects.create(username=f"{tag}_rev{n}", name=f"{tag}委员{n}", password=password) for n in range(3)]
    top = Organization.objects.create(name=name, kind=Organization.Kind.COMMITTEE, parent=parent)
    top.path = f"{parent.path if parent else '/'}{top.pk}/"
    top.save(update_fields=["path"])
    top.administrators.add(admin)
    top.committee_members.add(*reviewers)
    secretaries = User.objects.bulk_create(
        [User(username=f"{tag}_sec{n}", name=f"书记{n}", password=password) for n in range(size)]
    )
    branches = Organization.objects.bulk_create(
        [Organization(name=f"{tag}第{n + 1}党支部", parent=top, secretary=secretaries[n], order=n) for n in range(size)]
    )
    for branch in branches:
        branch.path = f"{top.path}{branch.pk}/"
    Organization.objects.bulk_update(branches, ["path"])
    this_year = timezone.localdate().year
    standing = [rng.uniform(55, 97) for _ in branches]
    cycles = []
    tz = timezone.get_current_timezone()
    for back in range(years, 0, -1):
        year = this_year - back
        when = datetime.datetime(year + 1, 1, 20, tzinfo=tz)
        cycle = Cycle.objects.create(
            organization=top, year=year, title=f"{year}年度述职评议", submission_deadline=when,
            status=Cycle.Status.CLOSED, published_at=when,
        )
        ResultSettings.objects.create(cycle=cycle, results_computed_at=when)
        criteria = Criterion.objects.bulk_create(
            [Criterion(cycle=cycle, name=n, max_points=m, description=d, order=i) for i, (n, m, d) in enumerate(DEFAULT_CRITERIA)]
        )
        ReviewerPseudonym.objects.bulk_create([ReviewerPseudonym(cycle=cycle, reviewer=r, number=i + 1) for i, r in enumerate(reviewers)])
        reports = Report.objects.bulk_create(
            [Report(cycle=cycle, organization=b, status=Report.Status.SUBMITTED, submitted_at=when) for b in branches]
        )
        versions = ReportVersion.objects.bulk_create([ReportVersion(report=r, number=1, submitted_at=when) for r in reports])
        reviews, scores, totals = [], [], {}
        for report, version, base in zip(reports, versions, standing):
            for number, reviewer in enumerate(reviewers):
                reviews.append(Review(report=report, reviewer=reviewer, version=version, status=Review.Status.SUBMITTED, comment="点评", submitted_at=when))
        reviews = Review.objects.bulk_create(reviews, batch_size=2000)
        for index, review in enumerate(reviews):
            target = min(100, max(30, standing[index // 3] + (index % 3 - 1) * 3 + rng.uniform(-4, 4)))
            review_total = Decimal(0)
            for criterion in criteria:
                points = (criterion.max_points * Decimal(target) / 100).quantize(Decimal("0.1"))
                scores.append(Score(review=review, criterion=criterion, points=points))
                review_total += points
            totals.setdefault(review.report_id, []).append(review_total)
        Score.objects.bulk_create(scores, batch_size=5000)
        Problem.objects.bulk_create(
            [Problem(review=review, text="问题", category=rng.choice(categories)) for review in reviews[2::3]], batch_size=2000
        )
        ordered = sorted(reports, key=lambda r: -sum(totals[r.pk]))
        ranks = {report.pk: rank for rank, report in enumerate(ordered, start=1)}
        results = []
        sheets = []
        publication = Publication.objects.create(cycle=cycle, number=1, published_at=when)
        for report in reports:
            score = (sum(totals[report.pk]) / 3).quantize(Decimal("0.01"))
            grade = Grade.EXCELLENT if score >= 90 else Grade.GOOD if score >= 80 else Grade.FAIR if score >= 60 else Grade.POOR
            results.append(Result(report=report, review_score=score, routine_score=score, total=score, rank=ranks[report.pk], grade=grade, computed_grade=grade, computed_at=when))
            sheets.append(PublishedResult(publication=publication, report=report, sheet={
                "grade": grade, "grade_label": {"excellent": "好", "good": "较好", "fair": "一般", "poor": "差"}[grade],
                "total": str(score), "rank": ranks[report.pk], "ranked_count": len(reports), "show_rank": True,
                "components": [{"name": "review", "label": "现场评议", "weight": "60", "score": str(score)}, {"name": "routine", "label": "日常考核", "weight": "40", "score": str(score)}],
            }))
        Result.objects.bulk_create(results, batch_size=2000)
        PublishedResult.objects.bulk_create(sheets, batch_size=2000)
        plans = RectificationPlan.objects.bulk_create(
            [RectificationPlan(report=r, status=RectificationPlan.Status.APPROVED) for r in reports], batch_size=2000
        )
        statuses = list(RectificationItem.Status.values)
        RectificationItem.objects.bulk_create(
            [
                RectificationItem(plan=plan, text="问题", category=rng.choice(categories), status=rng.choice(statuses), deadline=datetime.date(year + 1, 6, 30))
                for plan in plans
                for _ in range(2)
            ],
            batch_size=2000,
        )
        cycles.append(cycle)
    return admin, top, branches, cycles


def existing(tag):
    """(admin, committee, branches, cycles) of a committee a kept database already holds."""
    from branches.models import User
    from reports.models import Cycle

    admin = User.objects.get(username=f"{tag}_admin")
    top = admin.administered_organizations.get()
    return admin, top, list(top.children.order_by("order")), list(Cycle.objects.filter(organization=top).order_by("year"))


def measure(client, user, url, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    client.get(url)  # warm up: templates compiled, caches filled
    times, cpu = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return len(queries), statistics.median(times), max(times), statistics.median(cpu)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--organizations", type=int, default=2000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", metavar="PATH", help="write the database to PATH and keep it (reused when it exists)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        database = Path(args.keep) if args.keep else Path(directory) / "bench.sqlite3"
        reuse = database.exists()
        setup_django(database)
        from django.test import Client
        from django.urls import reverse

        from branches.models import Organization, User

        if reuse:
            big, small = existing("big"), existing("small")
            county_admin = User.objects.get(username="county_admin")
            print(f"Data: reusing {database}")
        else:
            rng = random.Random(18)
            start = time.perf_counter()
            county = Organization.objects.create(name="基准县委", kind=Organization.Kind.COMMITTEE)
            county.path = f"/{county.pk}/"
            county.save(update_fields=["path"])
            county_admin = User.objects.create(username="county_admin", name="县组织部", password="!")
            county.administrators.add(county_admin)
            big = committee("大镇党委", county, args.organizations, "big", args.years, rng)
            small = committee("小镇党委", county, 20, "small", args.years, rng)
            print(f"Data: {args.organizations} + 20 organizations × {args.years} years written in {time.perf_counter() - start:.1f} s")

        client = Client()
        rows = []
        for label, (admin, _top, branches, cycles) in (("N", big), ("20", small)):
            latest = cycles[-1]
            pages = [
                ("分析 cycle_analysis", admin, reverse("reviews:cycle_analysis", args=[latest.pk])),
                ("分析 + 标准化对照 ?view=normalised", admin, reverse("reviews:cycle_analysis", args=[latest.pk]) + "?view=normalised"),
                ("党组织档案 organization_file", admin, reverse("reviews:organization_file", args=[branches[0].pk])),
                ("各级对比 levels（本镇管理员）", admin, reverse("reviews:levels")),
                ("结果页 results（等次分布图）", admin, reverse("reviews:results", args=[latest.pk])),
            ]
            for name, user, url in pages:
                rows.append((label, name, *measure(client, user, url, args.runs)))
        rows.append(("county", "各级对比 levels（县委管理员，全部党委）", *measure(client, county_admin, reverse("reviews:levels"), args.runs)))

        # Wall time suffers when other processes share the CPUs; CPU time (SQLite runs in this
        # process, so it includes the queries) is what the request itself costs.
        print(f"\n{'size':>6}  {'page':<40} {'queries':>7} {'median ms':>10} {'max ms':>8} {'CPU ms':>7}")
        for label, name, queries, median, worst, cpu in rows:
            size = args.organizations if label == "N" else label
            print(f"{size!s:>6}  {name:<40} {queries:>7} {median:>10.0f} {worst:>8.0f} {cpu:>7.0f}")
        print(f"load average while measuring: {' '.join(f'{value:.1f}' for value in os.getloadavg())} ({os.cpu_count()} CPUs)")
        big_counts = [queries for label, _n, queries, *_ in rows if label == "N"]
        small_counts = [queries for label, _n, queries, *_ in rows if label == "20"]
        print(f"\nQuery counts equal at {args.organizations} and 20 organizations: {big_counts == small_counts}")


if __name__ == "__main__":
    main()
