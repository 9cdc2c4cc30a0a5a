import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from reports.models import Cycle
from reports.permissions import can_view_report
from reports.selectors import (
    report_for_secretary_or_404,
    report_latest_version,
    report_readable_body,
    report_versions,
    reports_for_user,
    reports_for_user_by_state,
    reports_visible_to,
)
from tests.factories import OrganizationFactory, launch_cycle

from .conftest import ROLES, fill, submit


def test_reports_for_user_are_the_led_organizations_reports(world):
    assert list(reports_for_user(world.secretary_a)) == [world.report_a]
    assert list(reports_for_user(world.reviewer)) == []
    assert list(reports_for_user(AnonymousUser())) == []


def test_reports_for_user_by_state_splits_current_and_past(world):
    old = launch_cycle(organization=world.committee, year=world.cycle.year - 1, by=world.admin, participants=[world.branch_a])
    Cycle.objects.filter(pk=old.pk).update(status=Cycle.Status.CLOSED)
    current, past = reports_for_user_by_state(world.secretary_a)
    assert current == [world.report_a]
    assert [r.cycle_id for r in past] == [old.pk]


def test_secretary_leading_two_organizations_sees_both(world):
    second = OrganizationFactory(name="第三支部", parent=world.committee, secretary=world.secretary_a)
    cycle = launch_cycle(organization=world.committee, year=world.cycle.year + 1, by=world.admin, participants=[world.branch_a, second])
    assert {r.organization_id for r in reports_for_user(world.secretary_a) if r.cycle_id == cycle.pk} == {world.branch_a.pk, second.pk}


def test_report_for_secretary_or_404(world):
    assert report_for_secretary_or_404(world.secretary_a, world.report_a.pk) == world.report_a
    with pytest.raises(Http404):
        report_for_secretary_or_404(world.secretary_b, world.report_a.pk)
    with pytest.raises(Http404):
        report_for_secretary_or_404(world.reviewer, world.report_a.pk)


@pytest.mark.parametrize("role", ROLES)
def test_reports_visible_to_matches_can_view_report(world, role):
    submit(world.report_a, world.secretary_a)
    fill(world.report_b, world.secretary_b)
    submit(world.report_c, world.secretary_c)
    user = getattr(world, role)
    visible = set(reports_visible_to(user))
    for report in [world.report_a, world.report_b, world.report_c]:
        assert (report in visible) == can_view_report(user, report), report


def test_readable_body_is_latest_version_for_readers(returned_world):
    w = returned_world
    fill(w.report_a, w.secretary_a, performance="退回后正在修改的草稿")
    w.report_a.refresh_from_db()
    assert report_readable_body(w.secretary_a, w.report_a) is w.report_a
    body = report_readable_body(w.reviewer, w.report_a)
    assert body.number == 1 and "退回后" not in body.performance


def test_versions_in_order(returned_world):
    w = returned_world
    submit(w.report_a, w.secretary_a)
    assert [v.number for v in report_versions(w.report_a)] == [1, 2]
    assert report_latest_version(w.report_a).number == 2
