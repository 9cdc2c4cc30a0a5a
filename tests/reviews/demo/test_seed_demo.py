"""The demo world that `make run` builds, as the README promises it."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.urls import reverse

from branches.models import Organization, User
from reports.models import Cycle, Report
from reviews.models import Ballot, Evaluation, Grade, Meeting, RectificationItem, Review
from reviews.results.selectors import cycle_results


@pytest.fixture
def seeded(db, settings):
    settings.AXES_ENABLED = False
    call_command("seed_demo", stdout=None)


def street_cycles():
    """城关街道党工委's cycles, newest first: this year's, last year's, then older ones."""
    return list(Cycle.objects.filter(organization__name="城关街道党工委").order_by("-year"))


def test_accounts_and_roles(seeded):
    usernames = set(User.objects.values_list("username", flat=True))
    expected = {"admin", "orgadmin", *(f"reviewer{n}" for n in range(1, 4)), *(f"secretary{n}" for n in range(1, 9))}
    assert expected <= usernames
    assert authenticate(username="secretary1", password="shuping2026") is not None
    committee = Organization.objects.get(name="城关街道党工委")
    assert committee.children.count() == 8
    assert committee.committee_members.count() == 3
    assert committee.administrators.filter(username="orgadmin").exists()
    assert User.objects.get(username="admin").is_superuser


def test_last_year_published_with_all_four_grades_and_a_closed_ballot(seeded):
    last = street_cycles()[1]
    assert last.status == Cycle.Status.CLOSED and last.is_published
    rows = cycle_results(last)
    assert {row.grade for row in rows} == set(Grade.values)
    assert all(row.ballot_score is not None for row in rows)
    assert Review.objects.filter(report__cycle=last, status=Review.Status.SUBMITTED).count() == 8 * 3
    evaluation = Evaluation.objects.get(cycle=last)
    assert evaluation.status == Evaluation.Status.CLOSED
    assert Ballot.objects.filter(evaluation=evaluation).exists()
    assert RectificationItem.objects.filter(plan__report__cycle=last).exists()


def test_this_year_collecting_in_several_states(seeded):
    current = street_cycles()[0]
    assert current.status == Cycle.Status.COLLECTING
    states = set(Report.objects.filter(cycle=current).values_list("status", flat=True))
    assert states == {Report.Status.NOT_STARTED, Report.Status.DRAFT, Report.Status.SUBMITTED, Report.Status.RETURNED}
    assert Review.objects.filter(report__cycle=current).exists()
    secretary1_report = Report.objects.get(cycle=current, organization__secretary__username="secretary1")
    assert secretary1_report.status == Report.Status.NOT_STARTED


def test_seed_is_idempotent(seeded):
    counts = (User.objects.count(), Report.objects.count(), Review.objects.count())
    call_command("seed_demo", stdout=None)
    assert (User.objects.count(), Report.objects.count(), Review.objects.count()) == counts


def test_three_closed_years_on_two_levels(seeded):
    """A county above two townships with their branches; every committee has at least three closed
    years, so that files, analyses and the levels page show trends."""
    county = Organization.objects.get(name="清河县委", parent=None)
    townships = {organization.name for organization in county.children.all()}
    assert townships == {"城关街道党工委", "东关镇党委"}
    assert Organization.objects.get(name="东关镇党委").children.count() == 6
    assert county.administrators.filter(username="countyadmin").exists()
    for name in ("清河县委", "城关街道党工委", "东关镇党委"):
        closed = Cycle.objects.filter(organization__name=name, status=Cycle.Status.CLOSED)
        assert closed.count() >= 3, name
        assert all(cycle.is_published for cycle in closed)
    # The closed years' problem lists mostly ended completed, some overdue.
    items = RectificationItem.objects.filter(plan__report__cycle__organization__name="东关镇党委")
    assert items.filter(status=RectificationItem.Status.COMPLETED).exists()
    assert items.exclude(status=RectificationItem.Status.COMPLETED).exists()


def test_demo_analysis_shows_trends(seeded, client):
    """On the demo: the last year's analysis of 城关 flags two years 一般 or below and finds problems
    that come back; the county administrator sees both townships side by side."""
    from django.urls import reverse

    last = street_cycles()[1]
    client.force_login(User.objects.get(username="orgadmin"))
    html = client.get(reverse("reviews:cycle_analysis", args=[last.pk])).content.decode()
    low = html[html.index('id="low-two-years"'):]
    assert "城关小学党支部" in low[: low.index("</ul>")]  # 62 一般 then 66 一般
    recurring = html[html.index('id="recurring"'):]
    assert "光明社区党支部" in recurring[: recurring.index("</ul>")]  # 组织建设 named every year
    client.force_login(User.objects.get(username="countyadmin"))
    html = client.get(reverse("reviews:levels") + f"?year={last.year}").content.decode()
    assert "城关街道党工委" in html and "东关镇党委" in html and "清河县委" in html


def test_this_year_has_a_meeting_with_attendees_and_some_checked_in(seeded, client):
    """The console and the big screen of `make run` show a meeting: agenda of the submitted
    reports handed in, attendees by group, five of twenty checked in, the screen on 扫码签到."""
    current = street_cycles()[0]
    meeting = Meeting.objects.get(cycle=current)
    handed_in = set(Report.objects.filter(cycle=current, submitted_at__isnull=False).values_list("pk", flat=True))
    assert set(meeting.speeches.values_list("report_id", flat=True)) == handed_in and len(handed_in) == 4
    assert set(Evaluation.objects.get(cycle=current).entries.values_list("report_id", flat=True)) == handed_in
    assert meeting.status == Meeting.Status.PREPARING and meeting.screen == Meeting.Screen.CHECKIN
    assert meeting.attendees.count() == 20
    assert meeting.attendees.filter(checked_in_at__isnull=False).count() == 5
    assert meeting.attendees.filter(checked_in_by__username="orgadmin").count() == 1
    assert Evaluation.objects.get(cycle=current).status == Evaluation.Status.DRAFT
    client.force_login(User.objects.get(username="orgadmin"))
    console = client.get(reverse("reviews:meeting_console", args=[current.pk]))
    assert console.status_code == 200
    screen = client.get(reverse("screen:page", args=[meeting.screen_token]))
    state = client.get(reverse("screen:state", args=[meeting.screen_token])).json()
    assert screen.status_code == 200 and state["screen"] == "checkin" and state["turnout"]["present"] == 5
    assert state["turnout"]["expected"] == 37  # the head count of the evaluation's groups (应到)
    call_command("seed_demo", stdout=None)
    assert Meeting.objects.count() == 1 and meeting.attendees.count() == 20
