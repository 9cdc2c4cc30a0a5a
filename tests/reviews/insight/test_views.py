"""The insight pages through the client: who sees what, and the figures on the page."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.models import Report
from reports.services import report_save_draft, report_submit
from reviews.results.services import cycle_publish, cycle_withdraw, results_compute
from tests.factories import INCOMPLETE_OK, CommitteeFactory, OrganizationFactory, UserFactory, launch_cycle
from tests.reviews.helpers import submit_review


def get(client, user, name, *args, query=""):
    client.force_login(user)
    return client.get(reverse(name, args=args) + query)


def file_page(client, user, organization):
    return get(client, user, "reviews:organization_file", organization.pk)


# ---------------------------------------------------------------- the organization file


def test_secretary_sees_their_published_years_with_trend_chart(client, insight):
    w = insight
    response = file_page(client, w.secretary_a, w.branch_a)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="trend-chart"' in html and "<svg" in html and 'role="img"' in html
    # Each year's total and rank of N (a: 56 third of 3, 64 third of 3, 86.67 first of 3).
    for total in ("56.00", "64.00", "86.67"):
        assert total in html
    assert "3 / 3" in html and "1 / 3" in html
    # The problems named and how they ended (the lists were generated at publication).
    assert "组织建设方面的问题" in html and "未开始" in html


def test_secretary_sees_nothing_of_a_withdrawn_year_the_administrator_sees_it_marked(client, insight):
    w = insight
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="复核")
    html = file_page(client, w.secretary_a, w.branch_a).content.decode()
    assert "86.67" not in html and "结果尚未公布" in html and "64.00" in html
    html = file_page(client, w.admin, w.branch_a).content.decode()
    assert "86.67" in html and "未公布" in html


@pytest.mark.parametrize("role", ["secretary_b", "secretary_c2", "reviewer", "other_admin", "other_reviewer"])
def test_others_get_404(client, insight, role):
    w = insight
    assert file_page(client, getattr(w, role), w.branch_a).status_code == 404


def test_county_administrator_sees_the_subtree(client, insight):
    w = insight
    assert "86.67" in file_page(client, w.county_admin, w.branch_a).content.decode()
    assert "96.00" in file_page(client, w.county_admin, w.committee).content.decode()


def test_township_administrator_does_not_see_the_countys_result_of_their_own_committee(client, insight):
    """The committee's admin administers the committee's subtree, not the county's cycle: the
    committee's own grade from the county stays hidden (its secretary sees it, once published)."""
    w = insight
    response = file_page(client, w.admin, w.committee)
    assert response.status_code == 200
    assert "96.00" not in response.content.decode()
    assert "96.00" in file_page(client, w.committee_secretary, w.committee).content.decode()


def test_secretary_does_not_see_the_rank_where_the_cycle_hides_it(client, insight):
    w = insight
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="改设置")
    settings = w.cycle.result_settings
    settings.show_rank = False
    settings.save()
    results_compute(cycle=w.cycle, by=w.admin)
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    html = file_page(client, w.secretary_a, w.branch_a).content.decode()
    assert "86.67" in html and "1 / 3" not in html
    assert "1 / 3" in file_page(client, w.admin, w.branch_a).content.decode()


def test_file_pdf(client, insight, tmp_path):
    import subprocess

    w = insight
    response = get(client, w.secretary_a, "reviews:organization_file_pdf", w.branch_a.pk)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "file.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "综合得分趋势" in text and "86.67" in text and "组织建设方面的问题" in text


def test_results_page_draws_the_grade_distribution_with_its_table(client, insight):
    html = get(client, insight.admin, "reviews:results", insight.cycle.pk).content.decode()
    figure = html[html.index('id="grade-distribution"'):]
    figure = figure[: figure.index("</figure>")]
    assert "<svg" in figure and 'role="img"' in figure and "<table" in figure
    # 较好 2 of 3, 一般 1 of 3 (see conftest).
    assert "2个</td><td class=\"text-end\">66.67%" in figure and "1个</td><td class=\"text-end\">33.33%" in figure


def test_organization_names_link_to_the_file_for_those_who_may_open_it(client, insight):
    w = insight
    url = reverse("reviews:organization_file", args=[w.branch_a.pk])
    assert url in get(client, w.admin, "reviews:results", w.cycle.pk).content.decode()
    # A secretary finds their own organization linked on the home page, and never another one.
    client.force_login(w.secretary_b)
    assert reverse("reviews:organization_file", args=[w.branch_b.pk]) in client.get(reverse("reports:home")).content.decode()
    assert url not in client.get(reverse("reports:home")).content.decode()
    analysis = get(client, w.admin, "reviews:cycle_analysis", w.cycle.pk).content.decode()
    assert reverse("reviews:organization_file", args=[w.branch_c2.pk]) in analysis


# ---------------------------------------------------------------- the analysis


def test_analysis_page_figures(client, insight):
    w = insight
    response = get(client, w.admin, "reviews:cycle_analysis", w.cycle.pk)
    assert response.status_code == 200
    html = response.content.decode()
    for chart in ("distribution-chart", "categories-chart", "criteria-chart", "reviewers-chart"):
        assert f'id="{chart}"' in html
    # Calibration under the cycle's pseudonyms (names are not shown by default).
    assert "+7.33" in html and "-8.67" in html and "6.53" in html and "9.43" in html
    assert w.member2.display_name not in html and "评议人" in html
    # Criterion against last year, the flag and the recurring problem.
    assert "+26.67" in html
    low = html[html.index('id="low-two-years"'):]
    assert low.index("丙二社区党支部") < low.index("</ul>") and "本年度一般，上年度差" in low
    recurring = html[html.index('id="recurring"'):]
    assert "甲社区党支部</a>：组织建设" in recurring[: recurring.index("</ul>")]
    # The normalised view only on request, beside the official score.
    assert 'id="normalised-table"' not in html
    html = get(client, w.admin, "reviews:cycle_analysis", w.cycle.pk, query="?view=normalised").content.decode()
    table = html[html.index('id="normalised-table"'):]
    assert "1.05" in table and "86.67" in table and "-1.29" in table


def test_analysis_is_for_the_cycles_administrators(client, insight):
    w = insight
    for user in (w.other_admin, w.secretary_a, w.reviewer):
        assert get(client, user, "reviews:cycle_analysis", w.cycle.pk).status_code == 404
    assert get(client, w.county_admin, "reviews:cycle_analysis", w.cycle.pk).status_code == 200
    assert get(client, w.admin, "reviews:cycle_analysis", w.county_cycle.pk).status_code == 404


# ---------------------------------------------------------------- across levels


def test_levels_county_sees_every_committee_township_only_its_own(client, insight):
    w = insight
    html = get(client, w.county_admin, "reviews:levels").content.decode()
    assert f'id="levels-cycle-{w.county_cycle.pk}"' in html and f'id="levels-cycle-{w.cycle.pk}"' in html
    assert f'id="levels-cycle-{w.other_cycle.pk}"' not in html
    assert 'id="levels-distribution-chart"' in html
    html = get(client, w.admin, "reviews:levels").content.decode()
    assert f'id="levels-cycle-{w.cycle.pk}"' in html and f'id="levels-cycle-{w.county_cycle.pk}"' not in html
    assert "测试县委" not in html
    # Another year, and a year that is not theirs falls back to the latest.
    html = get(client, w.admin, "reviews:levels", query=f"?year={w.year - 2}").content.decode()
    assert f'id="levels-cycle-{w.cycle_2.pk}"' in html and f'id="levels-cycle-{w.cycle.pk}"' not in html
    html = get(client, w.admin, "reviews:levels", query="?year=1999").content.decode()
    assert f'id="levels-cycle-{w.cycle.pk}"' in html
    assert get(client, w.secretary_a, "reviews:levels").status_code == 403


# ---------------------------------------------------------------- query counts at two sizes


def committee_world(size, tag):
    """A committee with `size` branches and two reviewers, two published years."""
    admin = UserFactory(username=f"admin_{tag}")
    reviewers = [UserFactory(username=f"rev_{tag}_{n}") for n in range(2)]
    committee = CommitteeFactory(name=f"规模{tag}党工委")
    committee.administrators.add(admin)
    committee.committee_members.add(*reviewers)
    branches = [
        OrganizationFactory(name=f"规模{tag}第{n}支部", parent=committee, secretary=UserFactory(username=f"sec_{tag}_{n}"))
        for n in range(size)
    ]
    year = timezone.localdate().year
    cycles = []
    for offset in (1, 0):
        cycle = launch_cycle(
            organization=committee, year=year - offset, by=admin, deadline=timezone.now() + datetime.timedelta(days=9),
            weights={"review_weight": Decimal(100), "routine_weight": Decimal(0), "ballot_weight": Decimal(0)},
        )
        for index, branch in enumerate(branches):
            report = Report.objects.get(cycle=cycle, organization=branch)
            report_save_draft(
                report=report, by=branch.secretary, base_revision=report.revision,
                data={"performance": "正文", "problems": "问题", "plans": "打算", "rectification": "整改"},
            )
            report_submit(report=report, by=branch.secretary)
            for number, reviewer in enumerate(reviewers):
                submit_review(report, reviewer, 60 + 3 * index + number * 2)
        results_compute(cycle=cycle, by=admin)
        cycle_publish(cycle=cycle, by=admin, reason=INCOMPLETE_OK)
        cycles.append(cycle)
    return admin, committee, branches, cycles[-1]


def count_queries(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_organizations(client, db):
    small = committee_world(2, "s")
    large = committee_world(6, "l")
    counts = {}
    for name, (admin, _committee, branches, cycle) in (("small", small), ("large", large)):
        counts[name] = (
            count_queries(client, admin, reverse("reviews:cycle_analysis", args=[cycle.pk])),
            count_queries(client, admin, reverse("reviews:cycle_analysis", args=[cycle.pk]) + "?view=normalised"),
            count_queries(client, admin, reverse("reviews:levels")),
            count_queries(client, admin, reverse("reviews:organization_file", args=[branches[0].pk])),
        )
    assert counts["small"] == counts["large"], counts
