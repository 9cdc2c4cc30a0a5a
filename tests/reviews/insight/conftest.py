"""The insight scene: three years of one committee's cycles, built through the real services.

    county (county_admin, county_reviewer) — its cycle of year Y reviews the committee
      └── committee (admin; reviewer, member1, member2)
            ├── branch_a (secretary_a)   ├── branch_b (secretary_b)   └── branch_c (secretary_c2)
    other_committee (other_admin) with branch_c of the standard world.

Totals (review weight 100; thresholds 90/80/60: 好 ≥ 90, 较好 ≥ 80, 一般 ≥ 60, else 差):

    year    reviewers                    branch_a          branch_b          branch_c
    Y-2     reviewer                     56 差             88 较好           84 较好
    Y-1     reviewer                     64 一般           84 较好           56 差
    Y       reviewer/member1/member2     92/88/80 → 86.67  84/80/80 → 81.33  76/72/60 → 69.33
                                         较好              较好              一般

Problems: branch_a 组织建设 in Y-1 and Y (recurring in Y); branch_b 作风建设 in Y-2 and Y (not
consecutive: not recurring); branch_c 党风廉政 in Y only. Every cycle computed and published.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from branches.models import Organization
from branches.services import organization_create, organization_move
from reports.models import Report
from reports.services import report_save_draft, report_submit
from reviews.models import ProblemCategory
from reviews.results.services import cycle_publish, results_compute
from tests.factories import INCOMPLETE_OK, OrganizationFactory, UserFactory, build_world, launch_cycle
from tests.reviews.helpers import submit_review

REVIEW_ONLY = {"review_weight": Decimal(100), "routine_weight": Decimal(0), "ballot_weight": Decimal(0)}


def launch(organization, year, by):
    return launch_cycle(
        organization=organization,
        year=year,
        by=by,
        deadline=timezone.now() + datetime.timedelta(days=30),
        weights=REVIEW_ONLY,
    )


def review_all(cycle, plan, categories):
    """`plan`: {organization: [(reviewer, total, [category names])]}; submits every report first."""
    for organization, reviews in plan.items():
        report = Report.objects.get(cycle=cycle, organization=organization)
        secretary = organization.secretary
        report_save_draft(
            report=report,
            by=secretary,
            data={"performance": "一、履职情况正文", "problems": "二、存在问题正文", "plans": "三、下一步打算正文", "rectification": "四、上年度问题整改情况"},
            base_revision=report.revision,
        )
        report_submit(report=report, by=secretary)
        for reviewer, total, names in reviews:
            problems = [{"text": f"{name}方面的问题", "category": categories[name]} for name in names]
            submit_review(report, reviewer, total, problems=problems)


@pytest.fixture
def insight(db):
    return build()


def build():
    w = build_world()
    w.year = w.cycle.year
    categories = {category.name: category for category in ProblemCategory.objects.all()}
    w.member1, w.member2 = UserFactory(username="member1"), UserFactory(username="member2")
    w.committee.committee_members.add(w.member1, w.member2)
    w.secretary_c2 = UserFactory(username="secretary_c2")
    w.branch_c2 = OrganizationFactory(name="丙二社区党支部", parent=w.committee, secretary=w.secretary_c2)
    # The county above the committee, with its own cycle of year Y reviewing the committee.
    w.county = organization_create(name="测试县委", kind=Organization.Kind.COMMITTEE)
    organization_move(organization=w.committee, parent=w.county)
    for organization in (w.committee, w.branch_a, w.branch_b, w.branch_c2):
        organization.refresh_from_db()
    w.county_admin, w.county_reviewer = UserFactory(username="county_admin"), UserFactory(username="county_reviewer")
    w.county.administrators.add(w.county_admin)
    w.county.committee_members.add(w.county_reviewer)
    w.committee_secretary = UserFactory(username="committee_secretary")
    w.committee.secretary = w.committee_secretary
    w.committee.save()

    a, b, c = w.branch_a, w.branch_b, w.branch_c2
    w.cycle_2 = launch(w.committee, w.year - 2, w.admin)
    review_all(w.cycle_2, {a: [(w.reviewer, 56, [])], b: [(w.reviewer, 88, ["作风建设"])], c: [(w.reviewer, 84, [])]}, categories)
    w.cycle_1 = launch(w.committee, w.year - 1, w.admin)
    review_all(w.cycle_1, {a: [(w.reviewer, 64, ["组织建设"])], b: [(w.reviewer, 84, [])], c: [(w.reviewer, 56, [])]}, categories)
    # Year Y: a fresh cycle of all three (the standard world's open cycle had two reports).
    w.cycle.reports.all().delete()
    w.cycle.delete()
    w.cycle = launch(w.committee, w.year, w.admin)
    review_all(
        w.cycle,
        {
            a: [(w.reviewer, 92, ["组织建设"]), (w.member1, 88, []), (w.member2, 80, [])],
            b: [(w.reviewer, 84, ["作风建设"]), (w.member1, 80, []), (w.member2, 80, [])],
            c: [(w.reviewer, 76, ["党风廉政"]), (w.member1, 72, []), (w.member2, 60, [])],
        },
        categories,
    )
    for cycle in (w.cycle_2, w.cycle_1, w.cycle):
        results_compute(cycle=cycle, by=w.admin)
        cycle_publish(cycle=cycle, by=w.admin, reason=INCOMPLETE_OK)
        cycle.refresh_from_db()
    w.county_cycle = launch(w.county, w.year, w.county_admin)
    county_report = Report.objects.get(cycle=w.county_cycle, organization=w.committee)
    review_all(w.county_cycle, {w.committee: [(w.county_reviewer, 96, [])]}, categories)
    results_compute(cycle=w.county_cycle, by=w.county_admin)
    cycle_publish(cycle=w.county_cycle, by=w.county_admin, reason=INCOMPLETE_OK)
    w.county_report = county_report
    w.report = {org.pk: Report.objects.get(cycle=w.cycle, organization=org) for org in (a, b, c)}
    return w
