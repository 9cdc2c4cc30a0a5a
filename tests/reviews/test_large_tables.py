"""The large tables through the client: sorted both ways and filtered in the database, paged with
the state kept, counters over the whole set, bad parameters answered with a page (never a 500),
exports and bulk actions over everything the user asked for, and access unchanged per role."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from branches.models import AuditEntry
from reports.models import Report
from reviews.models import Assignment, Grade, Result
from reviews.results.services import cycle_publish
from tests.factories import INCOMPLETE_OK, UserFactory
from tests.reviews.test_query_counts import build_committee

SIZE = 62  # two pages of 50


@pytest.fixture
def big(db):
    cycle, admin, reviewer, reports = build_committee(SIZE, "大")
    outsider = UserFactory(username="outsider_admin")
    build_committee(3, "他")[0].organization.administrators.add(outsider)
    secretary = reports[0].organization.secretary
    return cycle, admin, reviewer, reports, outsider, secretary


def get(client, user, name, args, params=None):
    client.force_login(user)
    return client.get(reverse(name, args=args), params or {})


def totals(rows):
    return [row.total for row in rows]


def test_results_sorted_both_ways_over_the_whole_set(client, big):
    cycle, admin, *_ = big
    all_totals = sorted(Result.objects.filter(report__cycle=cycle).values_list("total", flat=True))
    assert len(set(all_totals)) > 3
    high = get(client, admin, "reviews:results", [cycle.pk], {"sort": "-total"}).context
    low = get(client, admin, "reviews:results", [cycle.pk], {"sort": "total"}).context
    assert totals(high["rows"]) == sorted(all_totals, reverse=True)[:50]
    assert totals(low["rows"]) == all_totals[:50]
    # The second page continues where the first stopped.
    second = get(client, admin, "reviews:results", [cycle.pk], {"sort": "-total", "page": 2}).context
    assert totals(second["rows"]) == sorted(all_totals, reverse=True)[50:]
    # By rank (the default): 1, … ascending; rank ties keep a stable order between pages.
    ranks = [row.rank for row in get(client, admin, "reviews:results", [cycle.pk]).context["rows"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    # Counters are of the whole cycle, not of the page.
    distribution = high["distribution"]
    assert sum(item["count"] for item in distribution) == SIZE


def test_results_filter_by_grade_and_name(client, big):
    cycle, admin, *_ = big
    good = Result.objects.filter(report__cycle=cycle, grade=Grade.GOOD).count()
    response = get(client, admin, "reviews:results", [cycle.pk], {"grade": Grade.GOOD, "sort": "organization"})
    assert response.context["table"].count == good
    assert {row.grade for row in response.context["rows"]} <= {Grade.GOOD}
    named = get(client, admin, "reviews:results", [cycle.pk], {"q": "第1"}).context["rows"]
    assert named and all("第1" in row.organization.name for row in named)
    # The pager and the headers keep the filter.
    html = get(client, admin, "reviews:results", [cycle.pk], {"q": "支部", "sort": "-total"}).content.decode()
    assert "q=%E6%94%AF%E9%83%A8&amp;sort=-total&amp;page=2" in html


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"}, {"page": "0"}, {"page": "-3"}, {"page": "99999999999999999999"}, {"page": "1.5"},
        {"sort": "password"}, {"sort": "-"}, {"sort": "--total"}, {"grade": "best"}, {"q": "x" * 5000},
    ],
)
@pytest.mark.parametrize(
    "name",
    ["reviews:results", "reviews:assignments", "reviews:progress", "reviews:rectification_ledger", "branches:audit_log", "reviews:queue"],
)
def test_bad_parameters_get_a_page(client, big, name, params):
    cycle, admin, reviewer, *_ = big
    if name == "reviews:rectification_ledger":
        params = {f"items_{key}": value for key, value in params.items()} | {"state": "nope", "category": "x"}
    user = reviewer if name == "reviews:queue" else admin
    response = get(client, user, name, [] if name == "branches:audit_log" else [cycle.pk], params)
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["reviews:results", "reviews:assignments", "reviews:progress", "reviews:rectification_ledger"])
def test_access_unchanged_per_role(client, big, name):
    cycle, admin, reviewer, reports, outsider, secretary = big
    params = {"sort": "-organization", "page": "2"}
    assert get(client, admin, name, [cycle.pk], params).status_code == 200
    for user in (outsider, reviewer, secretary):
        assert get(client, user, name, [cycle.pk], params).status_code in (403, 404)
    client.logout()
    assert client.get(reverse(name, args=[cycle.pk]), params).status_code == 302


def test_queue_is_the_reviewers_own_and_paged(client, big):
    cycle, admin, reviewer, reports, outsider, secretary = big
    first = get(client, reviewer, "reviews:queue", [cycle.pk]).context
    assert first["table"].count == SIZE and len(first["reports"]) == 50
    assert first["total"] == SIZE  # progress over the whole queue, not the page
    done = first["done"]
    assert done == sum(1 for r in first["table"].paginator.object_list if r.state == "submitted")
    todo = get(client, reviewer, "reviews:queue", [cycle.pk], {"state": "todo"}).context
    assert todo["table"].count == SIZE - done
    assert todo["next_report"] is not None and todo["next_report"].state != "submitted"
    asked = get(client, reviewer, "reviews:queue", [cycle.pk], {"sort": "-questions"}).context["reports"]
    assert [r.question_count for r in asked] == sorted((r.question_count for r in asked), reverse=True)
    # Another committee's administrator and the secretary have no queue here.
    assert get(client, outsider, "reviews:queue", [cycle.pk]).status_code == 404
    assert get(client, secretary, "reviews:queue", [cycle.pk]).status_code == 404


def test_progress_pages_keep_the_filter_and_export_everything(client, big):
    cycle, admin, *_ = big
    Report.objects.filter(pk__in=[r.pk for r in cycle.reports.order_by("pk")[:55]]).update(status=Report.Status.DRAFT)
    page_two = get(client, admin, "reviews:progress", [cycle.pk], {"state": "draft", "sort": "-organization", "page": 2}).context
    assert page_two["table"].count == 55 and len(page_two["rows"]) == 5
    assert {row.state for row in page_two["rows"]} == {"draft"}
    assert page_two["counts"]["draft"] == 55 and page_two["counts"]["total"] == SIZE
    orders = [row.organization.order for row in page_two["rows"]]
    assert orders == sorted(orders, reverse=True)
    # The export is every row of the filter, in the order shown — not the page.
    response = get(client, admin, "reviews:progress_xlsx", [cycle.pk], {"state": "draft", "sort": "-organization", "page": 2})
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert len(names) == 55
    expected = list(
        cycle.reports.filter(status=Report.Status.DRAFT).order_by("-organization__order", "-organization__name", "-pk").values_list("organization__name", flat=True)
    )
    assert names == expected


def test_assignment_forms_return_to_the_page_they_were_on(client, big):
    cycle, admin, reviewer, reports, *_ = big
    last = cycle.reports.order_by("-organization__order").first()
    Assignment.objects.filter(report=last).delete()
    page = get(client, admin, "reviews:assignments", [cycle.pk], {"missing": "1"}).context
    assert [row["report"] for row in page["rows"]] == [last] and page["table"].count == 1
    next_url = reverse("reviews:assignments", args=[cycle.pk]) + "?sort=-organization&page=2"
    response = client.post(
        reverse("reviews:assignments", args=[cycle.pk]), {"report": last.pk, "reviewer": reviewer.pk, "next": next_url}
    )
    assert response.status_code == 302 and response["Location"] == f"{next_url}#report-{last.pk}"
    assert Assignment.objects.filter(report=last, reviewer=reviewer).exists()
    # A `next` elsewhere is ignored: back to the assignments page.
    assignment = Assignment.objects.get(report=last, reviewer=reviewer)
    response = client.post(reverse("reviews:assignment_remove", args=[assignment.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("reviews:assignments", args=[cycle.pk]) + f"#report-{last.pk}"


def test_audit_log_sorted_both_ways(client, big):
    cycle, admin, reviewer, reports, *_ = big
    start = timezone.now() - datetime.timedelta(days=1)
    entries = AuditEntry.objects.bulk_create(
        [AuditEntry(organization=r.organization, actor=admin, action=AuditEntry.Action.REPORT_SUBMITTED, summary="提交") for r in reports]
    )
    # Times in an order unlike the ids, so that sorting by time is not sorting by id.
    for index, entry in enumerate(entries):
        entry.created_at = start + datetime.timedelta(minutes=(index * 37) % len(entries))
    AuditEntry.objects.bulk_update(entries, ["created_at"])
    everything = sorted(AuditEntry.objects.filter(organization__path__startswith=cycle.organization.path).values_list("created_at", flat=True))
    newest = [e.created_at for e in get(client, admin, "branches:audit_log", []).context["page"]]
    oldest = [e.created_at for e in get(client, admin, "branches:audit_log", [], {"sort": "time"}).context["page"]]
    assert len(everything) > 50  # two pages
    assert newest == everything[::-1][:50] and oldest == everything[:50]
    last = get(client, admin, "branches:audit_log", [], {"sort": "time", "page": 2}).context["page"]
    assert [e.created_at for e in last] == everything[50:]


def test_ledger_tables_page_independently_and_count_everything(client, big):
    cycle, admin, *_ = big
    cycle_publish(cycle=cycle, by=admin, reason=INCOMPLETE_OK)
    context = get(client, admin, "reviews:rectification_ledger", [cycle.pk]).context
    assert context["total"] == context["items_table"].count > 50
    assert context["plans_table"].count == SIZE and len(context["lines"]) == 50
    params = {"plans_page": 2, "items_sort": "-organization", "items_page": 2}
    context = get(client, admin, "reviews:rectification_ledger", [cycle.pk], params).context
    assert len(context["lines"]) == SIZE - 50
    assert context["items_table"].page.number == 2 and context["plans_table"].page.number == 2
    orders = [item.plan.report.organization.order for item in context["items"]]
    assert orders == sorted(orders, reverse=True)
    html = get(client, admin, "reviews:rectification_ledger", [cycle.pk], params).content.decode()
    # Each table's pager keeps the other table's page and sort.
    assert "?plans_page=2&amp;items_sort=-organization&amp;items_page=1" in html
    assert "?plans_page=1&amp;items_sort=-organization&amp;items_page=2" in html
    # Filtered by state: only those, counters unchanged.
    overdue = get(client, admin, "reviews:rectification_ledger", [cycle.pk], {"state": "not_started"}).context
    assert {item.state for item in overdue["items"]} == {"not_started"}
    assert overdue["total"] == context["total"]


def test_result_totals_exist(big):
    cycle = big[0]
    assert Result.objects.filter(report__cycle=cycle, total__gt=Decimal(0)).count() == SIZE


def test_routine_scores_save_the_page_shown(client, big):
    cycle, admin, *_ = big
    url = reverse("reviews:routine_scores", args=[cycle.pk]) + "?sort=-organization&page=2"
    client.force_login(admin)
    page = client.get(url).context
    shown = [report for report, field in page["form"].rows()]
    assert len(shown) == SIZE - 50 and page["table"].count == SIZE
    before = dict(Result.objects.filter(report__cycle=cycle).values_list("report_id", "routine_score"))
    response = client.post(url, {f"routine_{r.pk}": "66.5" for r in shown})
    assert response.status_code == 302 and response["Location"] == url
    after = dict(Result.objects.filter(report__cycle=cycle).values_list("report_id", "routine_score"))
    changed = {pk for pk in after if after[pk] != before[pk]}
    assert changed == {r.pk for r in shown}
    assert all(after[r.pk] == Decimal("66.5") for r in shown)
    # The rows of page 2 sorted descending are the first organizations.
    assert sorted(r.organization.order for r in shown) == sorted(cycle.reports.values_list("organization__order", flat=True))[: SIZE - 50]
    missing = client.get(reverse("reviews:routine_scores", args=[cycle.pk]), {"missing": "1"}).context["table"]
    assert missing.count == 0


def test_organizations_paged_in_tree_order_and_searchable(client, big):
    cycle, admin, reviewer, reports, outsider, secretary = big
    first = get(client, admin, "branches:organizations", []).context
    assert first["table"].count == SIZE + 1  # the committee and its branches
    paths = [org.path for org in first["organizations"]]
    assert paths == sorted(paths) and first["organizations"][0] == cycle.organization
    by_name = [o.name for o in get(client, admin, "branches:organizations", [], {"sort": "-name"}).context["organizations"]]
    assert by_name == sorted(by_name, reverse=True)
    found = get(client, admin, "branches:organizations", [], {"q": "第61"}).context["organizations"]
    assert [o.name for o in found] == ["大第61支部"]
    # Another administrator's organizations never show, whatever the parameters.
    theirs = get(client, outsider, "branches:organizations", [], {"q": "大", "sort": "-name"}).context["table"]
    assert theirs.count == 0
