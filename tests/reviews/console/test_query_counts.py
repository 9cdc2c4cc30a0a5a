"""Every console page costs the same number of queries for 10 and for 200 organizations."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from branches.roster import roster_export
from reports.models import Cycle, Report
from reviews.models import Review
from tests.factories import CommitteeFactory, OrganizationFactory, UserFactory, launch_cycle


def build(size, tag):
    admin = UserFactory(username=f"admin_{tag}")
    reviewers = [UserFactory(username=f"rev_{tag}_{i}") for i in range(2)]
    committee = CommitteeFactory(name=f"{tag}党委")
    committee.administrators.add(admin)
    committee.committee_members.add(*reviewers)
    for index in range(size):
        OrganizationFactory(name=f"{tag}第{index}支部", parent=committee, secretary=UserFactory(username=f"sec_{tag}_{index}", phone=f"139{index:08d}"))
    cycle = launch_cycle(organization=committee, year=2025, by=admin)
    reports = list(cycle.reports.order_by("pk"))
    states = [Report.Status.NOT_STARTED, Report.Status.DRAFT, Report.Status.SUBMITTED, Report.Status.RETURNED]
    for index, report in enumerate(reports):
        report.status = states[index % 4]
    Report.objects.bulk_update(reports, ["status"])
    Review.objects.bulk_create(
        [Review(report=r, reviewer=reviewers[0], status=Review.Status.SUBMITTED) for r in reports if r.status == Report.Status.SUBMITTED]
    )
    Cycle.objects.filter(pk=cycle.pk).update(submission_deadline=timezone.now() - datetime.timedelta(days=1))
    return cycle, admin


def count(client, user, method, url, data_factory=None):
    client.force_login(user)
    call = getattr(client, method)
    call(url, data_factory() if data_factory else None)  # warm up session and caches
    with CaptureQueriesContext(connection) as queries:
        response = call(url, data_factory() if data_factory else None)
    assert response.status_code in (200, 302), response.status_code
    return len(queries)


PAGES = [
    ("get", lambda cycle: reverse("reviews:progress", args=[cycle.pk])),
    ("get", lambda cycle: reverse("reviews:progress", args=[cycle.pk]) + "?state=late&sort=activity"),
    ("get", lambda cycle: reverse("reviews:progress_xlsx", args=[cycle.pk])),
    ("post", lambda cycle: reverse("reviews:remind_late", args=[cycle.pk])),
    ("get", lambda cycle: reverse("reviews:cycle_setup") + f"?organization={cycle.organization_id}"),
    ("get", lambda cycle: reverse("branches:roster")),
    ("get", lambda cycle: reverse("branches:roster_export")),
    ("get", lambda cycle: reverse("branches:roster_template")),
]


def test_console_pages_do_not_grow_with_organizations(client, db, settings):
    # Both sizes remind within the request (more go to the background: tests/jobs/test_views.py).
    settings.JOBS_REMINDERS_IN_REQUEST = 1000
    # One scene for all pages: building 210 organizations is the slow part.
    (small, small_admin), (large, large_admin) = build(10, "小"), build(200, "大")
    for method, url in PAGES:
        small_count = count(client, small_admin, method, url(small))
        assert small_count == count(client, large_admin, method, url(large)), url(small)
    counts = []
    for admin in [small_admin, large_admin]:
        content = roster_export(admin)
        upload = lambda content=content: {"file": SimpleUploadedFile("名册.xlsx", content)}  # noqa: E731
        counts.append(count(client, admin, "post", reverse("branches:roster_preview"), upload))
    assert counts[0] == counts[1]
