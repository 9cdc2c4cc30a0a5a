"""The queue and results pages cost the same number of queries for 10 and for 200 organizations."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.models import Report, ReportVersion
from reviews.models import Problem, ProblemCategory, Question, Result, Review, Score
from reviews.results.services import cycle_publish, results_compute
from tests.factories import INCOMPLETE_OK, CommitteeFactory, OrganizationFactory, UserFactory, launch_cycle


def build_committee(size, tag):
    """A committee with `size` branches, 3 reviewers, every report submitted and mostly reviewed."""
    admin = UserFactory(username=f"admin_{tag}")
    reviewers = [UserFactory(username=f"rev_{tag}_{i}") for i in range(3)]
    committee = CommitteeFactory(name=f"{tag}党委")
    committee.administrators.add(admin)
    committee.committee_members.add(*reviewers)
    for index in range(size):
        OrganizationFactory(name=f"{tag}第{index}支部", parent=committee, secretary=UserFactory(username=f"sec_{tag}_{index}"))
    cycle = launch_cycle(organization=committee, year=2025, by=admin)
    reports = list(cycle.reports.all())
    now = timezone.now()
    Report.objects.filter(cycle=cycle).update(status=Report.Status.SUBMITTED, submitted_at=now)
    versions = ReportVersion.objects.bulk_create(
        [ReportVersion(report=r, number=1, performance="履职", problems="问题", plans="打算", submitted_at=now) for r in reports]
    )
    # Every third report has a second version, so some reviews are outdated.
    ReportVersion.objects.bulk_create(
        [ReportVersion(report=r, number=2, performance="履职2", submitted_at=now) for r in reports[::3]]
    )
    criteria = list(cycle.criteria.all())
    category = ProblemCategory.objects.first()
    reviews = Review.objects.bulk_create(
        [
            Review(report=r, reviewer=reviewer, version=v, status=Review.Status.SUBMITTED, comment="点评", submitted_at=now)
            for r, v in zip(reports, versions, strict=True)
            for reviewer in reviewers[: 2 + (r.pk % 2)]  # half the reports fully reviewed
        ]
    )
    Score.objects.bulk_create([Score(review=review, criterion=c, points=c.max_points - 1) for review in reviews for c in criteria])
    Problem.objects.bulk_create([Problem(review=review, text="问题", category=category) for review in reviews])
    Question.objects.bulk_create([Question(report=r, asked_by=reviewers[0], text="提问") for r in reports])
    Result.objects.bulk_create([Result(report=r, routine_score=Decimal(80 + i % 20)) for i, r in enumerate(reports)])
    results_compute(cycle=cycle, by=admin)
    return cycle, admin, reviewers[0], reports


def count_queries(client, user, url):
    client.force_login(user)
    client.get(url)  # warm up session and caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.fixture
def small_and_large(db):
    # Built once: the one test below measures every page on both.
    return build_committee(10, "小"), build_committee(200, "大")


PAGES = {
    "queue": lambda cycle, report: ("reviewer", reverse("reviews:queue", args=[cycle.pk])),
    "index": lambda cycle, report: ("reviewer", reverse("reviews:index")),
    "results": lambda cycle, report: ("admin", reverse("reviews:results", args=[cycle.pk])),
    "routine_scores": lambda cycle, report: ("admin", reverse("reviews:routine_scores", args=[cycle.pk])),
    "assignments": lambda cycle, report: ("admin", reverse("reviews:assignments", args=[cycle.pk])),
    "queue, sorted and filtered, page 2": lambda cycle, report: (
        "reviewer", reverse("reviews:queue", args=[cycle.pk]) + "?state=todo&sort=-questions&page=2"
    ),
    "results, sorted, last page": lambda cycle, report: ("admin", reverse("reviews:results", args=[cycle.pk]) + "?sort=-total&page=999"),
    "assignments, sorted, page 2": lambda cycle, report: (
        "admin", reverse("reviews:assignments", args=[cycle.pk]) + "?sort=-reviewers&page=2"
    ),
    "admin_index": lambda cycle, report: ("admin", reverse("reviews:admin_index")),
}


def test_query_counts_do_not_grow_with_the_number_of_organizations(client, small_and_large):
    counts = {}
    for (cycle, admin, reviewer, reports), size in zip(small_and_large, (10, 200), strict=True):
        users = {"admin": admin, "reviewer": reviewer}
        for name, page in PAGES.items():
            role, url = page(cycle, reports[0])
            counts[(name, size)], response = count_queries(client, users[role], url)
            if name in ("results", "queue", "assignments"):
                # One page of the table, counted over the whole set.
                assert response.context["table"].count == size
                assert len(response.context["table"].rows) == min(size, 50)
    for name in PAGES:
        assert counts[(name, 10)] == counts[(name, 200)], f"{name}: {counts[(name, 10)]} vs {counts[(name, 200)]}"
    # Entering all the routine scores at once is one form and a constant number of queries too.
    small, large = ([routine_post_queries(client, c, a, r) for c, a, _, r in small_and_large])
    assert small == large
    # The other large tables, sorted, filtered and on a later page, once the results are published.
    for cycle, admin, _, _ in small_and_large:
        results_compute(cycle=cycle, by=admin)  # the routine scores changed above
        cycle_publish(cycle=cycle, by=admin, reason=INCOMPLETE_OK)
    for name, page in PUBLISHED_PAGES.items():
        (small_cycle, small_admin, *_), (large_cycle, large_admin, *_) = small_and_large
        small_count, _ = count_queries(client, small_admin, page(small_cycle))
        large_count, response = count_queries(client, large_admin, page(large_cycle))
        assert small_count == large_count, f"{name}: {small_count} vs {large_count}"


PUBLISHED_PAGES = {
    "ledger": lambda cycle: reverse("reviews:rectification_ledger", args=[cycle.pk]),
    "ledger, sorted, filtered, paged": lambda cycle: reverse("reviews:rectification_ledger", args=[cycle.pk])
    + "?state=not_started&items_sort=-deadline&items_page=2&plans_sort=-total&plans_page=3",
    "audit log, sorted, page 2": lambda cycle: reverse("branches:audit_log") + "?sort=action&page=2",
    "organizations, sorted, page 2": lambda cycle: reverse("branches:organizations") + "?sort=-members&page=2",
    # 14 people in the small committee, a full page of 50 in the large one
    "people, sorted, page 2": lambda cycle: reverse("branches:people") + "?sort=-name&page=2",
    "progress, filtered, sorted, page 2": lambda cycle: reverse("reviews:progress", args=[cycle.pk]) + "?state=reviewed&sort=-reviews&page=2",
}


def routine_post_queries(client, cycle, admin, reports):
    client.force_login(admin)
    url = reverse("reviews:routine_scores", args=[cycle.pk])
    data = {f"routine_{r.pk}": str(70 + i % 30) for i, r in enumerate(reports)}
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, data).status_code == 302
    return len(queries)
