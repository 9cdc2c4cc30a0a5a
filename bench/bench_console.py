"""Benchmark of the administrator's console. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_console.py [--organizations 500]

In a temporary SQLite database (migrated from scratch):
1. imports a roster of N branches, each with a new secretary account, under a committee
   (preview = plan only, then apply = plan again + write, with Django's default PBKDF2
   hasher configured, as in production) — wall time of each;
2. opens a cycle for them (cycle_launch: reports, rubric, assignments, notices);
3. puts the reports in mixed states and prints the number of queries and the time of
   every console page for the N-organization committee and for a 10-organization one
   (the query counts must be equal: they do not grow with the organizations).

Target (issue 8): every page a constant number of queries; a 500-row import in a few seconds.
"""

import argparse
import datetime
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(database):
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["DJANGO_SECURE_SSL"] = "0"
    os.environ["AXES_ENABLED"] = "0"
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Pages render {% static %}; the benchmark has no collected manifest.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    # remind_late is measured as sent within the request; past JOBS_REMINDERS_IN_REQUEST late
    # secretaries the site queues it for the background worker instead (jobs/).
    settings.JOBS_REMINDERS_IN_REQUEST = 10**6

    call_command("migrate", verbosity=0)


def roster_file(committee_name, size, tag):
    from openpyxl import Workbook

    from branches.roster import MEMBER_COLUMNS, MEMBER_SHEET, ORGANIZATION_COLUMNS, ORGANIZATION_SHEET

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ORGANIZATION_SHEET
    sheet.append(ORGANIZATION_COLUMNS)
    for i in range(size):
        sheet.append([f"{tag}第{i + 1}党支部", "党支部", committee_name, f"书记{i + 1}", f"139{i:08d}", f"{tag}_sec{i + 1}"])
    members = workbook.create_sheet(MEMBER_SHEET)
    members.append(MEMBER_COLUMNS)
    for i in range(3):
        members.append([committee_name, f"委员{i + 1}", "", f"{tag}_member{i + 1}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build(size, tag):
    """A committee with `size` branches imported from a roster, and an open cycle in mixed states.
    Returns (administrator, cycle, timings)."""
    from django.utils import timezone

    from branches.models import User
    from branches.roster import roster_import, roster_plan
    from branches.services import administrator_grant, organization_create
    from reports.models import Cycle, Report
    from reviews.console.launch import cycle_launch
    from reviews.models import Review

    admin = User.objects.create_user(username=f"{tag}_admin", password="Bench#2026")
    committee = organization_create(name=f"{tag}街道党工委", kind="committee")
    administrator_grant(organization=committee, user=admin)
    content = roster_file(committee.name, size, tag)
    timings = {}
    start = time.perf_counter()
    plan = roster_plan(content=content, user=admin)
    timings["preview"] = time.perf_counter() - start
    assert not plan.errors, plan.errors[:3]
    start = time.perf_counter()
    outcome = roster_import(content=content, by=admin)
    timings["apply"] = time.perf_counter() - start
    timings["accounts"] = len(outcome.passwords)
    start = time.perf_counter()
    cycle = cycle_launch(
        organization=committee,
        year=timezone.localdate().year,
        title="年度述职评议",
        submission_deadline=timezone.now() + datetime.timedelta(days=30),
        by=admin,
    )
    timings["launch"] = time.perf_counter() - start
    reports = list(cycle.reports.order_by("pk"))
    states = [Report.Status.NOT_STARTED, Report.Status.DRAFT, Report.Status.SUBMITTED, Report.Status.RETURNED]
    for index, report in enumerate(reports):
        report.status = states[index % 4]
    Report.objects.bulk_update(reports, ["status"])
    reviewer = committee.committee_members.first()
    Review.objects.bulk_create(
        [Review(report=r, reviewer=reviewer, status=Review.Status.SUBMITTED) for r in reports if r.status == Report.Status.SUBMITTED]
    )
    Cycle.objects.filter(pk=cycle.pk).update(submission_deadline=timezone.now() - datetime.timedelta(days=1))
    return admin, cycle, timings


def pages(cycle):
    from django.urls import reverse

    return [
        ("roster", "get", reverse("branches:roster")),
        ("roster_template", "get", reverse("branches:roster_template")),
        ("roster_export", "get", reverse("branches:roster_export")),
        ("cycle_setup", "get", reverse("reviews:cycle_setup") + f"?organization={cycle.organization_id}"),
        ("progress", "get", reverse("reviews:progress", args=[cycle.pk])),
        ("progress ?state=late&sort=activity", "get", reverse("reviews:progress", args=[cycle.pk]) + "?state=late&sort=activity"),
        ("progress_xlsx", "get", reverse("reviews:progress_xlsx", args=[cycle.pk])),
        ("remind_late (POST)", "post", reverse("reviews:remind_late", args=[cycle.pk])),
    ]


def measure_pages(admin, cycle):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(admin)
    results = {}
    for name, method, url in pages(cycle):
        getattr(client, method)(url)  # warm up
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = getattr(client, method)(url)
            elapsed = time.perf_counter() - start
        assert response.status_code in (200, 302), (name, response.status_code)
        results[name] = (len(queries), elapsed)
    # the roster preview of the committee's own export (an upload: a POST with a file)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from branches.roster import roster_export

    content = roster_export(admin)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.post(reverse("branches:roster_preview"), {"file": SimpleUploadedFile("名册.xlsx", content)})
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    results["roster_preview (POST, re-import of the export)"] = (len(queries), elapsed)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organizations", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        from django.conf import settings

        print(f"Password hasher: {settings.PASSWORD_HASHERS[0]}")
        small_admin, small_cycle, small_timings = build(10, "s")
        admin, cycle, timings = build(args.organizations, "b")
        print(f"\nRoster import of {args.organizations} rows ({timings['accounts']} new accounts):")
        print(f"  preview (read + check, nothing written): {timings['preview']:.2f} s")
        print(f"  apply (check again + write, one transaction): {timings['apply']:.2f} s")
        print(f"  cycle_launch for {args.organizations} organizations: {timings['launch']:.2f} s")
        small = measure_pages(small_admin, small_cycle)
        large = measure_pages(admin, cycle)
        print(f"\n{'page':<50} {'queries (10)':>12} {'queries (' + str(args.organizations) + ')':>14} {'time (' + str(args.organizations) + ')':>12}")
        for name, (queries, elapsed) in large.items():
            print(f"{name:<50} {small[name][0]:>12} {queries:>14} {elapsed * 1000:>10.0f} ms")
        differ = [name for name in large if small[name][0] != large[name][0]]
        print("\nQuery counts independent of the number of organizations:", "yes" if not differ else f"no: {differ}")
        print(
            "(remind_late writes every notice with one bulk INSERT; SQLite allows 999 parameters per statement,\n"
            " so Django splits more than 199 notices into several INSERTs. PostgreSQL takes one.)"
        )


if __name__ == "__main__":
    main()
